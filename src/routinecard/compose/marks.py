"""Marks: the small drawn pieces of a card (number badges, the warning sign, the QR code,
rules to write on, the figure column) and the table helpers every section uses.

These are flowables: reportlab calls their `draw` while `render` drives the canvas; they
draw only inside their own box.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable, Table, TableStyle

from routinecard.figures.icons import SvgIcon

class CachedTable(Table):
    """A table that lays out its cells once per width: tables wrap their cells again when
    they draw them, and nested tables multiply that."""

    _wrapped_at: float | None = None
    _wrapped: tuple[float, float] = (0.0, 0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        key = availWidth  # our tables never split, so their height does not depend on the room left
        if self._wrapped_at == key:
            return self._wrapped
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped = (float(width), float(height))
        self._wrapped_at = key
        return self._wrapped


class QrCode(Flowable):
    """The video address as a QR code, drawn with reportlab's widget (vector, no font)."""

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.value = value
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        from reportlab.graphics import renderPDF
        from reportlab.graphics.barcode.qr import QrCodeWidget
        from reportlab.graphics.shapes import Drawing

        widget = QrCodeWidget(self.value, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(self.size, self.size, transform=[self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0])
        drawing.add(widget)
        drawing.setProperties({"initialFontName": "Atkinson"})  # the renderer would otherwise reference Helvetica
        renderPDF.draw(drawing, self.canv, 0, 0, showBoundary=False)


class RuleLine(Flowable):
    """A blank line to write on."""

    def __init__(self, width: float, height: float, colour: str) -> None:
        super().__init__()
        self.width = width
        self.height = height
        self.colour = colour

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setStrokeColor(colors.HexColor(self.colour))
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 1, self.width, 1)


def keep_together(content: list[Flowable], width: float) -> Table:
    """Content in one borderless table cell, so it is measured and placed as one block."""
    table = CachedTable([[content]], colWidths=[width])
    table.setStyle(table_style(NO_PADDING))
    return table


# One command of a reportlab TableStyle: (name, (col, row), (col, row), *values).
TableCommand = tuple[Any, ...]

NO_PADDING: list[TableCommand] = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
]


def picture(path: Path, size: float, height: float | None = None, *, align: str = "center") -> Flowable:  # noqa: ANN001
    """An SVG or raster picture in a box `size` wide (and `height` tall, default square)."""
    if path.suffix.lower() == ".svg":
        return SvgIcon(path, size, height, align=align)
    from routinecard.figures.images import RasterFlowable

    return RasterFlowable(path, size, size if height is None else height, align=align)


class FigureColumn(Flowable):
    """The close-up (or photo) with the tool icon, if any, centred under it."""

    def __init__(self, figure: Flowable, icon: Flowable | None, gap: float) -> None:
        super().__init__()
        self.figure = figure
        self.icon = icon
        self.gap = gap

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        fw, fh = self.figure.wrap(availWidth, availHeight)
        iw, ih = self.icon.wrap(availWidth, availHeight) if self.icon else (0.0, -self.gap)
        self.width, self.height = max(fw, iw), fh + self.gap + ih
        return self.width, self.height

    def draw(self) -> None:
        fw, fh = self.figure.wrap(self.width, self.height)
        self.figure.drawOn(self.canv, (self.width - fw) / 2, self.height - fh)
        if self.icon is not None:
            iw, _ = self.icon.wrap(self.width, self.height)
            self.icon.drawOn(self.canv, (self.width - iw) / 2, 0)


class SideBySide(Flowable):
    """Figures in a row, bottoms aligned, `gap` apart (close-up beside the position picture)."""

    def __init__(self, figures: list[Flowable], gap: float) -> None:
        super().__init__()
        self.figures = figures
        self.gap = gap

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        sizes = [f.wrap(availWidth, availHeight) for f in self.figures]
        self.width = sum(w for w, _ in sizes) + self.gap * (len(sizes) - 1)
        self.height = max(h for _, h in sizes)
        return self.width, self.height

    def draw(self) -> None:
        x = 0.0
        for figure in self.figures:
            w, h = figure.wrap(self.width, self.height)
            figure.drawOn(self.canv, x, 0)
            x += w + self.gap


def table_style(commands: list[TableCommand]) -> TableStyle:
    """Every table names our font: reportlab's default cell font is Helvetica, which would
    otherwise be referenced (unembedded) in the PDF even for cells that hold no text."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), "Atkinson"), *commands])


class NumberBadge(Flowable):
    """A filled circle with the point's number: matches markers on the body map."""

    NUMBER = 0.62  # the number's type size, as a fraction of the circle

    @classmethod
    def size_for(cls, heading: float, minimum: float) -> float:
        """The circle beside a heading of this size: 1.5 times the heading, and never so
        small that its number would print under the layout's minimum type size (a tiny
        `type.heading` once printed the numbers at 7.9 pt)."""
        return max(heading * 1.5, minimum / cls.NUMBER)

    def __init__(self, number: int, size: float, colour: str) -> None:
        super().__init__()
        self.number = number
        self.size = size
        self.colour = colour

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
        r = self.size / 2
        canvas.setFillColor(colors.HexColor(self.colour))
        canvas.circle(r, r, r, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Atkinson-Bold", self.size * self.NUMBER)  # >= minimum type: see size_for
        canvas.drawCentredString(r, r - self.size * 0.22, str(self.number))


class WarningSign(Flowable):
    """A white warning triangle with '!', printed on the red heading bar."""

    def __init__(self, size: float, colour: str, *, minimum: float = 8.5) -> None:
        super().__init__()
        self.size = size
        self.colour = colour
        self.minimum = minimum  # the layout's smallest type: the '!' is text, never smaller

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size * 0.9

    def draw(self) -> None:
        canvas = self.canv
        w = self.size
        h = self.size * 0.9
        path = canvas.beginPath()
        path.moveTo(0, 0)
        path.lineTo(w, 0)
        path.lineTo(w / 2, h)
        path.close()
        canvas.setFillColor(colors.white)
        canvas.setStrokeColor(colors.white)
        canvas.setLineJoin(1)
        canvas.setLineWidth(w * 0.06)
        canvas.drawPath(path, stroke=1, fill=1)
        canvas.setFillColor(colors.HexColor(self.colour))
        canvas.setFont("Atkinson-Bold", max(h * 0.68, self.minimum))
        canvas.drawCentredString(w / 2, h * 0.12, "!")
