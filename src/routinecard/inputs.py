"""What the user named on the command line, resolved without importing the heavy parts:
a no-op rebuild must be fast."""

from __future__ import annotations

import re
from pathlib import Path

from routinecard.errors import InputError, Problem, display_path


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Folders become the .yaml files in them (sorted); files stay as given; a routine id
    that is not a file names the routine's original version in the library (add --lang
    for another language)."""
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise InputError(Problem(f"{display_path(path)}: the folder has no .yaml files"))
            result.extend(found)
        elif not path.exists() and _is_id(str(path)):
            from routinecard import library

            entry = library.find(str(path))
            if entry is None:
                known = ", ".join(library.known_ids()) or "none"
                raise InputError(Problem(f"{path}: no such file, and no routine with this id; routines: {known}"))
            result.append(entry.path)
        else:
            result.append(path)
    return result


def _is_id(text: str) -> bool:
    """A bare routine id (`sciatica-trigger-points`), not a path."""
    return re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text) is not None
