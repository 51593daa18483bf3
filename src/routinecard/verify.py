"""--verify: read the written PDF back and check that every word that belongs on the
card is in its text. The last line of defence for rule 2 (nothing lost): whatever the
layout code does, a card whose PDF lacks a sentence of its input is not handed out.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Iterator

from routinecard.errors import Problem, RoutineCardError
from routinecard.locale import Locale
from routinecard.model import EMERGENCY, Card

# Values that are data, not words: they are printed as something else (a pose is a picture) or not at all.
NOT_PRINTED = {"id", "tool", "language", "country", "view", "side", "site", "icon", "logo", "photo", "needs_review",
               "pose",
               "emergency_number", "body_regions"}


class VerificationError(RoutineCardError):
    """The PDF does not contain text that belongs on the card."""


def normalise(text: str) -> str:
    """Compatibility-normalised text without white space: line breaks, wrapping and
    look-alike code points (NBSP, OHM SIGN) must not decide whether a sentence is found."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def expected_strings(card: Card, locale: Locale, *, emergency: str, tool_names: dict[str, str],
                     extra: dict[str, str | None]) -> Iterator[tuple[str, str]]:
    """(field, text) for every string the card must show."""
    from routinecard.loader import format_path, walk_strings

    data = card.model_dump(exclude={"tools"})
    for path, text in walk_strings(data):
        if any(part in NOT_PRINTED for part in path if isinstance(part, str)):
            continue
        yield format_path(path), text.replace(EMERGENCY, emergency)
    for index, point in enumerate(card.points):
        yield f"points[{index}].tool", tool_names.get(point.tool, point.tool)
    for field, value in extra.items():
        if value:
            yield field, value


# PDFium is not thread-safe: every call into it, from any thread, goes through this lock.
PDFIUM_LOCK = threading.Lock()


def pdf_text(pdf: bytes) -> str:
    """All text of all pages, as PDFium extracts it."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        finally:
            document.close()


def verify_pdf(pdf: bytes, expected: Iterator[tuple[str, str]], *, card_name: str) -> None:
    text = normalise(pdf_text(pdf))
    problems = []
    for field, value in expected:
        if normalise(value) not in text:
            shown = value if len(value) <= 60 else value[:57] + "..."
            problems.append(Problem(f"verify: the PDF does not show {shown!r}", file=card_name, field=field))
    if problems:
        raise VerificationError(problems)
