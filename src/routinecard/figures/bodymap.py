"""Body maps: the atlas's views drawn for print, with numbered markers and referral areas
tinted and hatched.

Each view is an SVG shipped in images/atlas/ (back and front from react-native-body-
highlighter, MIT; side, head and neck, hand and forearm, sole drawn by us). A view is
parsed once per process into plain shapes in its own grid (origin top left, y down).

Sides: coordinates are written for the body's right side. In a view that shows both
sides (back, front) the left side is the mirror image about the midline and regions are
named `<name>-right` / `<name>-left` by the body's side. A view that shows one side (side,
head-neck, hand-forearm, sole) draws the right side; the left side is the whole picture
mirrored (`mirror=True`).

Drawing: the view's outline, muscle lines and details are written once per PDF as two
Form XObjects (fill, lines) and placed with `Do` wherever the view appears; only the
referral shading, its clip and the markers are written per figure.

Why one long module: geometry, hit tests, shading and the flowable all work on one view's cached
geometry and share its private caches; the atlas (atlas.py) and placement (placement.py) are apart.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Iterable, Sequence

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject
from reportlab.platypus import Flowable

from routinecard.atlas import ViewSpec, load_atlas
from routinecard.figures.svgpath import Segment, parse_path

MARKER_DIGIT = 0.68  # a marker's number, as a fraction of the marker's diameter
FILL_EVEN_ODD = 0  # reportlab.pdfgen.canvas.FILL_EVEN_ODD (not in its type stubs)
FILL_NON_ZERO = 1
SVG = "{http://www.w3.org/2000/svg}"
MASK_PREFIX = "mask-"  # regions named mask-... are not body parts: they hide the arms in close-ups


@dataclass(frozen=True)
class Shape:
    """A path in grid units: move/line/curve/close segments."""

    segments: tuple[Segment, ...]

    def mirrored(self, width: float) -> Shape:
        out: list[Segment] = []
        for op, args in self.segments:
            out.append((op, tuple(width - v if i % 2 == 0 else v for i, v in enumerate(args))))
        return Shape(tuple(out))

    def polygons(self, steps: int = 8) -> list[list[tuple[float, float]]]:
        """The outline flattened into polygons (curves sampled), for hit tests. Cached."""
        return _polygons(self, steps)

    def bounds(self) -> tuple[float, float, float, float]:
        xs = [p[0] for poly in self.polygons(4) for p in poly]
        ys = [p[1] for poly in self.polygons(4) for p in poly]
        return min(xs), min(ys), max(xs), max(ys)


def _flatten(shape: Shape, steps: int) -> list[list[tuple[float, float]]]:
    polygons: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for op, args in shape.segments:
        if op == "M":
            if current:
                polygons.append(current)
            current = [(args[0], args[1])]
        elif op == "L" and current:
            current.append((args[0], args[1]))
        elif op == "C" and current:
            x0, y0 = current[-1]
            x1, y1, x2, y2, x3, y3 = args
            for k in range(1, steps + 1):
                t = k / steps
                mt = 1 - t
                current.append((mt**3 * x0 + 3 * mt * mt * t * x1 + 3 * mt * t * t * x2 + t**3 * x3,
                                mt**3 * y0 + 3 * mt * mt * t * y1 + 3 * mt * t * t * y2 + t**3 * y3))
        elif op == "Z" and current:
            polygons.append(current)
            current = []
    if current:
        polygons.append(current)
    return polygons


@lru_cache(maxsize=4096)
def _polygons(shape: Shape, steps: int) -> list[list[tuple[float, float]]]:
    return _flatten(shape, steps)


def inside(shapes: Iterable[Shape], x: float, y: float) -> bool:
    """Even-odd test of a point against shapes."""
    hit = False
    for shape in shapes:
        for polygon in shape.polygons():
            n = len(polygon)
            for i in range(n):
                (xa, ya), (xb, yb) = polygon[i], polygon[(i + 1) % n]
                if (ya > y) != (yb > y) and x < (xb - xa) * (y - ya) / (yb - ya) + xa:
                    hit = not hit
    return hit


@dataclass(frozen=True, eq=False)
class BodyMap:
    """One view's geometry: outline, named regions, muscle lines and details."""

    spec: ViewSpec
    width: float
    height: float
    outline: tuple[Shape, ...]
    regions: dict[str, tuple[Shape, ...]]  # by body side in both-sides views: trapezius-right
    lines: tuple[Shape, ...]  # drawn thin over the body: muscle shapes, ear, creases

    @property
    def view(self) -> str:
        return self.spec.id

    def contains(self, x: float, y: float) -> bool:
        """Is the point on the body? (Cached: cards name the same points again and again.)"""
        return _contains(self, round(x, 2), round(y, 2))

    def region_names(self) -> list[str]:
        """Region names as cards write them: without the side suffix, masks left out."""
        names = {self.base_name(name) for name in self.regions if not name.startswith(MASK_PREFIX)}
        return sorted(names)

    def base_name(self, name: str) -> str:
        if self.spec.both_sides and name.endswith(("-right", "-left")):
            return name.rsplit("-", 1)[0]
        return name

    def region(self, name: str, side: str) -> tuple[Shape, ...]:
        """A region's shapes on one side of the body (both sides of a region without side)."""
        if not self.spec.both_sides:
            return self.regions.get(name, ())
        return self.regions.get(f"{name}-{side}", ()) or self.regions.get(name, ())

    def masks(self) -> list[tuple[Shape, ...]]:
        """Arm areas a close-up hides (one per arm)."""
        return [shapes for name, shapes in sorted(self.regions.items()) if name.startswith(MASK_PREFIX)]

    def mirror_x(self, x: float) -> float:
        return self.width - x

    def extent(self) -> tuple[float, float, float, float]:
        """The body's bounding box in grid units (x, y, width, height), with a small margin."""
        return _extent(self)


