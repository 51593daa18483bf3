"""Render: a fitted page plan -> PDF bytes. The only module that drives reportlab's canvas.

Invariant mode makes the bytes depend only on the inputs (reportlab honours
SOURCE_DATE_EPOCH for the dates). The canvas starts in our embedded font, so reportlab
never adds an unembedded Helvetica to the file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame

from routinecard import __version__, tagging
from routinecard.fit import PagePlan
from routinecard.errors import FitError, Problem
from routinecard.layouts import Layout, paper
from routinecard.structure import DocumentInfo, tag_pdf


# Streams are written as binary (Flate only), not ASCII85 on top: ASCII85 adds a quarter
# to every stream for no reader's benefit. reportlab reads this setting when it writes a
# stream, so it is set once here, before any canvas of ours exists.
rl_config.useA85 = 0


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    language: str


def render_pdf(plans: Sequence[PagePlan], layout: Layout, metadata: Metadata) -> bytes:
    """One page per card (a set has several); on a sheet layout (pocket cards), one card per
    place on the sheet: a single card is printed on every place, a set in order."""
    buffer = io.BytesIO()
    page_width, page_height = layout.page.size_pt()
    sheet = layout.page.sheet
    sheet_size = paper(sheet.size, sheet.orientation) if sheet else (page_width, page_height)
    # Start in our embedded font (types-reportlab types initialFontName as a number).
    start_font: dict[str, Any] = {"initialFontName": "Atkinson", "initialFontSize": 10}
    canvas = Canvas(
        buffer,
        pagesize=sheet_size,
        invariant=1,
        pageCompression=1,
        lang=metadata.language,
        **start_font,
    )
    canvas.setTitle(metadata.title)
    canvas.setAuthor(metadata.author)
    canvas.setSubject(metadata.subject)
    canvas.setCreator(f"routinecard {__version__}")
    canvas.setProducer(f"routinecard {__version__} (reportlab)")
    tags = tagging.TagRecorder(metadata.language)
    tagging.attach(canvas, tags)
    if sheet is None:
        for plan in plans:
            tags.new_page(canvas)
            _draw_card(canvas, plan, layout)
            tags.end_page(canvas)
            canvas.showPage()
    else:
        offset_y = (sheet_size[1] - page_height) / 2
        places: list[tuple[PagePlan, bool]]  # (card, a repeated copy?)
        if len(plans) == 1:
            # The same card on every place; the copies after the first are artifacts, so a
            # screen reader reads the card once.
            places = [(plans[0], copy > 0) for copy in range(sheet.copies)]
        else:
            places = [(plan, False) for plan in plans]
        for start in range(0, len(places), sheet.copies):
            tags.new_page(canvas)
            on_sheet = places[start : start + sheet.copies]
            for slot, (plan, repeated) in enumerate(on_sheet):
                canvas.saveState()
                canvas.translate(slot * page_width, offset_y)
                if repeated:
                    with tagging.muted(canvas):
                        _draw_card(canvas, plan, layout)
                else:
                    _draw_card(canvas, plan, layout)
                canvas.restoreState()
            _cut_marks(canvas, sheet.copies, page_width, page_height, offset_y, layout)
            tags.end_page(canvas)
            canvas.showPage()
    canvas.save()
    info = DocumentInfo(metadata.title, metadata.language, metadata.author, metadata.subject)
    return tag_pdf(buffer.getvalue(), tags.finish(), info)


def _draw_card(canvas: Canvas, plan: PagePlan, layout: Layout) -> None:
    x, y, width, height = layout.page.frame()
    frame = Frame(x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, showBoundary=0)
    story = list(plan.story)
    frame.addFromList(story, canvas)
    if story:
        # The fit measured this story as fitting; reaching here is a bug, never a second page.
        raise FitError(Problem("internal error: the fitted content did not fit the page frame"))


def _cut_marks(canvas: Canvas, copies: int, width: float, height: float, offset_y: float, layout: Layout) -> None:
    """Short ticks where the sheet is cut, kept inside the cards' margins."""
    length = min(layout.page.margin.top, layout.page.margin.bottom, 18.0) * 0.7
    canvas.setStrokeColor(colors.HexColor("#555555"))
    canvas.setLineWidth(0.5)
    for cut in range(1, copies):
        x = cut * width
        canvas.line(x, offset_y, x, offset_y + length)
        canvas.line(x, offset_y + height - length, x, offset_y + height)
