"""The 0-10 pressure scale: how hard to press is seen, not only read."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable


class PressureScale(Flowable):
    """'none [0][1]...[10] worst' with the target boxes filled.

    Numbers sit inside the boxes so the band reads in black and white too: filled boxes
    with white numbers are the target, outlined boxes are not.
    """

    def __init__(
        self,
        low: int,
        high: int,
        width: float,
        font_size: float,
        *,
        accent: str,
        text: str,
        rule: str,
        low_label: str = "none",
        high_label: str = "worst",
    ) -> None:
        super().__init__()
        self.low = low
        self.high = high
        self.width = width
        self.font_size = font_size
        self.accent = accent
        self.text = text
        self.rule = rule
        self.low_label = low_label
        self.high_label = high_label
        self.box_height = font_size * 1.55
        self.height = self.box_height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def box_geometry(self) -> tuple[float, float]:
        """(x of box 0, width of one box) in the flowable's coordinates."""
        gap = self.font_size * 0.4
        left = stringWidth(self.low_label, "Atkinson", self.font_size) + gap
        right = stringWidth(self.high_label, "Atkinson", self.font_size) + gap
        box = (self.width - left - right) / 11
        return left, box

    def draw(self) -> None:
        canvas = self.canv
        left, box = self.box_geometry()
        baseline = (self.box_height - self.font_size * 0.7) / 2
        canvas.setFont("Atkinson", self.font_size)
        canvas.setFillColor(colors.HexColor(self.text))
        canvas.drawString(0, baseline, self.low_label)
        canvas.drawRightString(self.width, baseline, self.high_label)
        canvas.setLineWidth(0.6)
        for value in range(11):
            x = left + value * box
            target = self.low <= value <= self.high
            canvas.setStrokeColor(colors.HexColor(self.accent if target else self.rule))
            canvas.setFillColor(colors.HexColor(self.accent) if target else colors.white)
            canvas.rect(x, 0, box, self.box_height, stroke=1, fill=1)
            canvas.setFillColor(colors.white if target else colors.HexColor(self.text))
            canvas.setFont("Atkinson-Bold" if target else "Atkinson", self.font_size)
            canvas.drawCentredString(x + box / 2, baseline, str(value))