@lru_cache(maxsize=8192)
def _contains(body: BodyMap, x: float, y: float) -> bool:
    return inside(body.outline, x, y)


@lru_cache(maxsize=16)
def _extent(body: BodyMap) -> tuple[float, float, float, float]:
    boxes = [shape.bounds() for shape in body.outline]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = 0.012 * max(body.width, body.height)
    return x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad


@cache
def body_map(view: str) -> BodyMap:
    """The view's geometry: parsed once per process, and kept between processes in the
    cache folder (keyed by the SVG's content), so a one-card command does not parse the
    back and front views' path data (a tenth of a second each) every time."""
    import hashlib

    from routinecard.diskcache import cached_json

    spec = load_atlas().views[view]
    source = spec.file.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    data = cached_json("bodymaps", f"atlas-{view}-{digest}-v1", lambda: _parse_view(source))

    def shapes(items: list[list[tuple[str, list[float]]]]) -> tuple[Shape, ...]:
        return tuple(Shape(tuple((str(op), tuple(float(v) for v in args)) for op, args in segments))
                     for segments in items)

    return BodyMap(spec, float(data["width"]), float(data["height"]), shapes(data["outline"]),
                   {name: shapes(items) for name, items in data["regions"].items()}, shapes(data["lines"]))


def _parse_view(source: bytes) -> dict[str, Any]:
    """The SVG's outline, named regions and drawn lines, as plain JSON-able data."""
    root = ElementTree.fromstring(source)
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    outline: list[list[Segment]] = []
    regions: dict[str, list[list[Segment]]] = {}
    lines: list[list[Segment]] = []
    for element in root.iter(f"{SVG}path"):
        segments = parse_path(element.attrib["d"])
        name = element.attrib.get("id")
        if name == "outline":
            outline = [segments]
        elif name:
            regions[name] = [segments]
    for group in root.iter(f"{SVG}g"):
        group_id = group.attrib.get("id")
        if group_id == "details" or (group_id == "regions" and group.attrib.get("stroke", "none") != "none"):
            lines.extend(parse_path(e.attrib["d"]) for e in group.iter(f"{SVG}path")
                         if not e.attrib.get("id", "").startswith(MASK_PREFIX))
    if not outline:
        raise RuntimeError("an atlas view has no outline")
    return {"width": width, "height": height, "outline": outline, "regions": regions, "lines": lines}


