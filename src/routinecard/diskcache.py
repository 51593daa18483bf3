"""Derived data kept between runs, as JSON in the cache folder, named by the content it
was derived from. A missing, unreadable or read-only cache only costs the work again.

What is read back is data anyone with access to the folder could have written: a file
that is too large or not JSON is a miss, and callers that can say what shape their data
has pass `valid`, so a damaged file is a miss too, never a crash or a wrong picture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from routinecard.errors import OutputError
from routinecard.write import write_atomic

MAX_BYTES = 64 * 1024 * 1024  # the largest derived file we write is a body map (~1 MB)


def _path(kind: str, name: str) -> Path:
    from routinecard.fonts import cache_dir

    return cache_dir().parent / kind / f"{name}.json"


def read_json(kind: str, name: str, valid: Callable[[Any], bool] = lambda data: True) -> Any | None:
    """The data stored as `<cache>/<kind>/<name>.json`, or None (absent, unreadable, too
    large, not JSON, or not `valid`)."""
    try:
        with open(_path(kind, name), "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return None
        data = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return None
    return data if valid(data) else None


def write_json(kind: str, name: str, data: Any) -> None:
    """Store `data`; nothing happens when the cache folder cannot be written."""
    try:
        # atomic: parallel workers may race; both write the same bytes
        write_atomic(_path(kind, name), json.dumps(data, separators=(",", ":")).encode("utf-8"))
    except (OSError, OutputError):
        pass  # a read-only home: compute again next time


def cached_json(kind: str, name: str, compute: Callable[[], Any]) -> Any:
    """The data stored as `<cache>/<kind>/<name>.json`, computed and stored if absent."""
    found = read_json(kind, name)
    if found is not None:
        return found
    data = compute()
    write_json(kind, name, data)
    return data
