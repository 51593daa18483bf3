"""Shared test helpers: build cards, read PDFs back (text, fonts, size), run the CLI."""

from __future__ import annotations

import ctypes
import io
import os
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import yaml
from hypothesis import settings

# Property tests run the same examples on every run (CI must not pass or fail by chance).
# To search wider by hand: HYPOTHESIS_RANDOM=1 .venv/bin/python -m pytest -k <test>.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("search", derandomize=False)
settings.load_profile("search" if os.environ.get("HYPOTHESIS_RANDOM") else "repeatable")

# Every build in the tests reads its PDF back and checks that no word was lost.
os.environ.setdefault("ROUTINECARD_VERIFY", "1")

ROOT = Path(__file__).resolve().parent.parent
CARDS = ROOT / "cards"
SCIATICA = CARDS / "sciatica-trigger-points.yaml"


def pdf_document(pdf: bytes | Path) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))


def page_text(pdf: bytes | Path) -> str:
    """All text of all pages, as pdfium extracts it."""
    doc = pdf_document(pdf)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def squash(text: str) -> str:
    """Text without any white space: line wrapping must not decide whether a sentence is found."""
    return re.sub(r"\s+", "", text)


def page_count(pdf: bytes | Path) -> int:
    return len(pdf_document(pdf))


def page_size(pdf: bytes | Path, index: int = 0) -> tuple[float, float]:
    return tuple(round(v, 1) for v in pdf_document(pdf)[index].get_size())  # type: ignore[return-value]


def fonts_used(pdf: bytes | Path) -> dict[str, bool]:
    """Base font name -> embedded?, for every text object on every page."""
    doc = pdf_document(pdf)
    found: dict[str, bool] = {}
    for index in range(len(doc)):
        for obj in doc[index].get_objects():
            if obj.type != pdfium_raw.FPDF_PAGEOBJ_TEXT:
                continue
            font = pdfium_raw.FPDFTextObj_GetFont(obj.raw)
            length = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(length)
            pdfium_raw.FPDFFont_GetBaseFontName(font, buffer, length)
            found[buffer.value.decode()] = bool(pdfium_raw.FPDFFont_GetIsEmbedded(font))
    return found


def declared_fonts(pdf: bytes) -> list[bytes]:
    """Every /BaseFont the file declares, used or not (font dictionaries may sit in a
    compressed object stream, so the file is read with pikepdf, not searched as bytes)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [str(obj.BaseFont).lstrip("/").encode() for obj in document.objects
                if isinstance(obj, pikepdf.Dictionary) and "/BaseFont" in obj]


def render(pdf: bytes | Path, dpi: int = 72, index: int = 0):
    return pdf_document(pdf)[index].render(scale=dpi / 72).to_pil().convert("RGB")


def card_data() -> dict[str, Any]:
    return yaml.safe_load(SCIATICA.read_text(encoding="utf-8"))


class _NoAliases(yaml.SafeDumper):
    """Our loader refuses anchors, so test files must never contain them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_card(folder: Path, data: dict[str, Any], name: str = "card.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def printed(data: dict[str, Any], text: str) -> str:
    """A card string as it is printed without a clinic: {emergency} and
    {emergency_department} become the card's (or its country's, or neutral) words."""
    if "{emergency" not in text:
        return text
    from routinecard import validate_card
    from routinecard.emergency import wording
    from routinecard.locale import load_locale

    return wording(validate_card(data), None, load_locale(data.get("language", "en"))).fill(text)


def all_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in all_strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in all_strings(v)]
    return []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerate",
        action="store_true",
        help="write the golden images anew (tests/golden/) instead of comparing; look at them before committing",
    )


@pytest.fixture
def regenerate(request: pytest.FixtureRequest) -> bool:
    """--regenerate, or ROUTINECARD_REGENERATE=1 in the environment."""
    return bool(request.config.getoption("--regenerate")) or os.environ.get("ROUTINECARD_REGENERATE") == "1"


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()


@pytest.fixture(scope="session")
def sciatica_pdf() -> bytes:
    from routinecard import build_pdf

    return build_pdf(SCIATICA)


@pytest.fixture(scope="session")
def sciatica_a4_pdf() -> bytes:
    from routinecard import build_pdf

    return build_pdf(SCIATICA, layout="a4")
