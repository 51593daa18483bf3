"""The web app's only door into routinecard's pipeline.

A preview, a download and a stack all go through the same prepare -> compose -> fit ->
render path as `routinecard build`: the form becomes a patient file's text, and that
text is loaded exactly as if it were saved in `patients/` (`load_input((document, path))`).
Nothing here draws, fits or validates on its own.

Everything in this module is a plain function of picklable values, so it runs in the
worker processes of `pool.py`; errors come back as data (`Outcome.problems`), never as
exceptions across the process boundary.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from routinecard.errors import FitError, Problem, RoutineCardError, display_path
from routinecard.model import Card

Kind = Literal["png", "pdf"]


@dataclass(frozen=True)
class DraftJob:
    """Build the card an (unsaved) patient file describes."""

    patient_yaml: str
    path: str  # where the file is (or would be) saved: relative names resolve from here
    want: Kind = "png"
    dpi: int = 60


@dataclass(frozen=True)
class StackJob:
    """Several routines x copies in one layout, as one PDF to print."""

    cards: tuple[str, ...]  # card files
    layout: str
    copies: int


@dataclass(frozen=True)
class Outcome:
    """What a job made, or why it could not."""

    data: bytes = b""
    fit_percent: int | None = None
    layout: str = ""
    problems: tuple[Problem, ...] = ()
    draft_file: str = ""  # how the draft's own problems name their file
    fit_failed: bool = False
    superseded: bool = False
    busy: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.data) and not self.problems


@dataclass(frozen=True)
class StackOutcome:
    data: bytes = b""
    problems: tuple[Problem, ...] = ()
    pages: int = 0


def warm_up() -> None:
    """Imports, fonts and the body maps, once per worker process."""
    import routinecard.api  # noqa: F401
    from routinecard.fonts import font_set

    font_set()


def read_card(path: Path) -> tuple[Card | None, list[Problem]]:
    """A card file for the library listing: the validated card, or its problems."""
    from routinecard.api import load_card

    try:
        return load_card(path), []
    except RoutineCardError as error:
        return None, list(error.problems)


def png_of(pdf: bytes, dpi: int, page: int = 0) -> bytes:
    import pypdfium2 as pdfium  # type: ignore[import-untyped,unused-ignore]

    from routinecard.verify import PDFIUM_LOCK

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            image = document[page].render(scale=dpi / 72).to_pil()
        finally:
            document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def build_draft(job: DraftJob) -> Outcome:
    """The patient file's card as PNG or PDF bytes, or the problems the CLI would print."""
    from routinecard.api import build_prepared, verify_default
    from routinecard.loader import load_yaml_bytes
    from routinecard.prepare import load_input, prepare

    path = Path(job.path)
    shown = display_path(path)
    try:
        document = load_yaml_bytes(job.patient_yaml.encode("utf-8"), shown)
        loaded = load_input((document, path))
        built = build_prepared(prepare(loaded), verify=verify_default())
    except FitError as error:
        return Outcome(problems=tuple(error.problems), draft_file=shown, fit_failed=True)
    except RoutineCardError as error:
        return Outcome(problems=tuple(error.problems), draft_file=shown)
    data = built.pdf if job.want == "pdf" else png_of(built.pdf, job.dpi)
    return Outcome(data=data, fit_percent=built.plan.fit_percent, layout=built.layout.name, draft_file=shown)


def thumbnail(card_file: str, dpi: int = 24) -> bytes:
    """A small picture of a routine's card for the library page (empty if it cannot build)."""
    from routinecard.api import build_prepared
    from routinecard.prepare import prepare

    try:
        built = build_prepared(prepare(Path(card_file)))
    except RoutineCardError:
        return b""
    return png_of(built.pdf, dpi)


def build_stack(job: StackJob) -> StackOutcome:
    """Every chosen routine, `copies` times, in one PDF (each card still one whole page)."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped,unused-ignore]

    from routinecard.api import build_prepared, verify_default
    from routinecard.prepare import prepare
    from routinecard.verify import PDFIUM_LOCK

    pdfs: list[bytes] = []
    problems: list[Problem] = []
    for card_file in job.cards:
        try:
            pdfs.append(build_prepared(prepare(Path(card_file), layout=job.layout), verify=verify_default()).pdf)
        except RoutineCardError as error:
            problems += error.problems
    if problems:
        return StackOutcome(problems=tuple(problems))
    with PDFIUM_LOCK:
        stack = pdfium.PdfDocument.new()
        sources = [pdfium.PdfDocument(pdf) for pdf in pdfs]
        try:
            for _ in range(job.copies):
                for source in sources:
                    stack.import_pages(source)
            pages = len(stack)
            buffer = io.BytesIO()
            stack.save(buffer)
        finally:
            for source in sources:
                source.close()
            stack.close()
    return StackOutcome(data=buffer.getvalue(), pages=pages)
