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
from routinecard.model import Card
from routinecard.resources import data_dir

FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$")
ROUTINE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Referral regions (anatomapa's names) grouped into the words a clinician filters by.
REGION_WORDS: dict[str, str] = {
    "head": "head and neck", "neck": "head and neck", "face": "head and neck",
    "shoulder": "shoulder and arm", "upper_arm": "shoulder and arm", "lower_arm": "shoulder and arm",
    "hand": "hand and wrist", "wrist": "hand and wrist", "chest": "chest",
    "upper_back": "back", "lower_back": "back", "abdomen": "abdomen",
    "buttocks": "hip and thigh", "hip": "hip and thigh", "thigh": "hip and thigh", "groin": "hip and thigh",
    "knee": "knee and leg", "lower_leg": "knee and leg", "calf": "knee and leg",
    "ankle": "foot and ankle", "foot": "foot and ankle",
    # atlas site ids (a point's `site:`, or its id when it names a muscle)
    "temporalis": "head and neck", "masseter": "head and neck", "suboccipitals": "head and neck",
    "upper-trapezius": "neck and shoulder", "levator-scapulae": "neck and shoulder",
    "sternocleidomastoid": "head and neck", "infraspinatus": "neck and shoulder", "rhomboids": "back",
    "pectoralis-major": "chest", "pectoralis-minor": "chest", "forearm-extensors": "hand and forearm",
    "forearm-flexors": "hand and forearm", "thenar": "hand and forearm", "erector-spinae": "back",
    "quadratus-lumborum": "back", "piriformis": "hip and thigh", "gluteus-maximus": "hip and thigh",
    "gluteus-medius": "hip and thigh", "gluteus-minimus": "hip and thigh", "tensor-fasciae-latae": "hip and thigh",
    "hamstrings": "hip and thigh", "quadriceps": "hip and thigh", "adductors": "hip and thigh",
    "iliotibial-band": "hip and thigh", "gastrocnemius": "knee and leg", "soleus": "knee and leg",
    "tibialis-anterior": "knee and leg", "peroneals": "knee and leg", "plantar-fascia": "foot and ankle",
    "arch": "foot and ankle", "heel": "foot and ankle",
}


class NotInLibrary(RoutineCardError):
    """A request named a file that is not in the library's folders."""


@dataclass(frozen=True)
class PointInfo:
    """One point of a routine as the form shows it."""

    id: str
    name: str
    hold_s: tuple[int, int]
    repeats: tuple[int, int]
    per_day: tuple[int, int]
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
    """A routine and its language versions (they share one id, or the English id plus
    `-<language>`)."""

    id: str
    region: str
    translations: dict[str, Translation] = field(default_factory=dict)

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


def region_of(card: Card) -> str:
    """The body region a clinician filters by: the card's own `region` if it has one,
    else the most common region of its points' atlas sites, ids or referral regions."""
    own = getattr(card, "region", None) or getattr(card, "body_region", None)
    if isinstance(own, str) and own:
        return own.replace("_", " ").replace("-", " ")
    counts: dict[str, int] = {}
    for point in card.points:
        names = [getattr(point, "site", None), point.id] + (list(point.referral.regions) if point.referral else [])
        for name in names:
            if isinstance(name, str) and name in REGION_WORDS:
                counts[REGION_WORDS[name]] = counts.get(REGION_WORDS[name], 0) + 1
                break
    return max(counts, key=lambda word: counts[word]) if counts else "other"


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
    def _card_files(self) -> list[tuple[Path, bool]]:
        """Built-in cards first, then the user's: a user's card replaces a built-in one."""
        files: list[tuple[Path, bool]] = []
        try:
            builtin = data_dir("cards")
        except FileNotFoundError:
            builtin = None
        if builtin is not None and builtin.resolve() != self.cards.resolve():
            files += [(p, True) for p in sorted(builtin.glob("*.yaml"))]
        if self.cards.is_dir():
            files += [(p, False) for p in sorted(self.cards.glob("*.yaml")) if inside_ok(self.cards, p)]
        return files

    def _refresh(self) -> None:
        files = self._card_files()
        stamp = tuple((str(p), p.stat().st_mtime) for p, _ in files)
        if stamp == self._stamp:
            return
        from routinecard.serve.engine import read_card

        routines: dict[str, Routine] = {}
        broken: list[Broken] = []
        for path, builtin in files:
            card, problems = read_card(path)
            if card is None:
                if not builtin:
                    broken.append(Broken(path, tuple(problems)))
                continue
            suffix = f"-{card.language}"
            group = card.id[: -len(suffix)] if card.language != "en" and card.id.endswith(suffix) else card.id
            routine = routines.setdefault(group, Routine(group, region_of(card)))
            routine.translations[card.language] = Translation(
                language=card.language,
                card_id=card.id,
                title=card.title,
                summary=card.summary,
                file=path,
                builtin=builtin,
                points=tuple(
                    PointInfo(p.id, p.name, tuple(p.timing.hold_s), tuple(p.timing.repeats),  # type: ignore[arg-type]
                              tuple(p.timing.per_day), p.side)  # type: ignore[arg-type]
                    for p in card.points
                ),
                urgent=tuple(card.medical_attention.urgent.items),
                soon=tuple(card.medical_attention.soon.items),
            )
        self._routines = dict(sorted(routines.items()))
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
        return sorted({r.region for r in self.routines()})

    def languages(self) -> list[str]:
        return sorted({code for r in self.routines() for code in r.translations}, key=lambda c: (c != "en", c))

    # -- clinics and patient files ---------------------------------------------------------
    def clinic_names(self) -> list[str]:
        return _listing(self.clinics)

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
