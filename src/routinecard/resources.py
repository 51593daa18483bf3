"""Where built-in data lives: inside the wheel (routinecard/_data/...) when installed,
or at the top of the repository for an editable install."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder of built-in `layouts`, `images` or `cards`."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    repository = _PACKAGE_DIR.parent.parent / name
    if repository.is_dir():
        return repository
    raise FileNotFoundError(f"routinecard is installed without its built-in {name!r} folder")


def builtin_layouts() -> dict[str, Path]:
    """Built-in layout names and their files, in name order. Cheap: nothing is parsed."""
    return {p.stem: p for p in sorted(data_dir("layouts").glob("*.yaml"))}


def looks_like_path(reference: str) -> bool:
    """Whether a reference to a card or layout names a file (`../cards/x.yaml`, `a/b`)
    rather than an id or a built-in name (`sciatica-trigger-points`, `a4`)."""
    return reference.lower().endswith((".yaml", ".yml")) or "/" in reference or "\\" in reference or os.sep in reference
