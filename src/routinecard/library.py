"""The routine library: card files that can be named by id, indexed by (id, language).

A routine and its translations are ONE routine: they share the card `id` and differ by
`language:`, each in its own file (by convention `cards/<id>.yaml` for the original and
`cards/<id>.<lang>.yaml` for a translation; the file name is not what counts, the id and
language inside are). Ids are looked up in `cards/` beside or above a patient file,
`cards/` in the working folder, then the built-in cards; for the same (id, language) the
earlier folder wins, so a clinic's own `cards/` can replace a built-in routine.

The language rule (see `choose_version`): labels and content are always one language, the
routine's own. A language that was asked for (`--lang`, `build_pdf(language=)`, a patient
file's `language:`) picks the routine's version in that language or is an error that lists
the languages the routine has. A clinic's `language:` is a preference: it picks a
translation when there is one and otherwise the routine prints in its own language, with
a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from routinecard.resources import data_dir, looks_like_path

DEFAULT_LANGUAGE = "en"
"""The language of a card that does not say; its PDF has no language in its file name."""


@dataclass(frozen=True)
class Entry:
    """One language version of a routine in the library."""

    id: str
    language: str
    path: Path
    title: str


def library_folders(near: Path | None = None) -> list[Path]:
    """Where card ids are looked up: `cards/` beside or above `near` (a patient or card
    file), `cards/` in the working folder, then the built-in cards. Never the patient
    file's own folder: patient files are not cards."""
    folders: list[Path] = []
    if near is not None:
        here = near.resolve().parent
        folders += [here / "cards", here.parent / "cards"]
        if here.name == "cards":
            folders.append(here)
    folders.append(Path.cwd() / "cards")
    try:
        folders.append(data_dir("cards"))
    except FileNotFoundError:
        pass
    unique: list[Path] = []
    for folder in folders:
        resolved = folder.resolve()
        if resolved.is_dir() and resolved not in unique:
            unique.append(resolved)
    return unique


@lru_cache(maxsize=512)
def _read_entry(path: Path, mtime_ns: int, size: int) -> Entry | None:
    """The id, language and title of a card file (None for anything that is not a card)."""
    from routinecard.errors import InputError
    from routinecard.loader import load_yaml_file

    try:
        data = load_yaml_file(path).data
    except InputError:
        return None
    if not isinstance(data, dict) or "points" not in data:
        return None
    card_id, language, title = data.get("id"), data.get("language", DEFAULT_LANGUAGE), data.get("title", "")
    if not isinstance(card_id, str) or not isinstance(language, str):
        return None
    return Entry(card_id, language, path, title if isinstance(title, str) else "")


def read_entry(path: Path) -> Entry | None:
    """A card file's library entry, re-read only when the file changes."""
    try:
        info = path.stat()
    except OSError:
        return None
    return _read_entry(path.resolve(), info.st_mtime_ns, info.st_size)


def card_files(folder: Path) -> list[Path]:
    """The YAML files directly in a library folder, sorted (none if it cannot be read)."""
    try:
        return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    except OSError:
        return []


def entries(folders: list[Path]) -> list[Entry]:
    """Every routine version in these folders; for the same (id, language) the first
    folder wins. Sorted by id, then language."""
    found: dict[tuple[str, str], Entry] = {}
    for folder in folders:
        for file in card_files(folder):
            entry = read_entry(file)
            if entry is not None:
                found.setdefault((entry.id, entry.language), entry)
    return sorted(found.values(), key=lambda e: (e.id, e.language))


def known_ids(near: Path | None = None) -> list[str]:
    """Every routine id the library knows."""
    return sorted({entry.id for entry in entries(library_folders(near))})


def versions(card_id: str, folders: list[Path]) -> list[Entry]:
    """Every language version of one routine."""
    return [entry for entry in entries(folders) if entry.id == card_id]


def same_language(a: str, b: str) -> bool:
    """'es' and 'ES' are the same; 'es' also matches 'es-MX' (a regional variant)."""
    a, b = a.lower(), b.lower()
    return a == b or a.split("-")[0] == b.split("-")[0] and ("-" not in a or "-" not in b)


def version(card_id: str, language: str, folders: list[Path]) -> Entry | None:
    """The routine's version in `language`: an exact match first, then a regional one."""
    candidates = versions(card_id, folders)
    for entry in candidates:
        if entry.language.lower() == language.lower():
            return entry
    for entry in candidates:
        if same_language(entry.language, language):
            return entry
    return None


