"""Render: a fitted page plan -> PDF bytes. The only module that drives reportlab's canvas.

Invariant mode makes the bytes depend only on the inputs (reportlab honours
SOURCE_DATE_EPOCH for the dates). The canvas starts in our embedded font, so reportlab
never adds an unembedded Helvetica to the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame

from routinecard import __version__
from routinecard.compose import PagePlan
from routinecard.errors import FitError, Problem
from routinecard.layouts import Layout


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    language: str


def render_pdf(plan: PagePlan, layout: Layout, metadata: Metadata) -> bytes:
    buffer = io.BytesIO()
    page_width, page_height = layout.page.size_pt()
    canvas = Canvas(
        buffer,
        pagesize=(page_width, page_height),
        invariant=1,
        pageCompression=1,
        initialFontName="Atkinson",
        initialFontSize=10,
        lang=metadata.language,
    )
    canvas.setTitle(metadata.title)
    canvas.setAuthor(metadata.author)
    canvas.setSubject(metadata.subject)
    canvas.setCreator(f"routinecard {__version__}")
    canvas.setProducer(f"routinecard {__version__} (reportlab)")
    margin = layout.page.margin
    frame = Frame(
        margin,
        margin,
        page_width - 2 * margin,
        page_height - 2 * margin,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        showBoundary=0,
    )
    story = list(plan.story)
    frame.addFromList(story, canvas)
    if story:
        # The fit measured this story as fitting; reaching here is a bug, never a second page.
        raise FitError(Problem("internal error: the fitted content did not fit the page frame"))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