# -- what a figure shows -----------------------------------------------------------------


@dataclass(frozen=True)
class Ellipse:
    x: float
    y: float
    rx: float
    ry: float

    def mirrored(self, width: float) -> Ellipse:
        return Ellipse(width - self.x, self.y, self.rx, self.ry)


@dataclass(frozen=True)
class Highlight:
    """One point drawn on a map: its number, marker (grid units), and referral area."""

    number: int
    x: float
    y: float
    regions: tuple[Shape, ...]
    areas: tuple[Ellipse, ...]


@dataclass(frozen=True)
class FigureStyle:
    body_fill: str = "#e1e6ec"
    body_line: str = "#56606b"
    muscle_line: str = "#a9b4bf"
    referral_fill: str = "#f6c9c4"
    referral_hatch: str = "#b3261e"
    marker_fill: str = "#1f4e79"
    marker_ring: str = "#ffffff"


def highlights_for(number: int, side: str, marker_x: float, marker_y: float, view: str,
                   region_names: Iterable[str], areas: Iterable[Ellipse]) -> list[Highlight]:
    """The marker and referral area on each side the point is shown on.

    In a both-sides view the left side is mirrored about the midline. In a one-side view
    the highlight stays in the right side's coordinates: the figure mirrors the picture."""
    body = body_map(view)
    names = tuple(region_names)
    ellipses = tuple(areas)
    if not body.spec.both_sides:
        regions = tuple(shape for name in names for shape in body.region(name, "right"))
        return [Highlight(number, marker_x, marker_y, regions, ellipses)]
    result: list[Highlight] = []
    for one_side in (["right", "left"] if side == "both" else [side]):
        regions = tuple(shape for name in names for shape in body.region(name, one_side))
        if one_side == "left":
            result.append(Highlight(number, body.mirror_x(marker_x), marker_y, regions,
                                    tuple(e.mirrored(body.width) for e in ellipses)))
        else:
            result.append(Highlight(number, marker_x, marker_y, regions, ellipses))
    return result


def _ellipse_polygon(e: Ellipse, sides: int = 40) -> list[tuple[float, float]]:
    return [(e.x + e.rx * math.cos(2 * math.pi * k / sides), e.y + e.ry * math.sin(2 * math.pi * k / sides))
            for k in range(sides)]


@lru_cache(maxsize=1024)
def ellipse_on_body(view: str, e: Ellipse) -> Shape:
    """The part of an ellipse that lies on the body, as a polygon: the body outline clipped
    by the (convex) ellipse, Sutherland-Hodgman. Drawn instead of the ellipse, it needs no
    clip to the body outline, so the outline is not written into the page again."""
    window = _ellipse_polygon(e)
    pieces: list[Segment] = []
    for outline in body_map(view).outline:
        for subject in outline.polygons(4):
            points = subject
            for i in range(len(window)):
                ax, ay = window[i]
                bx, by = window[(i + 1) % len(window)]

                def keep(p: tuple[float, float]) -> bool:
                    return (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) >= 0

                def cut(p: tuple[float, float], q: tuple[float, float]) -> tuple[float, float]:
                    ex, ey = bx - ax, by - ay  # the clip edge
                    dx, dy = q[0] - p[0], q[1] - p[1]  # the subject edge
                    denominator = dx * ey - dy * ex
                    u = ((ax - p[0]) * ey - (ay - p[1]) * ex) / denominator if denominator else 0.0
                    return p[0] + u * dx, p[1] + u * dy

                result: list[tuple[float, float]] = []
                for j in range(len(points)):
                    current, previous = points[j], points[j - 1]
                    if keep(current):
                        if not keep(previous):
                            result.append(cut(previous, current))
                        result.append(current)
                    elif keep(previous):
                        result.append(cut(previous, current))
                points = result
                if not points:
                    break
            rounded: list[tuple[float, float]] = []
            for x, y in points:  # a tenth of a grid unit is far below a printed dot
                point = (round(x, 1), round(y, 1))
                if not rounded or rounded[-1] != point:
                    rounded.append(point)
            if len(rounded) >= 3:
                pieces.append(("M", rounded[0]))
                pieces.extend(("L", p) for p in rounded[1:])
                pieces.append(("Z", ()))
    return Shape(tuple(pieces))


