"""The atlas sheet (`routinecard atlas --sheet out.pdf`): every view on its own page with
a coordinate grid, the region names, and each site's marker numbered and listed with its
id and grid position, so a card writer can find a site or an x/y without trial and error.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from routinecard import __version__
from routinecard.atlas import Place, Site, load_atlas
from routinecard.figures.bodymap import BodyFigure, FigureStyle, Highlight, body_map
from routinecard.fonts import font_set

PAGE = (612.0, 792.0)  # US Letter portrait
MARGIN = 36.0
GRID_COLOUR = "#b9c3cc"
REGION_COLOUR = "#4a5560"
TEXT = "#111111"
# The sheet's own words, in the languages the atlas names sites in (one language a sheet).
WORDS = {
    "en": {"grid": "Grid {w} x {h}, origin top left, y down; {note}.",
           "both": "both sides; sites are drawn on the body's right side",
           "one": "the body's right side; the left side is this picture mirrored",
           "sites": "Sites on this view", "none": "(no sites yet)"},
    "es": {"grid": "Cuadrícula {w} x {h}, origen arriba a la izquierda, y hacia abajo; {note}.",
           "both": "ambos lados; los puntos se dibujan en el lado derecho del cuerpo",
           "one": "el lado derecho del cuerpo; el izquierdo es esta imagen en espejo",
           "sites": "Puntos en esta vista", "none": "(aún no hay puntos)"},
}


def _region_label_points(view: str) -> list[tuple[str, float, float]]:
    """(name, x, y): one label per region on the body's right side (masks left out), at
    the middle of the region's part that is on the body."""
    body = body_map(view)
    labels: list[tuple[str, float, float]] = []
    for name in body.region_names():
        shapes = body.region(name, "right")
        xs: list[float] = []
        ys: list[float] = []
        for shape in shapes:
            x0, y0, x1, y1 = shape.bounds()
            steps = 10
            for i in range(steps + 1):
                for j in range(steps + 1):
                    x = x0 + (x1 - x0) * i / steps
                    y = y0 + (y1 - y0) * j / steps
                    if body.contains(x, y) and _in_shapes(shapes, x, y):
                        xs.append(x)
                        ys.append(y)
        if xs:
            labels.append((name, sum(xs) / len(xs), sum(ys) / len(ys)))
    return labels


def _in_shapes(shapes: tuple[object, ...], x: float, y: float) -> bool:
    from routinecard.figures.bodymap import Shape, inside

    return inside((s for s in shapes if isinstance(s, Shape)), x, y)


