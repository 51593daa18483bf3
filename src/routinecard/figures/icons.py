"""Tool icons: the project's own SVGs (svglib, parsed once) or a clinic's PNG/JPEG."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from reportlab.platypus import Flowable

from routinecard.errors import InputError, Problem


_RENDER_LOCK = threading.Lock()


@cache
def _svg_drawing(path: Path, mtime: float):  # noqa: ANN202 - reportlab Drawing
    from svglib.svglib import svg2rlg

    try:
        drawing = svg2rlg(str(path))
    except Exception as error:  # svglib raises lxml and parser errors of many kinds
        raise InputError(Problem(f"cannot read the SVG icon: {error}", file=str(path))) from None
    if drawing is None or not drawing.width or not drawing.height:
        raise InputError(Problem("cannot read the SVG icon (empty or not SVG)", file=str(path)))
    # reportlab's renderer starts every drawing in Helvetica, which would put an
    # unembedded font into the PDF; start it in our embedded face instead.
    drawing.initialFontName = "Atkinson"
    return drawing


def svg_drawing(path: Path):  # noqa: ANN201
    """The parsed icon, cached per file and modification time."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise InputError(Problem("icon file not found", file=str(path))) from None
    return _svg_drawing(path, mtime)


class SvgIcon(Flowable):
    """An SVG drawing scaled into a box `size` wide and `height` tall (default square),
    aspect kept; centred, or flush left (then the flowable is only as wide as the art)."""

    def __init__(self, path: Path, size: float, height: float | None = None, *, align: str = "center") -> None:
        super().__init__()
        self.drawing = svg_drawing(path)
        self.box_width = size
        self.box_height = height if height is not None else size
        self.scale = min(self.box_width / self.drawing.width, self.box_height / self.drawing.height)
        if align != "center":
            self.box_width = self.drawing.width * self.scale

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.box_width, self.box_height

    def draw(self) -> None:
        from reportlab.graphics import renderPDF

        with _RENDER_LOCK:  # reportlab's renderer writes to the (shared, cached) drawing
            self._draw(renderPDF)

    def _draw(self, renderPDF) -> None:  # noqa: ANN001, N803
        canvas = self.canv
        canvas.saveState()
        dx = (self.box_width - self.drawing.width * self.scale) / 2
        dy = (self.box_height - self.drawing.height * self.scale) / 2
        canvas.translate(dx, dy)
        canvas.scale(self.scale, self.scale)
        renderPDF.draw(self.drawing, canvas, 0, 0, showBoundary=False)
        canvas.restoreState()