def original(card_id: str, folders: list[Path]) -> Entry | None:
    """The version a bare id names: the file called `<id>.yaml` in the first folder that
    has one, else the English version, else the first by language."""
    candidates = versions(card_id, folders)
    if not candidates:
        return None
    for folder in folders:
        for entry in candidates:
            if entry.path.parent == folder and entry.path.stem == card_id:
                return entry
    for entry in candidates:
        if same_language(entry.language, DEFAULT_LANGUAGE):
            return entry
    return candidates[0]


@dataclass(frozen=True)
class Found:
    """A card reference resolved: the file, and the language it chose, if it chose one
    (a path names one language version; a bare id does not)."""

    path: Path
    language: str | None


def find(reference: str, near: Path | None = None, language: str | None = None) -> Found | None:
    """A card by path (relative to `near`'s folder) or by id in the library.

    An id names the routine; `language` (if given) picks its version, else the original.
    For compatibility, `<id>-<lang>` (e.g. `sciatica-trigger-points-es`, the old id of the
    Spanish card) names that language's version when no routine has that id itself.
    """
    if looks_like_path(reference):
        base = near.resolve().parent if near else Path.cwd()
        path = (base / reference).resolve()
        if not path.is_file():
            return None
        entry = read_entry(path)
        return Found(path, entry.language if entry else None)
    folders = library_folders(near)
    if versions(reference, folders):
        entry = version(reference, language, folders) if language else original(reference, folders)
        if entry is None:
            return None
        return Found(entry.path, entry.language if language else None)
    stem, dash, suffix = reference.rpartition("-")
    if dash and stem and 2 <= len(suffix) <= 3:
        alias = version(stem, suffix, folders)
        if alias is not None:
            return Found(alias.path, alias.language)
    return None


def languages_text(card_id: str, folders: list[Path]) -> str:
    """'en, es' for a message."""
    return ", ".join(entry.language for entry in versions(card_id, folders)) or "none"


@dataclass(frozen=True)
class Choice:
    """Which version of a routine prints, and a notice when a preference could not be met."""

    path: Path | None  # the version's file, or None: keep the card as given
    notice: str | None = None
    error: str | None = None


def choose_version(
    card_id: str,
    own_language: str,
    *,
    requested: str | None,
    preferred: str | None,
    folders: list[Path],
    own_file: Path | None = None,
) -> Choice:
    """The language rule. `requested` must be met or it is an error (listing the
    languages the routine has); `preferred` (a clinic's) is met when a version exists,
    else the routine keeps its own language and the notice says so."""
    # The card's own language needs no look-up: the library is scanned only when another
    # version is asked for (scanning per card made a large library quadratic).
    if requested is not None and same_language(requested, own_language):
        return Choice(None)
    if requested is None and (preferred is None or same_language(preferred, own_language)):
        return Choice(None)
    search = list(folders)
    if own_file is not None and own_file.resolve().parent not in search:
        search.insert(0, own_file.resolve().parent)

    def have() -> str:
        return ", ".join(sorted({own_language, *(entry.language for entry in versions(card_id, search))}))

    if requested is not None:
        entry = version(card_id, requested, search)
        if entry is None:
            return Choice(None, error=f"the routine {card_id!r} has no {requested!r} version; its languages: {have()}")
        return Choice(entry.path)
    assert preferred is not None
    entry = version(card_id, preferred, search)
    if entry is None:
        return Choice(
            None,
            notice=f"the clinic prefers {preferred!r}, but the routine {card_id!r} has no {preferred!r} version; "
            f"printed in {own_language!r} (its languages: {have()})",
        )
    return Choice(entry.path)


def output_stem(stem: str, language: str) -> str:
    """`<stem>` for English, `<stem>.<lang>` for any other language: two language versions
    of one routine (same id) never write the same PDF."""
    return stem if same_language(language, DEFAULT_LANGUAGE) and "-" not in language else f"{stem}.{language}"


__all__ = [
    "DEFAULT_LANGUAGE",
    "Choice",
    "Entry",
    "Found",
    "choose_version",
    "entries",
    "find",
    "known_ids",
    "languages_text",
    "library_folders",
    "looks_like_path",
    "original",
    "output_stem",
    "read_entry",
    "same_language",
    "version",
    "versions",
]
