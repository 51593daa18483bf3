"""Tool icons: the project's own SVGs or a clinic's, parsed with svglib.

An icon is parsed once (svglib) into plain drawing primitives in PDF units, which are
kept in memory and in the cache folder (keyed by the SVG's content), and drawn straight
on the canvas. So a one-card command does not import svglib for icons it has seen, the
drawing never goes through reportlab's graphics renderer (which starts every drawing in
an unembedded Helvetica), and nothing shared is mutated while drawing, so threads are safe.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from routinecard.errors import InputError, Problem

CACHE_VERSION = "v3"  # v3: checked by check_svg before parsing
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


MAX_SVG_BYTES = 512 * 1024  # a logo or icon is a few kilobytes; svglib needs ~5 s per MB
MAX_SVG_ELEMENTS = 5000
MAX_SVG_SIZE = 1e6  # width and height, in SVG units
_REFUSED_ELEMENTS = {"image", "foreignObject", "script", "feImage"}


def _refuse(path: Path, message: str) -> InputError:
    from routinecard.errors import display_path

    return InputError(Problem(message, file=display_path(path)))


def check_svg(data: bytes, path: Path) -> None:
    """Refuse SVG files that are too complex, refer to other files, or have no usable size.

    Parsed here first with lxml (fast, no entities, no network), so svglib only ever sees
    a small, self-contained picture; messages say what was expected, never what was found.
    """
    import math

    from lxml import etree

    expected = "expected an SVG picture"
    if b"<!ENTITY" in data or b"<!entity" in data:
        raise _refuse(path, f"the SVG declares XML entities, which are not accepted; {expected} without them")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                             load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        line = getattr(error, "lineno", None)
        raise InputError(Problem(f"is not a valid SVG file; {expected}", file=_shown(path), line=line)) from None
    if root is None or etree.QName(root).localname != "svg":
        raise _refuse(path, f"is not an SVG file; {expected} (an <svg> element at the top)")
    count = 0
    for element in root.iter():
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise _refuse(path, f"the SVG is too complex (more than {MAX_SVG_ELEMENTS:,} elements); simplify it")
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in _REFUSED_ELEMENTS:
            raise _refuse(path, f"the SVG contains <{name}>, which is not accepted; {expected} drawn with shapes only")
        for key, value in element.attrib.items():
            if etree.QName(key).localname == "href" and not value.strip().startswith("#"):
                raise _refuse(path, f"the SVG refers to another file, which is not accepted; {expected} that is self-contained")
    for attribute in ("width", "height"):
        raw = root.get(attribute)
        if raw is None:
            continue
        number = raw.strip().rstrip("abcdefghijklmnopqrstuvwxyz%").strip()
        try:
            size = float(number)
        except ValueError:
            size = math.nan
        if not (math.isfinite(size) and 0 < size <= MAX_SVG_SIZE):
            raise _refuse(path, f"the SVG's {attribute} is not a positive size; {expected} with a width and height "
                                f"(or a viewBox) between 0 and {MAX_SVG_SIZE:,.0f}")


def _shown(path: Path) -> str:
    from routinecard.errors import display_path

    return display_path(path)


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    import io
    import math

    from svglib.svglib import svg2rlg

    check_svg(data, path)
    try:
        drawing = svg2rlg(io.BytesIO(data))
    except Exception:  # svglib raises lxml and parser errors of many kinds
        raise _refuse(path, "cannot read the SVG picture; expected an SVG file drawn with shapes") from None
    if drawing is None:
        raise _refuse(path, "cannot read the SVG picture; expected an SVG file drawn with shapes")
    width, height = float(drawing.width or 0), float(drawing.height or 0)
    if not (math.isfinite(width) and math.isfinite(height) and 0 < width <= MAX_SVG_SIZE and 0 < height <= MAX_SVG_SIZE):
        raise _refuse(path, f"the SVG has no usable size; expected a width and height (or a viewBox) between 0 and "
                            f"{MAX_SVG_SIZE:,.0f}")
    shapes = _primitives(drawing)
    if not all(_finite(shape) for shape in shapes):
        raise _refuse(path, "the SVG has coordinates that are not numbers; expected an SVG picture with finite sizes")
    return {"width": width, "height": height, "shapes": shapes}


def _finite(shape: dict[str, Any]) -> bool:
    import math

    numbers = [*shape.get("points", []), *shape.get("args", []), *shape.get("matrix", [])]
    return all(math.isfinite(float(n)) for n in numbers if isinstance(n, (int, float)))


_ICONS: dict[str, dict[str, Any]] = {}  # by content digest; at most 128 kept


def _icon(digest: str, path: Path, data: bytes) -> dict[str, Any]:
    from routinecard.diskcache import cached_json

    found = _ICONS.get(digest)
    if found is None:
        found = cached_json("icons", f"{digest}-{CACHE_VERSION}", lambda: _parse(path, data))
        assert isinstance(found, dict)
        if len(_ICONS) >= 128:
            _ICONS.pop(next(iter(_ICONS)))
        _ICONS[digest] = found
    return found


def svg_icon(path: Path) -> dict[str, Any]:
    """The icon's size and shapes, cached by the file's content."""
    from routinecard.files import Unreadable, read_regular_file

    try:
        data = read_regular_file(path, limit=MAX_SVG_BYTES, noun="picture", expected="an SVG picture",
                                 too_large=lambda size: f"the SVG file is too large ({size:,} bytes; the limit is "
                                                        f"{MAX_SVG_BYTES:,} bytes); simplify it or use a PNG")
    except Unreadable as error:
        raise _refuse(path, error.message) from None
    digest = hashlib.sha256(data).hexdigest()[:20]
    return _icon(digest, path, data)


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
