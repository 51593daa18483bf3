"""Where built-in data lives: inside the wheel (routinecard/_data/...) when installed,
or at the top of the repository for an editable install."""

from __future__ import annotations

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
