"""The naive baseline: the same card written directly in plain reportlab platypus.

This is what a reasonable person would write in an afternoon without routinecard: read
the YAML with ``yaml.safe_load``, build paragraph styles, parse the tool SVGs with
svglib, lay out the sections with platypus and let ``SimpleDocTemplate`` write one
Letter page. Per card it redoes everything a naive script would (YAML, styles, SVG
parsing, layout, PDF writing); only the font registration is done once per process.

It has no validation, no fitting search, no body maps and no pressure scale, so it does
*less* work than routinecard: it is a floor to beat, not a feature match.

Used two ways by ``bench/run.py``:

* imported: ``build(card_path) -> bytes`` (warm, in-process timing);
* as a script: ``python bench/baseline_reportlab.py CARD -o OUT.pdf`` (whole-process
  timing).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import yaml
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
TOOLS_DIR = ROOT / "images" / "tools"

ACCENT = colors.HexColor("#1f4e79")
TEXT = colors.HexColor("#111111")
MUTED = colors.HexColor("#3d3d3d")
WARNING = colors.HexColor("#b00020")
PANEL = colors.HexColor("#f1f4f8")
RULE = colors.HexColor("#9aa7b5")

_registered = False


def register_fonts() -> None:
    """Register Atkinson Hyperlegible once per process (the one thing we keep warm)."""
    global _registered
    if _registered:
        return
    import fontpkg_atkinson_hyperlegible as atkinson
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.lib.fonts import addMapping

    files = Path(atkinson.ROOT) / "files"
    pdfmetrics.registerFont(TTFont("BAtkinson", str(files / "AtkinsonHyperlegible-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("BAtkinson-Bold", str(files / "AtkinsonHyperlegible-Bold.ttf")))
    addMapping("BAtkinson", 0, 0, "BAtkinson")
    addMapping("BAtkinson", 1, 0, "BAtkinson-Bold")
    _registered = True


class SvgIcon(Flowable):
    """An svglib drawing scaled into a square box."""

    def __init__(self, path: Path, size: float) -> None:
        super().__init__()
        from svglib.svglib import svg2rlg

        self.drawing = svg2rlg(str(path))  # naive: parsed again for every card
        self.drawing.initialFontName = "BAtkinson"
        self.size = size
        self.scale = min(size / self.drawing.width, size / self.drawing.height)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        from reportlab.graphics import renderPDF

        self.canv.saveState()
        self.canv.scale(self.scale, self.scale)
        renderPDF.draw(self.drawing, self.canv, 0, 0)
        self.canv.restoreState()


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="BAtkinson", fontSize=9.2, leading=11.2, textColor=TEXT)
    bold = ParagraphStyle("bold", parent=body, fontName="BAtkinson-Bold")
    return {
        "body": body,
        "bold": bold,
        "title": ParagraphStyle("title", parent=bold, fontSize=20, leading=23, textColor=ACCENT),
        "heading": ParagraphStyle("heading", parent=bold, fontSize=11.5, leading=13.5, textColor=ACCENT),
        "warning": ParagraphStyle("warning", parent=bold, fontSize=11.5, leading=13.5, textColor=WARNING),
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9, textColor=MUTED),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=10, bulletIndent=0, bulletFontName="BAtkinson"),
        "step": ParagraphStyle(
            "step", parent=body, leftIndent=13, bulletIndent=0, bulletFontName="BAtkinson-Bold"
        ),
    }


def _rng(pair: list[int]) -> str:
    low, high = pair
    return str(low) if low == high else f"{low}\u2013{high}"


def _point_panel(point: dict, tools: dict, s: dict, width: float) -> Table:
    tool = tools[point["tool"]]
    icon = SvgIcon(TOOLS_DIR / tool["icon"], 0.4 * inch)
    pressure = point["pressure"]
    timing = point["timing"]
    label = lambda name, text: Paragraph(f"<b>{name}:</b> {escape(text)}", s["body"])  # noqa: E731
    top = Table(
        [
            [
                [
                    label("Where", point["where"]),
                    label("Pain felt in", point["refers_to"]),
                    label("Tool", tool["name"]),
                    label("Position", point["position"]),
                    label("How hard", f"{pressure['min']}\u2013{pressure['max']} out of 10. {pressure['words']}"),
                ],
                icon,
            ]
        ],
        colWidths=[width - 16 - 0.5 * inch, 0.5 * inch],
    )
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    when = (
        f"Hold {_rng(timing['hold_s'])} s \u00b7 repeat {_rng(timing['repeats'])} times \u00b7 "
        f"{_rng(timing['per_day'])} times a day"
    )
    content = [
        Paragraph(escape(point["name"]), s["heading"]),
        Spacer(1, 3),
        top,
        Spacer(1, 3),
        Paragraph(when, s["bold"]),
        Spacer(1, 2),
        *[Paragraph(escape(step), s["step"], bulletText=f"{i}.") for i, step in enumerate(point["steps"], 1)],
    ]
    panel = Table([[content]], colWidths=[width])
    panel.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, RULE), ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 8), ("TOPPADDING", (0, 0), (-1, -1), 6),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 7)]))
    return panel


def build(card_path: str | Path) -> bytes:
    """Build the card into PDF bytes, the naive way."""
    register_fonts()
    card = yaml.safe_load(Path(card_path).read_text(encoding="utf-8"))
    tools = yaml.safe_load((TOOLS_DIR / "tools.yaml").read_text(encoding="utf-8"))
    s = _styles()
    buffer = io.BytesIO()
    margin = 0.4 * inch
    doc = SimpleDocTemplate(
        buffer, pagesize=letter, leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
        title=card["title"], author="baseline", subject=card["summary"], initialFontName="BAtkinson",
    )
    width = doc.width
    gap = 7

    story: list[Flowable] = [
        Paragraph(escape(card["title"]), s["title"]),
        Spacer(1, 4),
        Paragraph(escape(card["summary"]), s["body"]),
        Spacer(1, gap),
        Paragraph("Before you start", s["heading"]),
        Spacer(1, 2),
        *[Paragraph(escape(item), s["bullet"], bulletText="\u2022") for item in card["before_you_start"]],
        Spacer(1, gap),
    ]

    column = (width - gap) / 2
    panels = [_point_panel(p, tools, s, column) for p in card["points"]]
    rows = [panels[i : i + 2] + [""] * (2 - len(panels[i : i + 2])) for i in range(0, len(panels), 2)]
    grid = Table(rows, colWidths=[column + gap, column])
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), gap)]))
    story += [grid]

    attention = card["medical_attention"]
    box: list[Flowable] = [Paragraph("WHEN TO SEEK MEDICAL ATTENTION", s["warning"]), Spacer(1, 3)]
    halves = []
    emergency = str(attention.get("emergency_number", ""))
    for key in ("urgent", "soon"):
        part = attention[key]
        title = part["title"].replace("{emergency}", emergency)
        halves.append(
            [Paragraph(escape(title) + ":", s["bold"]), Spacer(1, 2)]
            + [Paragraph(escape(item), s["bullet"], bulletText="\u2022") for item in part["items"]]
        )
    inner = Table([halves], colWidths=[(width - 20) / 2] * 2)
    inner.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))
    box.append(inner)
    warning = Table([[box]], colWidths=[width])
    warning.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 2, WARNING), ("LEFTPADDING", (0, 0), (-1, -1), 9),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 9), ("TOPPADDING", (0, 0), (-1, -1), 7),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 7)]))
    story += [warning, Spacer(1, gap)]
    story.append(Paragraph("<b>Sources:</b> " + " \u00b7 ".join(escape(src) for src in card["sources"]), s["small"]))

    doc.build(story)
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    """Pages in a reportlab-written PDF (its page objects are written uncompressed)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("card", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    args.output.write_bytes(build(args.card))
    return 0


if __name__ == "__main__":
    sys.exit(main())
