"""Domain errors. Every problem carries where it is, so the CLI can print
`file:line:col: field.path: message` without knowing how it was found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we know."""

    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None  # dotted path, e.g. "points[0].timing.hold_s"
    # A card that does not fit: the built-in layouts with more room (possibly none), so a
    # front end can add its own advice (the CLI names its options). None otherwise.
    roomier: tuple[str, ...] | None = None
    # ... how many one-page cards it prints as when split (None: it cannot, or already
    # splits), and how many points it has (keeping fewer only helps with more than one).
    set_of: int | None = None
    points: int = 0

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return one_line(": ".join(parts))


_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)} | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"} | {
    code: f"\\u{code:04x}" for code in (0x85, 0x2028, 0x2029)}


def one_line(text: str) -> str:
    """A message stays one line: line breaks and control characters (from a file name or a
    quoted value) are shown as escapes."""
    return text.translate(_CONTROLS)


class RoutineCardError(Exception):
    """Base of every error routinecard raises on purpose. Holds one or more problems."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(RoutineCardError):
    """The user's files are wrong: syntax, schema, values, missing characters."""


class OutputError(RoutineCardError):
    """An output cannot be written: the folder is read-only or full, the path is a folder,
    a device or an input file. Exit code 1, like bad input: the user must fix something."""


class FitError(RoutineCardError):
    """The content does not fit on one page even at the layout's smallest sizes.

    `overflow` is by how much, in points (0 when not measured); `roomier` names built-in
    layouts with more room. The message names no command-line options: front ends add
    their own advice (the CLI says which options would help)."""

    def __init__(self, problems: list[Problem] | Problem | str, *, overflow: float = 0.0,
                 roomier: tuple[str, ...] = ()) -> None:
        super().__init__(problems)
        self.overflow = overflow
        self.roomier = roomier  # built-in layouts with more room, for a front end's advice


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


T = TypeVar("T")


def attempt(work: Callable[[], T]) -> T | list[Problem]:
    """One item of a batch: its result, or the problems that stopped it, so that the
    other items go on. Front ends print the problems; this is the only place below the
    CLI's error boundary that catches `RoutineCardError`."""
    try:
        return work()
    except RoutineCardError as error:
        return error.problems
