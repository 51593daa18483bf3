"""Paragraph styles at one scale: every type size is the layout's size times the fit's
scale, never below the layout's minimum."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from routinecard.layouts import Layout

@dataclass(frozen=True)
class Styles:
    """Paragraph styles at one scale."""

    scale: float
    body: ParagraphStyle
    bold: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    small: ParagraphStyle
    warning_heading: ParagraphStyle
    warning_title: ParagraphStyle
    fill_in: ParagraphStyle

    def size(self, points: float) -> float:
        return points * self.scale


def make_styles(layout: Layout, scale: float) -> Styles:
    t = layout.type
    c = layout.colours
    floor = t.min

    def sized(points: float) -> float:
        return max(points * scale, floor)

    body_size = sized(t.body)
    body = ParagraphStyle(
        "body",
        fontName="Atkinson",
        fontSize=body_size,
        leading=body_size * t.leading,
        textColor=colors.HexColor(c.text),
        splitLongWords=1,
        allowWidows=1,
    )
    bold = ParagraphStyle("bold", parent=body, fontName="Atkinson-Bold")
    heading_size = sized(t.heading)
    heading = ParagraphStyle(
        "heading", parent=bold, fontSize=heading_size, leading=heading_size * 1.15, textColor=colors.HexColor(c.accent)
    )
    title_size = sized(t.title)
    title = ParagraphStyle(
        "title", parent=bold, fontSize=title_size, leading=title_size * 1.12, textColor=colors.HexColor(c.accent)
    )
    small_size = sized(t.small)
    small = ParagraphStyle(
        "small", parent=body, fontSize=small_size, leading=small_size * 1.2, textColor=colors.HexColor(c.muted)
    )
    warning_heading = ParagraphStyle(
        "warning_heading", parent=bold, fontSize=heading_size, leading=heading_size * 1.15, textColor=colors.white
    )
    warning_title = ParagraphStyle("warning_title", parent=bold, textColor=colors.HexColor(c.warning))
    fill_in = ParagraphStyle("fill_in", parent=body, alignment=TA_RIGHT, textColor=colors.HexColor(c.muted))
    return Styles(scale, body, bold, heading, title, small, warning_heading, warning_title, fill_in)
