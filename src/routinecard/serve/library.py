"""What the web app may show and touch: the routines, clinics and patient files.

Every file a request can reach is found here, by a plain name picked from a listing of
one of three folders (the user's `cards/` plus the built-in cards, `clinics/`,
`patients/`). A name is never joined onto a path before it has been checked against the
listing, and every path is resolved and must stay inside its folder (no `..`, no
symlink out): this module is the web app's whole answer to path confinement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from routinecard.errors import Problem, RoutineCardError
from routinecard.resources import data_dir

FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$")
ROUTINE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

class NotInLibrary(RoutineCardError):
    """A request named a file that is not in the library's folders."""


@dataclass(frozen=True)
class PointInfo:
    """One point of a routine as the form shows it."""

    id: str
    name: str
    amount_field: str  # hold_s, roll_min, rolls...: the one amount the card gives
    amount: tuple[int, int]
    repeats: tuple[int, int] | None
    often_field: str  # per_day, per_week or every_other_day
    often: tuple[int, int] | None
    side: str


@dataclass(frozen=True)
class Translation:
    """One language version of a routine."""

    language: str
    card_id: str
    title: str
    summary: str
    file: Path
    builtin: bool
    points: tuple[PointInfo, ...]
    urgent: tuple[str, ...]
    soon: tuple[str, ...]


@dataclass
class Routine:
    """A routine and its language versions (they share one id and differ by `language:`)."""

    id: str
    regions: tuple[str, ...]
    translations: dict[str, Translation] = field(default_factory=dict)

    @property
    def region(self) -> str:
        return ", ".join(self.regions) or "not given"

    @property
    def languages(self) -> list[str]:
        return sorted(self.translations, key=lambda code: (code != "en", code))

    def translation(self, language: str) -> Translation:
        """The routine in `language`; never another language's text (no mixing)."""
        found = self.translations.get(language)
        if found is None:
            raise NotInLibrary(Problem(
                f"{self.id!r} has no {language!r} version; its languages are: {', '.join(self.languages)}",
                field="language",
            ))
        return found

    @property
    def main(self) -> Translation:
        return self.translations[self.languages[0]]


@dataclass(frozen=True)
class Broken:
    """A card file in the user's folder that does not load: listed with its problems."""

    file: Path
    problems: tuple[Problem, ...]


def inside(folder: Path, name: str) -> Path:
    """`folder/name` if `name` is a plain file name whose real path stays inside `folder`."""
    if not FILE_NAME.match(name):
        raise NotInLibrary(Problem(f"{name!r} is not a file name in the library"))
    root = folder.resolve()
    path = (root / name).resolve()
    if path.parent != root:
        raise NotInLibrary(Problem(f"{name!r} is not in the library"))
    return path