def atlas_sheet_pdf(language: str = "en") -> bytes:
    """The sheet as PDF bytes (deterministic)."""
    fonts = font_set()
    del fonts
    atlas = load_atlas()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, invariant=1, pageCompression=1,
                    initialFontName="Atkinson", initialFontSize=10, lang=language)  # type: ignore[arg-type]
    canvas.setTitle("routinecard atlas: sites and views")
    canvas.setCreator(f"routinecard {__version__}")
    canvas.setProducer(f"routinecard {__version__} (reportlab)")
    for view_id, view in atlas.views.items():
        body = body_map(view_id)
        sites = [(site, place) for site in atlas.sites.values() for place in site.places if place.view == view_id]
        width, height = PAGE
        canvas.setFillColor(colors.HexColor(TEXT))
        canvas.setFont("Atkinson-Bold", 16)
        canvas.drawString(MARGIN, height - MARGIN - 6, f"{view.name(language)} ({view_id})")
        canvas.setFont("Atkinson", 9)
        words = WORDS.get(language, WORDS["en"])
        side_note = words["both"] if view.both_sides else words["one"]
        canvas.drawString(MARGIN, height - MARGIN - 20,
                          words["grid"].format(w=f"{body.width:g}", h=f"{body.height:g}", note=side_note))
        legend_width = 170.0
        top = height - MARGIN - 32
        room_w = width - 2 * MARGIN - legend_width
        room_h = top - MARGIN
        window = _grid_window(body.extent(), 50.0 if max(body.width, body.height) > 800 else 25.0,
                              body.width, body.height)
        _, _, ww, wh = window
        figure_h = min(room_h, room_w * wh / ww * 0.86)
        highlights = [Highlight(n, place.x, place.y, (), ()) for n, (_, place) in enumerate(sites, start=1)]
        figure = BodyFigure(view_id, figure_h, highlights, window=window, marker_size=10.0, style=FigureStyle(),
                            hatch=False, callouts=True)
        fx = MARGIN
        fy = top - figure.height
        figure.wrap(room_w, room_h)
        figure.drawOn(canvas, fx, fy)
        _grid(canvas, figure, fx, fy)
        canvas.setFont("Atkinson", 7.5)
        canvas.setFillColor(colors.HexColor(REGION_COLOUR))
        for name, x, y in _region_label_points(view_id):
            px, py = figure.to_figure(x, y)
            canvas.drawCentredString(fx + px, fy + py - 2.5, name)
        _legend(canvas, sites, language, width - MARGIN - legend_width + 8, top)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _grid_window(extent: tuple[float, float, float, float], step: float, width: float,
                 height: float) -> tuple[float, float, float, float]:
    """The body's box widened to whole grid steps, so the grid's edges are round numbers."""
    import math

    x0 = max(0.0, math.floor(extent[0] / step) * step)
    y0 = max(0.0, math.floor(extent[1] / step) * step)
    x1 = min(width, math.ceil((extent[0] + extent[2]) / step) * step)
    y1 = min(height, math.ceil((extent[1] + extent[3]) / step) * step)
    return x0, y0, x1 - x0, y1 - y0


def _grid(canvas: Canvas, figure: BodyFigure, fx: float, fy: float) -> None:
    """Grid lines every 50 units (labelled every 100; 25 and 50 on the small views) over the
    figure's window."""
    body = figure.body
    step = 50.0 if max(body.width, body.height) > 800 else 25.0
    wx, wy, ww, wh = figure.window
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor(GRID_COLOUR))
    canvas.setFillColor(colors.HexColor("#5b6670"))
    canvas.setFont("Atkinson", 6.5)
    left, bottom = figure.to_figure(wx, wy + wh)
    right, top = figure.to_figure(wx + ww, wy)
    value = wx
    while value <= wx + ww + 0.1:
        x, _ = figure.to_figure(value, wy)
        major = round(value / step) % 2 == 0
        canvas.setLineWidth(0.5 if major else 0.25)
        canvas.line(fx + x, fy + bottom, fx + x, fy + top)
        if major:
            canvas.drawCentredString(fx + x, fy + top + 2, f"{value:g}")
        value += step
    value = wy
    while value <= wy + wh + 0.1:
        _, y = figure.to_figure(wx, value)
        major = round(value / step) % 2 == 0
        canvas.setLineWidth(0.5 if major else 0.25)
        canvas.line(fx + left, fy + y, fx + right, fy + y)
        if major:
            canvas.drawRightString(fx + left - 2, fy + y - 2, f"{value:g}")
        value += step
    canvas.restoreState()


def _legend(canvas: Canvas, sites: list[tuple[Site, Place]], language: str, x: float, top: float) -> None:
    canvas.setFillColor(colors.HexColor(TEXT))
    canvas.setFont("Atkinson-Bold", 10)
    words = WORDS.get(language, WORDS["en"])
    canvas.drawString(x, top - 10, words["sites"])
    y = top - 26
    for number, (site, place) in enumerate(sites, start=1):
        canvas.setFont("Atkinson-Bold", 8.5)
        canvas.drawString(x, y, f"{number}")
        canvas.drawString(x + 14, y, site.id)
        canvas.setFont("Atkinson", 8.5)
        canvas.drawString(x + 14, y - 10, f"{site.name(language)} · x {place.x:g}, y {place.y:g}")
        y -= 23
    if not sites:
        canvas.setFont("Atkinson", 8.5)
        canvas.drawString(x, y, words["none"])
