"""routinecard: structured self-care routines (YAML) to one-page printable PDF cards.

The public API is imported lazily so that `routinecard --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "build_pdf", "load_card", "validate_card"]

if TYPE_CHECKING:  # pragma: no cover
    from routinecard.api import build_pdf, load_card, validate_card


def __getattr__(name: str) -> Any:
    if name in ("build_pdf", "load_card", "validate_card"):
        from routinecard import api

        return getattr(api, name)
    raise AttributeError(f"module 'routinecard' has no attribute {name!r}")
