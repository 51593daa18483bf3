"""Solved poses, remembered on disk: a position picture's joint angles are solved once per
machine, not once per process.

Solving a pose (the contacts of a body, a ball and a wall) was most of a one-card
`routinecard build` (about 0.05 s a pose, four poses a card). The answer is a handful of
angles that depend only on the pose's inputs and on routinecard's own code and data, so
it is kept in the cache folder (`diskcache`, beside the fonts and body maps) as a small
JSON file named by the SHA-256 of those inputs. The next process builds the picture from
the same angles: the PDF is byte for byte the one a fresh solve gives. A file that is not
an object of finite numbers with exactly the angle names asked for is ignored.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from typing import Any

from routinecard.diskcache import read_json, write_json

KIND = "poses"


def key(inputs: object) -> str:
    """The name of a solve: its inputs (JSON-able) and routinecard's code and data."""
    from routinecard.incremental import code_hash

    text = json.dumps([code_hash(), inputs], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def load(name: str, angles: Sequence[str]) -> dict[str, float] | None:
    """The angles remembered under `name`, or None."""

    def valid(data: Any) -> bool:
        return (isinstance(data, dict) and sorted(data) == sorted(angles)
                and all(type(v) is float and math.isfinite(v) for v in data.values()))

    found = read_json(KIND, name, valid)
    return None if found is None else {str(k): float(v) for k, v in found.items()}


def store(name: str, angles: dict[str, float]) -> None:
    """Remember a solve (floats are written with repr: they read back exactly)."""
    write_json(KIND, name, {k: float(v) for k, v in sorted(angles.items())})
