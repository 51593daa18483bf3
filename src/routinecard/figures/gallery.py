"""The gallery of position pictures: every pose preset with a ball and with a foam
roller, as one PDF page (and a PNG for the README). `routinecard poses --gallery FILE`."""

from __future__ import annotations

import io
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from routinecard.figures.poses import library, preset_scene
from routinecard.figures.position import DEFAULT_PALETTE, draw_scene

CELL_W, CELL_H, CAPTION = 180.0, 150.0, 26.0
TOOLS = ("tennis-ball", "foam-roller")


def gallery_pdf(columns: int = 4) -> bytes:
    """One page: a row of two pictures (ball, roller) per preset, captioned."""
    from routinecard.fonts import font_set

    font_set()  # registers Atkinson
    presets = list(library().presets.values())
    pairs = len(presets)
    per_row = columns // 2
    rows = (pairs + per_row - 1) // per_row
    width, height = CELL_W * columns + 20, (CELL_H + CAPTION) * rows + 20
    buffer = io.BytesIO()
    start_font: dict[str, Any] = {"initialFontName": "Atkinson"}  # typed as a number in types-reportlab
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True, **start_font)
    canvas.setTitle("routinecard position pictures")
    for index, preset in enumerate(presets):
        for j, tool in enumerate(TOOLS):
            cell = index * 2 + j
            col, row = cell % columns, cell // columns
            x = 10 + col * CELL_W
            y = height - 10 - (row + 1) * (CELL_H + CAPTION)
            scene = preset_scene(preset.id, tool=tool)
            canvas.saveState()
            canvas.translate(x + 6, y + CAPTION)
            draw_scene(canvas, scene, CELL_W - 12, CELL_H - 6, DEFAULT_PALETTE)
            canvas.restoreState()
            canvas.setFillColorRGB(0.07, 0.07, 0.07)
            canvas.setFont("Atkinson-Bold", 9)
            canvas.drawString(x + 6, y + 14, preset.id)
            canvas.setFont("Atkinson", 8.5)
            site = preset.demo["roller" if tool == "foam-roller" else "ball"]
            canvas.drawString(x + 6, y + 3, f"{tool} at {site}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def gallery_png(dpi: int = 110) -> bytes:
    """The gallery page as a PNG."""
    import pypdfium2 as pdfium

    from routinecard.verify import PDFIUM_LOCK

    with PDFIUM_LOCK:
        image = pdfium.PdfDocument(gallery_pdf())[0].render(scale=dpi / 72).to_pil()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
