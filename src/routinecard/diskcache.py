"""Derived data kept between runs, as JSON in the cache folder, named by the content it
was derived from. A missing, unreadable or read-only cache only costs the work again."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Callable


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
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"))
        os.replace(tmp, path)  # atomic: parallel workers may race; both write the same bytes
    except OSError:
        pass  # a read-only home: compute again next time
    return data