def _add_shapes(path: PDFPathObject, shapes: Iterable[Shape]) -> None:
    """Append the shapes' path operators. Their text is made once per shape and process:
    formatting every coordinate anew was a fifth of a warm build. reportlab keeps a path
    as a list of operator strings that starts with 'n'; cached text joins that list."""
    code: list[str] = getattr(path, "_code")  # noqa: B009 - reportlab has no public bulk append
    for shape in shapes:
        if not shape.segments:
            continue
        if not code:
            code.append("n")
            path._code_append = code.append  # type: ignore[attr-defined]  # reportlab's first-append hook, done
        code.append(_shape_code(shape))


@lru_cache(maxsize=2048)
def _shape_code(shape: Shape) -> str:
    """The shape's operators as PDF text (no leading 'n'). Coordinates are rounded to a
    tenth of a grid unit: about 0.01 pt at the largest figure, invisible in print, and a
    tenth smaller PDF than the geometry's two decimals."""
    path = PDFPathObject()
    for op, args in shape.segments:
        a = [round(v, 1) for v in args]
        if op == "M":
            path.moveTo(a[0], a[1])
        elif op == "L":
            path.lineTo(a[0], a[1])
        elif op == "C":
            path.curveTo(*a)
        else:
            path.close()
    text = str(path.getCode())
    return text[2:] if text.startswith("n ") else text


def _add_ellipses(path: PDFPathObject, ellipses: Iterable[Ellipse]) -> None:
    """Ellipses as four curves each, added to the path (never a separate canvas call, which
    would end the path: the bug that once dropped regions whenever areas were given)."""
    k = 0.5523
    for e in ellipses:
        x, y, rx, ry = e.x, e.y, e.rx, e.ry
        path.moveTo(x + rx, y)
        path.curveTo(x + rx, y + k * ry, x + k * rx, y + ry, x, y + ry)
        path.curveTo(x - k * rx, y + ry, x - rx, y + k * ry, x - rx, y)
        path.curveTo(x - rx, y - k * ry, x - k * rx, y - ry, x, y - ry)
        path.curveTo(x + k * rx, y - ry, x + rx, y - k * ry, x + rx, y)
        path.close()


def _define_forms(canvas: Canvas, body: BodyMap) -> tuple[str, str, str]:
    """The view's fill, muscle lines and edge as Form XObjects, defined once per PDF and
    placed with `Do` wherever the view appears. They set no colour or line width: those
    come from the graphics state where the form is placed."""
    fill_name, lines_name = f"rc-view-{body.view}-fill", f"rc-view-{body.view}-lines"
    edge_name = f"rc-view-{body.view}-edge"
    if not canvas.hasForm(edge_name):
        canvas.beginForm(edge_name, 0, 0, body.width, body.height)
        path = canvas.beginPath()
        _add_shapes(path, body.outline)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.endForm()
    if not canvas.hasForm(fill_name):
        canvas.beginForm(fill_name, 0, 0, body.width, body.height)
        path = canvas.beginPath()
        _add_shapes(path, body.outline)
        canvas.drawPath(path, stroke=0, fill=1, fillMode=FILL_EVEN_ODD)
        canvas.endForm()
    if not canvas.hasForm(lines_name):
        canvas.beginForm(lines_name, 0, 0, body.width, body.height)
        if body.lines:
            muscles = canvas.beginPath()
            _add_shapes(muscles, body.lines)
            canvas.drawPath(muscles, stroke=1, fill=0)
        canvas.endForm()
    return fill_name, lines_name, edge_name


