"""The catalogue: every routine a clinic can print, grouped by id, with its languages.

A routine and its translations share one `id` and differ by `language:` (issue 13's
library rule); the catalogue reads the card files in the library folders (the user's
`cards/` first, then the built-in routines; for the same id and language the first folder
wins) and answers what `routinecard library` lists and `docs/library.md` shows: id,
title per language, languages, body regions, points. It reads the YAML only (no
validation, no fonts), so listing stays fast; a file that is not a card is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routinecard.errors import RoutineCardError
from routinecard.library import DEFAULT_LANGUAGE, card_files
from routinecard.loader import load_yaml_file
from routinecard.resources import data_dir


@dataclass(frozen=True)
class Version:
    """One language version of a routine: its file and what it says of itself."""

    language: str
    path: Path
    title: str
    point_names: tuple[str, ...]
    sources: tuple[str, ...]
    needs_review: bool


@dataclass(frozen=True)
class Routine:
    """A routine with all its language versions (original language first)."""

    id: str
    body_regions: tuple[str, ...]
    points: tuple[str, ...]
    versions: tuple[Version, ...]
    builtin: bool = field(default=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(version.language for version in self.versions)

    def version(self, language: str | None = None) -> Version:
        """The version in `language` (its base language matches too), else the original."""
        if language is not None:
            for version in self.versions:
                if version.language.split("-")[0].lower() == language.split("-")[0].lower():
                    return version
        return self.versions[0]

    def as_json(self) -> dict[str, Any]:
        """Plain data for `routinecard library --json`."""
        return {
            "id": self.id,
            "title": self.versions[0].title,
            "languages": list(self.languages),
            "body_regions": list(self.body_regions),
            "points": list(self.points),
            "builtin": self.builtin,
            "versions": [
                {
                    "language": v.language,
                    "title": v.title,
                    "file": str(v.path),
                    "point_names": list(v.point_names),
                    "sources": list(v.sources),
                    "needs_review": v.needs_review,
                }
                for v in self.versions
            ],
        }


def default_folders() -> list[Path]:
    """The user's `cards/` (in the working folder), then the built-in routines: the
    folders the library looks ids up in, so what is listed is what builds by id."""
    from routinecard.library import library_folders

    return library_folders()


def _texts(value: object) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _read(path: Path) -> tuple[str, Version, tuple[str, ...], tuple[str, ...]] | None:
    """(id, version, body regions, point ids) of a card file; None if it is not a card."""
    try:
        data = load_yaml_file(path).data
    except RoutineCardError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("points"), list):
        return None
    language = data.get("language", DEFAULT_LANGUAGE)
    points = [p for p in data["points"] if isinstance(p, dict)]
    version = Version(
        language=language if isinstance(language, str) else DEFAULT_LANGUAGE,
        path=path,
        title=str(data.get("title", "")),
        point_names=tuple(str(p.get("name", p.get("id", ""))) for p in points),
        sources=_texts(data.get("sources")),
        needs_review=data.get("needs_review") is True,
    )
    point_ids = tuple(str(p.get("id", "")) for p in points)
    return data["id"], version, _texts(data.get("body_regions")), point_ids


def catalogue(folders: list[Path] | None = None) -> list[Routine]:
    """Every routine in `folders` (default: `default_folders()`), sorted by id; each
    routine's versions with English (the original) first, then by language."""
    folders = default_folders() if folders is None else folders
    builtin_folder = _builtin_folder()
    found: dict[str, dict[str, tuple[Version, tuple[str, ...], tuple[str, ...], bool]]] = {}
    for folder in folders:
        for file in card_files(folder):
            read = _read(file)
            if read is None:
                continue
            card_id, version, regions, point_ids = read
            versions = found.setdefault(card_id, {})
            if version.language not in versions:
                versions[version.language] = (version, regions, point_ids, folder.resolve() == builtin_folder)
    routines = []
    for card_id in sorted(found):
        by_language = found[card_id]
        order = sorted(by_language, key=lambda code: (code != DEFAULT_LANGUAGE, code))
        first = by_language[order[0]]
        routines.append(
            Routine(
                id=card_id,
                body_regions=first[1],
                points=first[2],
                versions=tuple(by_language[code][0] for code in order),
                builtin=all(by_language[code][3] for code in order),
            )
        )
    return routines


def _builtin_folder() -> Path | None:
    try:
        return data_dir("cards").resolve()
    except FileNotFoundError:
        return None