class Library:
    """The folders one `routinecard serve` works on. Re-scanned when a folder changes."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.cards = self.root / "cards"
        self.clinics = self.root / "clinics"
        self.patients = self.root / "patients"
        self._stamp: tuple[tuple[str, float], ...] = ()
        self._routines: dict[str, Routine] = {}
        self._broken: list[Broken] = []

    # -- routines -----------------------------------------------------------------------
    def folders(self) -> list[Path]:
        """The user's cards/ first, then the built-in cards (the card library's order)."""
        folders = [self.cards] if self.cards.is_dir() else []
        try:
            builtin = data_dir("cards").resolve()
        except FileNotFoundError:
            return folders
        return folders + ([builtin] if builtin != self.cards else [])

    def _refresh(self) -> None:
        """Re-read the routines when a card file was added, removed or changed."""
        from routinecard.catalogue import catalogue
        from routinecard.serve.engine import read_card

        folders = self.folders()
        files = sorted(p for folder in folders for p in folder.glob("*.y*ml") if inside_ok(folder, p))
        stamp = tuple((str(p), p.stat().st_mtime) for p in files)
        if stamp == self._stamp:
            return
        routines: dict[str, Routine] = {}
        listed: set[Path] = set()
        for entry in catalogue(folders):
            routine = Routine(entry.id, tuple(entry.body_regions))
            for version in entry.versions:
                listed.add(version.path.resolve())
                card, _ = read_card(version.path)
                if card is None or not inside_ok(version.path.parent, version.path):
                    continue
                routine.translations[card.language] = Translation(
                    language=card.language,
                    card_id=card.id,
                    title=card.title,
                    summary=card.summary,
                    file=version.path,
                    builtin=not version.path.resolve().is_relative_to(self.cards),
                    points=tuple(
                        PointInfo(p.id, p.name, p.timing.amount[0], _pair(p.timing.amount[1]),
                                  _pair(p.timing.repeats) if p.timing.repeats is not None else None,
                                  p.timing.frequency[0],
                                  _pair(p.timing.frequency[1]) if p.timing.frequency[1] is not None else None, p.side)
                        for p in card.points
                    ),
                    urgent=tuple(card.medical_attention.urgent.items),
                    soon=tuple(card.medical_attention.soon.items),
                )
            if routine.translations:
                routines[routine.id] = routine
        broken: list[Broken] = []
        for path in files:  # the user's cards that do not load are listed with their problems
            if path.resolve().is_relative_to(self.cards):
                card, problems = read_card(path)
                if card is None:
                    broken.append(Broken(path, tuple(problems)))
        self._routines = routines
        self._broken = broken
        self._stamp = stamp

    def routines(self) -> list[Routine]:
        self._refresh()
        return list(self._routines.values())

    def broken(self) -> list[Broken]:
        self._refresh()
        return list(self._broken)

    def routine(self, routine_id: str) -> Routine:
        self._refresh()
        found = self._routines.get(routine_id) if ROUTINE_ID.match(routine_id) else None
        if found is None:
            raise NotInLibrary(Problem(f"no routine {routine_id!r} in the library", field="routine"))
        return found

    def routine_for_card(self, card_id: str) -> tuple[Routine, str] | None:
        """The routine and language a patient file's `card:` id names."""
        self._refresh()
        for routine in self._routines.values():
            for language, translation in routine.translations.items():
                if translation.card_id == card_id:
                    return routine, language
        return None

    def regions(self) -> list[str]:
        return sorted({region for r in self.routines() for region in r.regions})

    def languages(self) -> list[str]:
        return sorted({code for r in self.routines() for code in r.translations}, key=lambda c: (c != "en", c))

    # -- clinics and patient files ---------------------------------------------------------
    def clinic_names(self) -> list[str]:
        return _listing(self.clinics)

    def clinic_titles(self) -> dict[str, str]:
        """clinics/ file name -> the clinic's name as printed (the file name if unreadable)."""
        from routinecard.errors import RoutineCardError
        from routinecard.loader import load_yaml_file

        titles: dict[str, str] = {}
        for name in self.clinic_names():
            try:
                data = load_yaml_file(inside(self.clinics, name)).data
            except RoutineCardError:
                data = None
            title = data.get("name") if isinstance(data, dict) else None
            titles[name] = f"{title} ({name})" if isinstance(title, str) else name
        return titles

    def clinic(self, name: str) -> Path:
        if name not in self.clinic_names():
            raise NotInLibrary(Problem(f"no clinic file {name!r} in clinics/", field="clinic"))
        return inside(self.clinics, name)

    def patient_names(self) -> list[str]:
        return _listing(self.patients)

    def patient(self, name: str, *, existing: bool = True) -> Path:
        """A patient file's path; `existing=False` for a file about to be written."""
        if existing and name not in self.patient_names():
            raise NotInLibrary(Problem(f"no patient file {name!r} in patients/", field="file_name"))
        path = inside(self.patients, name)
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise NotInLibrary(Problem(f"{name!r} is not a regular file", field="file_name"))
        return path


def _pair(value: tuple[int, int] | list[int] | int) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def inside_ok(folder: Path, path: Path) -> bool:
    """A listed file that is a regular file inside `folder` (symlinks out are skipped)."""
    try:
        inside(folder, path.name)
    except NotInLibrary:
        return False
    return path.is_file()


def _listing(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and inside_ok(folder, p))
