"""docs/library.md: the routine library as a page, with a thumbnail of every card.

One command (`routinecard library --docs docs`) builds every routine in every language on
the default layout, renders a small PNG of each card and writes a Markdown page that shows
them with their id, languages, body regions, points and sources. The PNGs are palette
images at a low resolution, so the whole library stays small in the repository; the same
cards give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from routinecard.catalogue import Routine

THUMBNAIL_DPI = 40
THUMBNAIL_COLOURS = 64


@dataclass(frozen=True)
class DocsFile:
    """A file of the generated docs: its path relative to the docs folder, and its bytes."""

    name: str
    data: bytes


def thumbnail(pdf: bytes, dpi: int = THUMBNAIL_DPI) -> bytes:
    """The card's page as a small palette PNG."""
    import pypdfium2 as pdfium

    from routinecard.verify import PDFIUM_LOCK

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            image = document[0].render(scale=dpi / 72).to_pil()
        finally:
            document.close()
    from PIL import Image

    small = image.convert("RGB").quantize(THUMBNAIL_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def thumbnail_name(routine_id: str, language: str) -> str:
    return f"library/{routine_id}.{language}.png"


def library_page(routines: list[Routine]) -> str:
    """The Markdown page: a summary table, then one section per routine with its cards."""
    lines = [
        "# The routine library",
        "",
        "Every routine that ships with routinecard, in every language it has. Build one by id:",
        "`routinecard build neck-shoulder` (add `--lang es` for Spanish), or from Python",
        '`routinecard.build_pdf("neck-shoulder")`. `routinecard library` lists them (`--json` for tools).',
        "",
        "This page is generated: `routinecard library --docs docs` (do not edit it by hand).",
        "Cards marked *needs clinical review* print a notice until a clinician has checked them.",
        "",
        "| id | title | languages | body regions | points |",
        "|---|---|---|---|---|",
    ]
    for routine in routines:
        original = routine.versions[0]
        lines.append(
            f"| [`{routine.id}`](#{routine.id}) | {_cell(original.title)} | {', '.join(routine.languages)} | "
            f"{', '.join(routine.body_regions) or '-'} | {len(routine.points)} |"
        )
    for routine in routines:
        original = routine.versions[0]
        lines += ["", f"## {routine.id}", "", f"**{_cell(original.title)}**", ""]
        lines.append(f"- Languages: {', '.join(_language_note(v.language, v.needs_review) for v in routine.versions)}")
        lines.append(f"- Body regions: {', '.join(routine.body_regions) or '-'}")
        lines.append(f"- Points: {', '.join(f'{name} (`{pid}`)' for name, pid in zip(original.point_names, routine.points))}")
        lines.append("- Sources printed on the card:")
        lines += [f"  - {_cell(source)}" for source in original.sources]
        lines.append("")
        lines.append(" ".join(
            f"[![{_cell(v.title)} ({v.language})]({thumbnail_name(routine.id, v.language)})]({thumbnail_name(routine.id, v.language)})"
            for v in routine.versions
        ))
    return "\n".join(lines) + "\n"


def _language_note(language: str, needs_review: bool) -> str:
    return f"{language} (needs clinical review)" if needs_review else language


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or link label."""
    return " ".join(text.replace("|", "\\|").replace("[", "(").replace("]", ")").split())


def library_docs(routines: list[Routine], *, layout: str = "letter") -> list[DocsFile]:
    """Build every version of every routine and return the page and its thumbnails."""
    from routinecard.api import build_pdf

    files = []
    for routine in routines:
        for version in routine.versions:
            pdf = build_pdf(version.path, layout=layout)
            files.append(DocsFile(thumbnail_name(routine.id, version.language), thumbnail(pdf)))
    files.append(DocsFile("library.md", library_page(routines).encode("utf-8")))
    return files