@dataclass(frozen=True)
class Placed:
    """Where one marker's label is drawn: at its dot, or moved aside with a leader line."""

    highlight: Highlight
    dot: tuple[float, float]  # the site, in figure points
    label: tuple[float, float]  # the numbered disc's centre, in figure points

    @property
    def moved(self) -> bool:
        return self.dot != self.label


def segments_cross(a: tuple[tuple[float, float], tuple[float, float]],
                   b: tuple[tuple[float, float], tuple[float, float]]) -> bool:
    """Do two line segments cross (sharing an end point does not count)?"""
    (p1, p2), (p3, p4) = a, b
    if p1 in (p3, p4) or p2 in (p3, p4):
        return False

    def orient(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
    d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
    return ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4)


def uncross(placed: list[Placed]) -> list[Placed]:
    """Swap labels between leader lines that cross until none do: each swap shortens the
    total length of the leaders, so this ends."""
    items = list(placed)
    for _ in range(len(items) ** 2 + 1):
        swapped = False
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                a, b = items[i], items[j]
                if segments_cross((a.dot, a.label), (b.dot, b.label)):
                    items[i] = Placed(a.highlight, a.dot, b.label)
                    items[j] = Placed(b.highlight, b.dot, a.label)
                    swapped = True
        if not swapped:
            break
    return items


def _point_segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def leader_conflicts(placed: Sequence[Placed], clearance: float) -> int:
    """How often a leader line crosses another (counted ten times) or passes within
    `clearance` of another site's dot."""
    count = 0
    for i, a in enumerate(placed):
        for j, b in enumerate(placed):
            if i < j and segments_cross((a.dot, a.label), (b.dot, b.label)):
                count += 10
            if i != j and b.dot != a.dot and _point_segment_distance(b.dot, a.dot, a.label) < clearance:
                count += 1
    return count


def untangle(placed: list[Placed], clearance: float) -> list[Placed]:
    """Swap labels while that lowers the conflicts (crossings first, then leaders grazing
    other dots). Every accepted swap lowers a whole-number count, so this ends."""
    items = uncross(placed)
    best = leader_conflicts(items, clearance)
    improved = best > 0
    while improved:
        improved = False
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                trial = list(items)
                trial[i] = Placed(items[i].highlight, items[i].dot, items[j].label)
                trial[j] = Placed(items[j].highlight, items[j].dot, items[i].label)
                score = leader_conflicts(trial, clearance)
                if score < best:
                    items, best, improved = trial, score, True
    return items


