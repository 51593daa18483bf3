"""Tool icons: the project's own SVGs or a clinic's, parsed with svglib.

An icon is parsed once (svglib) into plain drawing primitives in PDF units, which are
kept in memory and in the cache folder (keyed by the SVG's content), and drawn straight
on the canvas. So a one-card command does not import svglib for icons it has seen, the
drawing never goes through reportlab's graphics renderer (which starts every drawing in
an unembedded Helvetica), and nothing shared is mutated while drawing, so threads are safe.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from routinecard.errors import InputError, Problem

CACHE_VERSION = "v2"
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _multiply(a: Matrix, b: Matrix) -> Matrix:
    """a then b, as PDF matrices."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (
        a0 * b0 + a1 * b2,
        a0 * b1 + a1 * b3,
        a2 * b0 + a3 * b2,
        a2 * b1 + a3 * b3,
        a4 * b0 + a5 * b2 + b4,
        a4 * b1 + a5 * b3 + b5,
    )


def _colour(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return colors.toColor(value).hexval()[2:]
    except (ValueError, AttributeError):
        return None


def _primitives(drawing: Any) -> list[dict[str, Any]]:
    """svglib's drawing as a flat list of shapes with their matrix and paint."""
    from reportlab.graphics import shapes as rl

    out: list[dict[str, Any]] = []

    def paint(shape: Any, *, stroke: bool = True) -> dict[str, Any]:
        stroke_colour = _colour(getattr(shape, "strokeColor", None)) if stroke else None
        return {
            "fill": _colour(getattr(shape, "fillColor", None)),
            "stroke": stroke_colour,
            "width": float(getattr(shape, "strokeWidth", 1.0) or 0.0),
            "cap": int(getattr(shape, "strokeLineCap", 0) or 0),
            "join": int(getattr(shape, "strokeLineJoin", 0) or 0),
            "fillmode": int(getattr(shape, "fillMode", 1) if getattr(shape, "fillMode", None) is not None else 1),
        }

    def visit(node: Any, matrix: Matrix) -> None:
        for child in getattr(node, "contents", []):
            if isinstance(child, rl.Group):
                a, b, c, d, e, f = child.transform
                visit(child, _multiply((a, b, c, d, e, f), matrix))
                continue
            item: dict[str, Any] | None = None
            if isinstance(child, rl.Path):
                no_stroke = type(child).__name__ == "NoStrokePath"
                item = {"kind": "path", "points": list(child.points), "ops": list(child.operators),
                        **paint(child, stroke=not no_stroke)}
            elif isinstance(child, rl.Circle):
                item = {"kind": "circle", "args": [child.cx, child.cy, child.r], **paint(child)}
            elif isinstance(child, rl.Ellipse):
                item = {"kind": "ellipse", "args": [child.cx, child.cy, child.rx, child.ry], **paint(child)}
            elif isinstance(child, rl.Rect):
                item = {"kind": "rect", "args": [child.x, child.y, child.width, child.height, child.rx or 0.0], **paint(child)}
            elif isinstance(child, rl.Line):
                item = {"kind": "line", "args": [child.x1, child.y1, child.x2, child.y2], **paint(child)}
                item["fill"] = None
            elif isinstance(child, rl.Polygon):
                item = {"kind": "polygon", "points": list(child.points), **paint(child)}
            elif isinstance(child, rl.PolyLine):
                item = {"kind": "polyline", "points": list(child.points), **paint(child)}
                item["fill"] = None
            if item is not None:
                item["matrix"] = list(matrix)
                out.append(item)

    visit(drawing, IDENTITY)
    return out


def _parse(path: Path) -> dict[str, Any]:
    from svglib.svglib import svg2rlg

    try:
        drawing = svg2rlg(str(path))
    except Exception as error:  # svglib raises lxml and parser errors of many kinds
        raise InputError(Problem(f"cannot read the SVG icon: {error}", file=str(path))) from None
    if drawing is None or not drawing.width or not drawing.height:
        raise InputError(Problem("cannot read the SVG icon (empty or not SVG)", file=str(path)))
    return {"width": float(drawing.width), "height": float(drawing.height), "shapes": _primitives(drawing)}


@lru_cache(maxsize=128)
def _icon(digest: str, path: Path) -> dict[str, Any]:
    from routinecard.diskcache import cached_json

    icon: dict[str, Any] = cached_json("icons", f"{digest}-{CACHE_VERSION}", lambda: _parse(path))
    return icon


def svg_icon(path: Path) -> dict[str, Any]:
    """The icon's size and shapes, cached by the file's content."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    except OSError:
        raise InputError(Problem("icon file not found", file=str(path))) from None
    return _icon(digest, path)


class SvgIcon(Flowable):
    """An SVG icon scaled into a box `size` wide and `height` tall (default square),
    aspect kept; centred, or flush left (then the flowable is only as wide as the art)."""

    def __init__(self, path: Path, size: float, height: float | None = None, *, align: str = "center") -> None:
        super().__init__()
        self.icon = svg_icon(path)
        self.box_width = size
        self.box_height = height if height is not None else size
        self.scale = min(self.box_width / self.icon["width"], self.box_height / self.icon["height"])
        if align != "center":
            self.box_width = self.icon["width"] * self.scale

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.box_width, self.box_height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.translate((self.box_width - self.icon["width"] * self.scale) / 2,
                         (self.box_height - self.icon["height"] * self.scale) / 2)
        canvas.scale(self.scale, self.scale)
        for shape in self.icon["shapes"]:
            _draw(canvas, shape)
        canvas.restoreState()


def _draw(canvas: Any, shape: dict[str, Any]) -> None:
    fill, stroke = shape["fill"], shape["stroke"]
    if not fill and not stroke:
        return
    canvas.saveState()
    canvas.transform(*shape["matrix"])
    if fill:
        canvas.setFillColor(colors.HexColor("#" + fill))
    if stroke:
        canvas.setStrokeColor(colors.HexColor("#" + stroke))
        canvas.setLineWidth(shape["width"])
        canvas.setLineCap(shape["cap"])
        canvas.setLineJoin(shape["join"])
    path = canvas.beginPath()
    kind = shape["kind"]
    if kind == "path":
        points, index = shape["points"], 0
        for op in shape["ops"]:
            if op == 0:
                path.moveTo(*points[index : index + 2])
                index += 2
            elif op == 1:
                path.lineTo(*points[index : index + 2])
                index += 2
            elif op == 2:
                path.curveTo(*points[index : index + 6])
                index += 6
            else:
                path.close()
    elif kind == "circle":
        path.circle(*shape["args"])
    elif kind == "ellipse":
        cx, cy, rx, ry = shape["args"]
        path.ellipse(cx - rx, cy - ry, 2 * rx, 2 * ry)
    elif kind == "rect":
        x, y, width, height, radius = shape["args"]
        if radius:
            path.roundRect(x, y, width, height, radius)
        else:
            path.rect(x, y, width, height)
    elif kind == "line":
        x1, y1, x2, y2 = shape["args"]
        path.moveTo(x1, y1)
        path.lineTo(x2, y2)
    else:  # polygon, polyline
        points = shape["points"]
        path.moveTo(points[0], points[1])
        for i in range(2, len(points), 2):
            path.lineTo(points[i], points[i + 1])
        if kind == "polygon":
            path.close()
    canvas.drawPath(path, stroke=1 if stroke else 0, fill=1 if fill else 0, fillMode=shape["fillmode"])
    canvas.restoreState()
