"""What the user named on the command line, resolved without importing the heavy parts:
a no-op rebuild must be fast."""

from __future__ import annotations

from pathlib import Path

from routinecard.errors import InputError, Problem, display_path


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Folders become the .yaml files in them (sorted); files stay as given."""
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise InputError(Problem(f"{display_path(path)}: the folder has no .yaml files"))
            result.extend(found)
        else:
            result.append(path)
    return result
