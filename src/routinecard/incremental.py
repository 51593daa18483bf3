"""Incremental builds: skip a PDF whose inputs have not changed.

After each build we record, in `<output folder>/.routinecard-manifest.json`, the files
that went into the PDF (card, patient file, clinic file, layout chain, pictures, fonts)
with their SHA-256, plus the options and routinecard's own code hash. A later build of
the same job re-hashes just those files: if all match and the PDF is still the one we
wrote, it is skipped without parsing anything. This module imports nothing heavy, so a
no-op rebuild of a whole library stays well under a second.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MANIFEST = ".routinecard-manifest.json"


def file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@cache
def code_hash() -> str:
    """routinecard's version and its own source and data files: a new routinecard rebuilds."""
    from routinecard import __version__

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".svg") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class JobKey:
    """What was asked: the input file and every option that changes the PDF."""

    input: str
    layout: str | None
    clinic: str | None
    language: str | None
    only: str | None
    sets: str  # JSON of --set values
    split: bool = False  # --split

    def text(self) -> str:
        fields = [self.input, self.layout, self.clinic, self.language, self.only, self.sets]
        return json.dumps(fields + ([True] if self.split else []))


class Manifest:
    """The record of what each output was built from, kept next to the outputs."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST
        try:
            self.entries: dict[str, dict[str, Any]] = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.entries, dict):
                self.entries = {}
        except (OSError, ValueError):
            self.entries = {}

    def up_to_date(self, key: JobKey) -> Path | None:
        """The output, if it exists and nothing it was built from has changed."""
        entry = self.entries.get(key.text())
        if not entry or entry.get("code") != code_hash():
            return None
        output = Path(entry["output"])
        if file_hash(output) != entry.get("pdf"):
            return None
        for name, digest in entry.get("deps", {}).items():
            if file_hash(Path(name)) != digest:
                return None
        return output

    def record(self, key: JobKey, output: Path, pdf: bytes, deps: list[Path]) -> None:
        self.entries[key.text()] = {
            "output": str(output.resolve()),
            "pdf": hashlib.sha256(pdf).hexdigest(),
            "code": code_hash(),
            "deps": {str(p.resolve()): file_hash(p) for p in sorted(set(deps))},
        }

    def save(self) -> None:
        from routinecard.write import write_atomic

        write_atomic(self.path, json.dumps(self.entries, indent=1, sort_keys=True).encode("utf-8"))