class BodyFigure(Flowable):
    """A body view (or a window of it) at a given height, with highlights.

    `window` is (x, y, width, height) in grid units; `mirror` draws a one-side view for
    the left side. `callouts` puts numbered labels in gutters beside the body, joined to
    small dots by leader lines (overviews); otherwise each marker sits on its site and a
    marker that would cover another is moved aside with a leader line (close-ups).
    """

    def __init__(
        self,
        view: str,
        height: float,
        highlights: Sequence[Highlight],
        *,
        window: tuple[float, float, float, float] | None = None,
        marker_size: float = 12.0,
        style: FigureStyle = FigureStyle(),
        hatch: bool = True,
        frame: bool = False,
        callouts: bool = False,
        hide_arms: bool = False,
        mirror: bool = False,
    ) -> None:
        super().__init__()
        self.view = view
        self.body = body_map(view)
        self.mirror = mirror
        self.window = window or (0.0, 0.0, self.body.width, self.body.height)
        _, _, ww, wh = self.window
        self.scale = height / wh
        self.callouts = callouts
        self.hide_arms = hide_arms
        self.gutter_left = self.gutter_right = 0.0
        self.highlights = list(highlights)
        self.marker_size = marker_size
        if callouts:
            sides = {self._on_right(h) for h in self.highlights}
            self.gutter_right = marker_size * 2.2 if True in sides else 0.0
            self.gutter_left = marker_size * 2.2 if False in sides else 0.0
        self.width = ww * self.scale + self.gutter_left + self.gutter_right
        self.height = height
        self.style = style
        self.hatch = hatch
        self.frame = frame

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def _on_right(self, highlight: Highlight) -> bool:
        """Is the marker on the right half of the figure as printed?"""
        x, _ = self.to_figure(highlight.x, highlight.y, gutter=False)
        return x >= (self.width - self.gutter_left - self.gutter_right) / 2

    def display_x(self, x: float) -> float:
        return self.body.width - x if self.mirror else x

    def to_figure(self, x: float, y: float, gutter: bool = True) -> tuple[float, float]:
        """Grid -> figure coordinates (y grows upwards in PDF)."""
        wx, wy, _, wh = self.display_window()
        left = self.gutter_left if gutter else 0.0
        return (self.display_x(x) - wx) * self.scale + left, (wy + wh - y) * self.scale

    def display_window(self) -> tuple[float, float, float, float]:
        wx, wy, ww, wh = self.window
        if self.mirror:
            wx = self.body.width - wx - ww
        return wx, wy, ww, wh

    def _enter_grid(self, canvas: Canvas) -> None:
        """Map grid units (y down, mirrored if asked) onto the figure (y up)."""
        wx, wy, _, wh = self.display_window()
        s = self.scale
        canvas.transform(s, 0, 0, -s, self.gutter_left - wx * s, (wy + wh) * s)
        if self.mirror:
            canvas.transform(-1, 0, 0, 1, self.body.width, 0)

    def _body_clip(self, canvas: Canvas) -> None:
        path = canvas.beginPath()
        _add_shapes(path, self.body.outline)
        canvas.clipPath(path, stroke=0, fill=0, fillMode=FILL_EVEN_ODD)

    def hidden_masks(self) -> list[tuple[Shape, ...]]:
        """Arms to fade: never one that holds a marker or referral shading (a forearm or
        shoulder close-up keeps its arm)."""
        if not self.hide_arms:
            return []
        return [mask for mask in self.body.masks() if not any(self._touches(mask, h) for h in self.highlights)]

    @staticmethod
    def _touches(mask: tuple[Shape, ...], highlight: Highlight) -> bool:
        points = [(highlight.x, highlight.y)]
        for shape in highlight.regions:
            for polygon in shape.polygons(2):
                points += polygon[:: max(1, len(polygon) // 12)]
        for e in highlight.areas:
            points += [(e.x, e.y)] + _ellipse_polygon(e, 8)
        return any(inside(mask, x, y) for x, y in points)

    def draw(self) -> None:
        canvas: Canvas = self.canv
        style = self.style
        body = self.body
        wx, wy, ww, wh = self.window
        unit = 1 / self.scale  # one point on paper, in grid units
        fill_form, lines_form, edge_form = _define_forms(canvas, body)
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(0, 0, self.width, self.height)
        canvas.clipPath(clip, stroke=0, fill=0)
        if self.frame:
            canvas.setFillColor(colors.white)
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        self._enter_grid(canvas)
        canvas.setFillColor(colors.HexColor(style.body_fill))
        canvas.doForm(fill_form)

        areas = [h for h in self.highlights if h.regions or h.areas]
        if areas:
            # Each region and ellipse is filled and hatched on its own: shapes that overlap
            # (a region and an ellipse, two muscle heads) must add up, never cancel out.
            canvas.saveState()
            # The back and front views' regions lie inside the body and ellipses are cut
            # to it beforehand; only the detail views' rough regions need the clip.
            if not body.spec.both_sides:
                self._body_clip(canvas)
            canvas.setFillColor(colors.HexColor(style.referral_fill))
            pieces = self._referral_pieces(canvas, areas)
            for piece, _ in pieces:
                canvas.drawPath(piece, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
            if self.hatch:
                # Diagonal lines, so the area reads in black and white at every size; on
                # one grid (x + y = k * spacing) so neighbouring pieces line up.
                spacing = max(2.0, self.marker_size * 0.26) * unit
                canvas.setStrokeColor(colors.HexColor(style.referral_hatch))
                canvas.setLineWidth(max(0.5, self.marker_size * 0.045) * unit)
                for piece, (x0, y0, x1, y1) in pieces:
                    canvas.saveState()
                    canvas.clipPath(piece, stroke=0, fill=0, fillMode=FILL_NON_ZERO)
                    hatch = canvas.beginPath()
                    for k in range(math.floor((x0 + y0) / spacing), math.ceil((x1 + y1) / spacing) + 1):
                        c = k * spacing
                        hatch.moveTo(c - y1, y1)
                        hatch.lineTo(c - y0, y0)
                    canvas.drawPath(hatch, stroke=1, fill=0)
                    canvas.restoreState()
            canvas.restoreState()

        canvas.setLineJoin(1)
        canvas.setStrokeColor(colors.HexColor(style.muscle_line))
        canvas.setLineWidth(max(0.3, self.marker_size * 0.025) * unit)
        canvas.doForm(lines_form)
        canvas.setStrokeColor(colors.HexColor(style.body_line))
        canvas.setLineWidth(max(0.6, self.marker_size * 0.06) * unit)
        canvas.doForm(edge_form)
        masks = self.hidden_masks()
        if masks:
            # The arm stays, faded: context without a hand that reads as part of the site.
            canvas.setFillColor(colors.white)
            canvas.setFillAlpha(0.72)
            fade = canvas.beginPath()
            for mask in masks:
                _add_shapes(fade, mask)
            canvas.drawPath(fade, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
        canvas.restoreState()

        placed = self.callout_positions() if self.callouts else self.marker_positions()
        dot = self.dot_radius(placed)
        for item in placed:
            if item.moved:
                canvas.setStrokeColor(colors.HexColor(style.marker_fill))
                canvas.setLineWidth(max(0.6, self.marker_size * 0.06))
                canvas.line(*item.dot, *item.label)
                canvas.setFillColor(colors.HexColor(style.marker_fill))
                canvas.setStrokeColor(colors.HexColor(style.marker_ring))
                canvas.setLineWidth(max(0.4, dot * 0.35))
                canvas.circle(*item.dot, dot, stroke=1, fill=1)
            self._marker(canvas, item.highlight.number, item.label)
        if self.frame:
            canvas.setStrokeColor(colors.HexColor(style.body_line))
            canvas.setLineWidth(0.6)
            canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)

    def _referral_pieces(self, canvas: Canvas,
                         areas: Sequence[Highlight]) -> list[tuple[PDFPathObject, tuple[float, float, float, float]]]:
        """Each region and ellipse as its own path, with its bounding box (grid units)."""
        pieces: list[tuple[PDFPathObject, tuple[float, float, float, float]]] = []
        for highlight in areas:
            for shape in highlight.regions:
                path = canvas.beginPath()
                _add_shapes(path, (shape,))
                pieces.append((path, shape.bounds()))
            for e in highlight.areas:
                path = canvas.beginPath()
                if self.body.spec.both_sides:
                    on_body = ellipse_on_body(self.view, e)
                    if not on_body.segments:
                        continue
                    _add_shapes(path, (on_body,))
                else:
                    _add_ellipses(path, (e,))
                pieces.append((path, (e.x - e.rx, e.y - e.ry, e.x + e.rx, e.y + e.ry)))
        return pieces

    def dot_radius(self, placed: Sequence[Placed]) -> float:
        """Small dots for moved markers, never so big that two dots touch."""
        radius = max(1.6, self.marker_size * 0.2)
        dots = sorted({item.dot for item in placed if item.moved})
        for i, a in enumerate(dots):
            for b in dots[i + 1:]:
                gap = math.dist(a, b)
                if gap > 0:
                    radius = min(radius, gap * 0.45)
        return max(0.8, radius)

    def visible(self, highlight: Highlight) -> bool:
        x, y = self.to_figure(highlight.x, highlight.y)
        return -0.5 <= x <= self.width + 0.5 and -0.5 <= y <= self.height + 0.5

    def marker_positions(self) -> list[Placed]:
        """Markers on their sites; one that would cover another moves to the nearest free
        spot inside the figure (a ring search), with a leader line back to its site."""
        size = self.marker_size
        r = size / 2
        placed: list[Placed] = []
        shown = sorted((h for h in self.highlights if self.visible(h)), key=lambda h: (h.number, h.x))
        labels: list[tuple[float, float]] = []
        for highlight in shown:
            dot = self.to_figure(highlight.x, highlight.y)
            spot = dot
            if any(math.dist(spot, other) < size * 1.05 for other in labels):
                spot = self._free_spot(dot, labels, placed)
            labels.append(spot)
            placed.append(Placed(highlight, dot, spot))
        return uncross(placed) if any(p.moved for p in placed) else placed

    def _free_spot(self, dot: tuple[float, float], labels: list[tuple[float, float]],
                   placed: list[Placed]) -> tuple[float, float]:
        size = self.marker_size
        r = size / 2
        dots = [p.dot for p in placed] + [dot]
        for ring in range(1, 12):
            distance = size * (0.9 + 0.55 * ring)
            for step in range(16):
                angle = math.pi / 2 - step * math.pi / 8  # start above, go clockwise
                x = dot[0] + distance * math.cos(angle)
                y = dot[1] + distance * math.sin(angle)
                if not (r <= x <= self.width - r and r <= y <= self.height - r):
                    continue
                if any(math.dist((x, y), other) < size * 1.05 for other in labels):
                    continue
                if any(math.dist((x, y), d) < r + 1.5 for d in dots if d != dot):
                    continue
                leader = (dot, (x, y))
                if any(segments_cross(leader, (p.dot, p.label)) for p in placed if p.moved):
                    continue
                return x, y
        return dot  # nowhere free: keep it on its site

    def callout_positions(self) -> list[Placed]:
        """Labels in the gutters beside the body, spread apart and joined to the sites by
        leader lines that do not cross."""
        placed: list[Placed] = []
        for right in (True, False):
            group = sorted((h for h in self.highlights if self._on_right(h) == right),
                           key=lambda h: (-self.to_figure(h.x, h.y)[1], h.number))
            if not group:
                continue
            # Labels a quarter of a marker apart, closer when many share a short figure.
            spacing = min(self.marker_size * 1.25, max(self.marker_size * 1.05, self.height / len(group)))
            label_x = self.width - self.marker_size / 2 - 0.5 if right else self.marker_size / 2 + 0.5
            ys: list[float] = []
            for h in group:  # from the top of the figure down
                y = self.to_figure(h.x, h.y)[1]
                y = min(y, self.height - self.marker_size / 2)
                if ys and ys[-1] - y < spacing:
                    y = ys[-1] - spacing
                ys.append(y)
            overflow = self.marker_size / 2 - ys[-1]
            if overflow > 0:  # pushed below the figure: shift the stack up
                ys = [y + overflow for y in ys]
            side = [Placed(h, self.to_figure(h.x, h.y), (label_x, y)) for h, y in zip(group, ys)]
            placed += untangle(side, max(1.6, self.marker_size * 0.2) + 0.8)
        return placed

    def _marker(self, canvas: Canvas, number: int, at: tuple[float, float]) -> None:
        x, y = at
        r = self.marker_size / 2
        canvas.setFillColor(colors.HexColor(self.style.marker_fill))
        canvas.setStrokeColor(colors.HexColor(self.style.marker_ring))
        canvas.setLineWidth(max(1.0, r * 0.22))
        canvas.circle(x, y, r, stroke=1, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Atkinson-Bold", self.marker_size * MARKER_DIGIT)
        canvas.drawCentredString(x, y - self.marker_size * 0.24, str(number))


def closeup_window(cx: float, cy: float, size: float, width: float, height: float) -> tuple[float, float, float, float]:
    """A square window centred on (cx, cy), kept inside the grid."""
    w = min(size, width)
    h = min(size, height)
    x = min(max(cx - w / 2, 0.0), width - w)
    y = min(max(cy - h / 2, 0.0), height - h)
    return x, y, w, h


def figure_extent(view: str) -> tuple[float, float, float, float]:
    """The body's bounding box in grid units, so overview figures waste no space."""
    return body_map(view).extent()
