"""Derived data kept between runs, as JSON in the cache folder, named by the content it
was derived from. A missing, unreadable or read-only cache only costs the work again."""

from __future__ import annotations

import json
from typing import Any, Callable

from routinecard.errors import OutputError
from routinecard.write import write_atomic


def cached_json(kind: str, name: str, compute: Callable[[], Any]) -> Any:
    """The data stored as `<cache>/<kind>/<name>.json`, computed and stored if absent."""
    from routinecard.fonts import cache_dir

    path = cache_dir().parent / kind / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = compute()
    try:
        # atomic: parallel workers may race; both write the same bytes
        write_atomic(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
    except (OSError, OutputError):
        pass  # a read-only home: compute again next time
    return data
