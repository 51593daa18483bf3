"""Body maps: anatomapa's human silhouettes, restyled for print, with numbered markers
and shaded referral areas.

The SVGs (anatomapa 0.4.5, geometry CC0 from gganatogram) are parsed once per process
with svglib; we keep only the geometry (paths in the SVG's 540 x 960 grid) and draw it
ourselves on the canvas: a light fill and dark outline (no heavy black silhouette),
referral areas tinted and hatched so they read in black and white, and markers whose
numbers are drawn in the card's own embedded font (svglib would look fonts up on the
system).

Sides: coordinates in cards are written for the body's right side. In the posterior
view the body's right is the viewer's right (x > 270); `side: left` mirrors about the
midline. anatomapa names regions by the side of the image (x > 270 is "-right" in both
views), so in the anterior view the body's right side is anatomapa's "-left".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject
from reportlab.platypus import Flowable

if TYPE_CHECKING:
    from routinecard.model import Card

FILL_EVEN_ODD = 0  # reportlab.pdfgen.canvas.FILL_EVEN_ODD (missing from types-reportlab)
View = Literal["posterior", "anterior"]
VIEWS: tuple[View, ...] = ("posterior", "anterior")  # the order body maps are printed in
Side = Literal["right", "left"]

GRID_WIDTH = 540.0
GRID_HEIGHT = 960.0
MIDLINE = GRID_WIDTH / 2
MIDLINE_TOLERANCE = 15.0  # points on the spine may sit a little either side of the midline
BODY = "male"
MARKER_DIGIT = 0.68  # a marker's number, as a fraction of the marker's diameter
# Close-ups of the hip or thigh would otherwise show the hanging hand beside them.
ARM_REGIONS = frozenset({"upper_arm", "elbow", "forearm", "wrist", "hand", "finger"})  # anatomapa ships male and female outlines; one neutral figure for all cards

# A path in grid units: a list of subpaths, each a list of drawing operations.
Segment = tuple[str, tuple[float, ...]]  # ("M", (x, y)) | ("L", (x, y)) | ("C", (x1, y1, x2, y2, x, y)) | ("Z", ())


@dataclass(frozen=True)
class Shape:
    segments: tuple[Segment, ...]

    def mirrored(self) -> Shape:
        out: list[Segment] = []
        for op, args in self.segments:
            flipped = tuple(GRID_WIDTH - v if i % 2 == 0 else v for i, v in enumerate(args))
            out.append((op, flipped))
        return Shape(tuple(out))

    def polygons(self, steps: int = 8) -> list[list[tuple[float, float]]]:
        """The outline flattened into polygons (curves sampled), for hit tests. Cached."""
        return _polygons(self, steps)

    def _flatten(self, steps: int) -> list[list[tuple[float, float]]]:
        polygons: list[list[tuple[float, float]]] = []
        current: list[tuple[float, float]] = []
        for op, args in self.segments:
            if op == "M":
                if current:
                    polygons.append(current)
                current = [(args[0], args[1])]
            elif op == "L":
                current.append((args[0], args[1]))
            elif op == "C" and current:
                x0, y0 = current[-1]
                x1, y1, x2, y2, x3, y3 = args
                for k in range(1, steps + 1):
                    t = k / steps
                    mt = 1 - t
                    x = mt**3 * x0 + 3 * mt * mt * t * x1 + 3 * mt * t * t * x2 + t**3 * x3
                    y = mt**3 * y0 + 3 * mt * mt * t * y1 + 3 * mt * t * t * y2 + t**3 * y3
                    current.append((x, y))
            elif op == "Z" and current:
                polygons.append(current)
                current = []
        if current:
            polygons.append(current)
        return polygons


@dataclass(frozen=True)
class BodyMap:
    """One view's geometry: the outline and the named regions (by image side)."""

    view: View
    outline: tuple[Shape, ...]
    regions: dict[str, tuple[Shape, ...]]

    @property
    def line_art(self) -> bool:
        """True when the outline is a ring of line art (anatomapa's front view) rather than
        a filled silhouette (its back view): then the regions give the body's area and the
        outline is filled in the line colour."""
        return _is_line_art(self)

    @property
    def body(self) -> tuple[Shape, ...]:
        """The shapes that cover the body's surface."""
        if self.line_art:
            return tuple(shape for shapes in self.regions.values() for shape in shapes)
        return self.outline

    def contains(self, x: float, y: float) -> bool:
        """Is the point on the body? (Cached: cards name the same points again and again.)"""
        return _contains(self, x, y)

    def __hash__(self) -> int:  # the geometry is immutable; one map per view per process
        return hash((self.view, len(self.outline), len(self.regions)))

    def region_names(self) -> list[str]:
        """Region names as cards write them: without the side suffix."""
        return sorted({name.rsplit("-", 1)[0] for name in self.regions})

    def region(self, name: str, side: Side) -> tuple[Shape, ...]:
        image_side = side if self.view == "posterior" else ("left" if side == "right" else "right")
        return self.regions.get(f"{name}-{image_side}", ())


@lru_cache(maxsize=8)
def _is_line_art(body: BodyMap) -> bool:
    return not _inside(body.outline, MIDLINE - 30.0, 300.0)  # a point on the back or chest


@lru_cache(maxsize=1024)
def _contains(body: BodyMap, x: float, y: float) -> bool:
    if body.line_art:
        return any(_inside((shape,), x, y) for shape in body.body)
    return _inside(body.outline, x, y)


def _inside(shapes: tuple[Shape, ...], x: float, y: float) -> bool:
    """Even-odd test of a point against shapes."""
    inside = False
    for shape in shapes:
        for polygon in shape.polygons():
            n = len(polygon)
            for i in range(n):
                (xa, ya), (xb, yb) = polygon[i], polygon[(i + 1) % n]
                if (ya > y) != (yb > y) and x < (xb - xa) * (y - ya) / (yb - ya) + xa:
                    inside = not inside
    return inside


def _asset(view: View) -> Path:
    """The SVG inside the installed anatomapa package (found, not imported: importing
    anatomapa pulls in its renderers and readers, which we do not use)."""
    import importlib.util

    spec = importlib.util.find_spec("anatomapa")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise RuntimeError("the anatomapa package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / f"body_{BODY}_{view}.svg"


def _shapes_of(node: object) -> Iterable[Shape]:
    """Every reportlab Path under a svglib node, as our Shape (grid coordinates)."""
    from reportlab.graphics.shapes import Path as RLPath

    for child in getattr(node, "contents", []):
        if isinstance(child, RLPath):
            segments: list[Segment] = []
            points = child.points
            i = 0
            for op in child.operators:
                if op == 0:
                    segments.append(("M", tuple(points[i : i + 2])))
                    i += 2
                elif op == 1:
                    segments.append(("L", tuple(points[i : i + 2])))
                    i += 2
                elif op == 2:
                    segments.append(("C", tuple(points[i : i + 6])))
                    i += 6
                else:
                    segments.append(("Z", ()))
            yield Shape(tuple(segments))
        else:
            yield from _shapes_of(child)


@cache
def body_map(view: View) -> BodyMap:
    """The view's geometry: parsed once per process, and kept between processes in the
    cache folder (keyed by the SVG's content), so a one-card command does not pay for
    parsing the SVG every time."""
    import hashlib

    from routinecard.diskcache import cached_json

    source = _asset(view)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]

    def parse() -> dict[str, Any]:
        parsed = _parse_body_map(view, source)
        return {
            "outline": [list(s.segments) for s in parsed.outline],
            "regions": {k: [list(s.segments) for s in v] for k, v in parsed.regions.items()},
        }

    def shapes(items: list[Any]) -> tuple[Shape, ...]:
        return tuple(Shape(tuple((op, tuple(args)) for op, args in segments)) for segments in items)

    data = cached_json("bodymaps", f"{view}-{digest}-v1", parse)
    return BodyMap(view, shapes(data["outline"]), {k: shapes(v) for k, v in data["regions"].items()})


def _parse_body_map(view: View, source: Path) -> BodyMap:
    """Parse the SVG with svglib and keep only the geometry."""
    from svglib.svglib import svg2rlg

    drawing = svg2rlg(str(source))
    if drawing is None:  # pragma: no cover - the asset ships with anatomapa
        raise RuntimeError(f"cannot read the {view} body map")
    outline: tuple[Shape, ...] = ()
    regions: dict[str, tuple[Shape, ...]] = {}

    def visit(node: object) -> None:
        nonlocal outline
        for child in getattr(node, "contents", []):
            svgid = getattr(child, "svgid", None)
            if svgid == "body-outline":
                outline = tuple(_shapes_of(child)) or outline
            elif svgid == "silhouette":
                visit(child)
            elif svgid and svgid not in ("regions",) and hasattr(child, "contents"):
                regions[svgid] = tuple(_shapes_of(child))
            else:
                visit(child)

    visit(drawing)
    if not outline:
        # Some svglib versions wrap the outline path without its id: fall back to the group.
        for child in getattr(drawing, "contents", []):
            for grandchild in getattr(child, "contents", []):
                if getattr(grandchild, "svgid", None) == "silhouette":
                    outline = tuple(_shapes_of(grandchild))
    return BodyMap(view, outline, regions)


# -- what a figure shows -----------------------------------------------------------------


@dataclass(frozen=True)
class Ellipse:
    x: float
    y: float
    rx: float
    ry: float

    def mirrored(self) -> Ellipse:
        return Ellipse(GRID_WIDTH - self.x, self.y, self.rx, self.ry)


@dataclass(frozen=True)
class Highlight:
    """One point drawn on a map: its number, marker, and referral area, on one side."""

    number: int
    x: float
    y: float
    regions: tuple[Shape, ...]
    areas: tuple[Ellipse, ...]


@dataclass(frozen=True)
class FigureStyle:
    body_fill: str = "#e1e6ec"
    body_line: str = "#56606b"
    referral_fill: str = "#f6c9c4"
    referral_hatch: str = "#b3261e"
    marker_fill: str = "#1f4e79"
    marker_ring: str = "#ffffff"


def highlights_for(number: int, side: str, marker_x: float, marker_y: float, view: View,
                   region_names: Iterable[str], areas: Iterable[Ellipse]) -> list[Highlight]:
    """The marker and referral area on each side the point is shown on."""
    bodies = body_map(view)
    result: list[Highlight] = []
    sides: list[Side] = ["right", "left"] if side == "both" else ["left"] if side == "left" else ["right"]
    for one_side in sides:
        regions = tuple(shape for name in region_names for shape in bodies.region(name, one_side))
        ellipses = tuple(areas)
        x = marker_x
        if one_side == "left":
            x = GRID_WIDTH - marker_x
            ellipses = tuple(e.mirrored() for e in ellipses)
        result.append(Highlight(number, x, marker_y, regions, ellipses))
    return result


class BodyFigure(Flowable):
    """A body map (or a window of it) at a given width, with highlights.

    `window` is (x, y, width, height) in grid units; the figure keeps its aspect ratio.
    `shade` draws referral areas; `hatch` adds diagonal lines so they survive greyscale.
    """

    def __init__(
        self,
        view: View,
        height: float,
        highlights: list[Highlight],
        *,
        window: tuple[float, float, float, float] | None = None,
        marker_size: float = 12.0,
        style: FigureStyle = FigureStyle(),
        hatch: bool = True,
        frame: bool = False,
        callouts: bool = False,
        hide_arms: bool = False,
    ) -> None:
        super().__init__()
        self.view = view
        self.window = window or (0.0, 0.0, GRID_WIDTH, GRID_HEIGHT)
        wx, wy, ww, wh = self.window
        self.scale = height / wh
        self.callouts = callouts
        self.hide_arms = hide_arms
        # Callouts: small dots on the body, numbered labels in a gutter beside it, joined
        # by leader lines, so markers a few millimetres apart never cover each other.
        self.gutter_left = self.gutter_right = 0.0
        if callouts:
            sides = {h.x >= MIDLINE for h in highlights}
            self.gutter_right = marker_size * 2.2 if True in sides else 0.0
            self.gutter_left = marker_size * 2.2 if False in sides else 0.0
        self.width = ww * self.scale + self.gutter_left + self.gutter_right
        self.height = height
        self.highlights = highlights
        self.marker_size = marker_size
        self.style = style
        self.hatch = hatch
        self.frame = frame

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    # grid -> figure coordinates (y grows upwards in PDF)
    def to_figure(self, x: float, y: float) -> tuple[float, float]:
        wx, wy, _, wh = self.window
        return (x - wx) * self.scale + self.gutter_left, (wy + wh - y) * self.scale

    def _grid_path(self, canvas: Canvas, shapes: Iterable[Shape] = (), ellipses: Iterable[Ellipse] = ()) -> PDFPathObject:
        """A canvas path in grid units (draw it under `_enter_grid`). The PDF operators
        of each shape are built once per process: the outline has thousands of points."""
        path = PDFPathObject(code=[_shape_code(shape) for shape in shapes])  # the canvas's beginPath(), pre-filled
        for e in ellipses:
            path.ellipse(e.x - e.rx, e.y - e.ry, 2 * e.rx, 2 * e.ry)
        return path

    def _enter_grid(self, canvas: Canvas) -> None:
        """Map grid units (y down) onto the figure (y up)."""
        wx, wy, _, wh = self.window
        s = self.scale
        canvas.transform(s, 0, 0, -s, self.gutter_left - wx * s, (wy + wh) * s)

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        body = body_map(self.view)
        wx, wy, ww, wh = self.window
        points = 1 / self.scale  # one point on paper, in grid units
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(0, 0, self.width, self.height)
        canvas.clipPath(clip, stroke=0, fill=0)
        if self.frame:
            canvas.setFillColor(colors.white)
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        self._enter_grid(canvas)
        if self.hide_arms:
            # Even-odd clip: the whole window minus the arm regions.
            arms = [shape for name, shapes in body.regions.items()
                    if name.rsplit("-", 1)[0] in ARM_REGIONS for shape in shapes]
            knockout = self._grid_path(canvas, arms)
            knockout.rect(wx - 10, wy - 10, ww + 20, wh + 20)
            canvas.clipPath(knockout, stroke=0, fill=0, fillMode=FILL_EVEN_ODD)

        canvas.setFillColor(colors.HexColor(style.body_fill))
        canvas.drawPath(self._grid_path(canvas, body.body), stroke=0, fill=1)

        # referral areas, inside the body only: tint, then hatch lines (for greyscale)
        areas = [h for h in self.highlights if h.regions or h.areas]
        if areas:
            canvas.saveState()
            canvas.clipPath(self._grid_path(canvas, body.body), stroke=0, fill=0)
            canvas.setFillColor(colors.HexColor(style.referral_fill))
            for highlight in areas:
                canvas.drawPath(self._grid_path(canvas, highlight.regions, highlight.areas), stroke=0, fill=1)
            if self.hatch:
                spacing = max(2.2, self.marker_size * 0.28) * points
                canvas.setStrokeColor(colors.HexColor(style.referral_hatch))
                canvas.setLineWidth(max(0.45, spacing / points * 0.16) * points)
                for highlight in areas:
                    canvas.saveState()
                    canvas.clipPath(self._grid_path(canvas, highlight.regions, highlight.areas), stroke=0, fill=0)
                    hatch = canvas.beginPath()
                    offset = wx - wh
                    while offset < wx + ww:
                        hatch.moveTo(offset, wy + wh)
                        hatch.lineTo(offset + wh, wy)
                        offset += spacing
                    canvas.drawPath(hatch, stroke=1, fill=0)
                    canvas.restoreState()
            canvas.restoreState()

        canvas.setStrokeColor(colors.HexColor(style.body_line))
        canvas.setLineWidth(max(0.6, self.marker_size * 0.07) * points)
        canvas.setLineJoin(1)
        if body.line_art:
            canvas.setFillColor(colors.HexColor(style.body_line))
            canvas.drawPath(self._grid_path(canvas, body.outline), stroke=0, fill=1)
        else:
            canvas.drawPath(self._grid_path(canvas, body.outline), stroke=1, fill=0)
        canvas.restoreState()

        if self.callouts:
            self._callouts(canvas)
        else:
            for highlight in self.highlights:
                self._marker(canvas, highlight)
        if self.frame:
            canvas.setStrokeColor(colors.HexColor(style.body_line))
            canvas.setLineWidth(0.6)
            canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)

    def callout_positions(self) -> list[tuple[Highlight, tuple[float, float], tuple[float, float]]]:
        """(highlight, dot position, label centre) for every marker, labels spread apart."""
        placed = []
        for right in (True, False):
            group = sorted((h for h in self.highlights if (h.x >= MIDLINE) == right), key=lambda h: h.y)
            if not group:
                continue
            label_x = self.width - self.marker_size / 2 - 0.5 if right else self.marker_size / 2 + 0.5
            spacing = self.marker_size * 1.25
            ys = [self.to_figure(h.x, h.y)[1] for h in group]
            labels: list[float] = []
            for y in ys:  # top to bottom in the grid = descending figure y
                if labels and labels[-1] - y < spacing:
                    y = labels[-1] - spacing
                labels.append(y)
            overflow = self.marker_size / 2 - labels[-1]
            if overflow > 0:  # pushed below the figure: shift the stack up
                labels = [y + overflow for y in labels]
            for h, y in zip(group, labels):
                placed.append((h, self.to_figure(h.x, h.y), (label_x, y)))
        return placed

    def _callouts(self, canvas: Canvas) -> None:
        dot = max(1.6, self.marker_size * 0.2)
        for highlight, (x, y), (lx, ly) in self.callout_positions():
            canvas.setStrokeColor(colors.HexColor(self.style.marker_fill))
            canvas.setLineWidth(max(0.6, self.marker_size * 0.06))
            canvas.line(x, y, lx, ly)
            canvas.setFillColor(colors.HexColor(self.style.marker_fill))
            canvas.setStrokeColor(colors.HexColor(self.style.marker_ring))
            canvas.setLineWidth(max(0.5, dot * 0.35))
            canvas.circle(x, y, dot, stroke=1, fill=1)
            self._marker(canvas, Highlight(highlight.number, 0, 0, (), ()), at=(lx, ly))

    def _marker(self, canvas: Canvas, highlight: Highlight, at: tuple[float, float] | None = None) -> None:
        x, y = at if at is not None else self.to_figure(highlight.x, highlight.y)
        if not (-1 <= x <= self.width + 1 and -1 <= y <= self.height + 1):
            return
        r = self.marker_size / 2
        canvas.setFillColor(colors.HexColor(self.style.marker_fill))
        canvas.setStrokeColor(colors.HexColor(self.style.marker_ring))
        canvas.setLineWidth(max(1.0, r * 0.22))
        canvas.circle(x, y, r, stroke=1, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Atkinson-Bold", self.marker_size * MARKER_DIGIT)
        canvas.drawCentredString(x, y - self.marker_size * 0.24, str(highlight.number))


@lru_cache(maxsize=512)
def _polygons(shape: Shape, steps: int) -> list[list[tuple[float, float]]]:
    return shape._flatten(steps)  # noqa: SLF001


@lru_cache(maxsize=512)
def _shape_code(shape: Shape) -> str:
    """PDF path operators for a shape, in grid units."""
    from reportlab.lib.rl_accel import fp_str

    out: list[str] = []
    for op, args in shape.segments:
        if op == "M":
            out.append(f"{fp_str(*args)} m")
        elif op == "L":
            out.append(f"{fp_str(*args)} l")
        elif op == "C":
            out.append(f"{fp_str(*args)} c")
        else:
            out.append("h")
    return " ".join(out)


def closeup_window(cx: float, cy: float, size: float, aspect: float = 1.0) -> tuple[float, float, float, float]:
    """A square-ish window centred on (cx, cy), kept inside the grid."""
    width = min(size, GRID_WIDTH)
    height = min(size * aspect, GRID_HEIGHT)
    x = min(max(cx - width / 2, 0.0), GRID_WIDTH - width)
    y = min(max(cy - height / 2, 0.0), GRID_HEIGHT - height)
    return x, y, width, height


@cache
def figure_extent(view: View) -> tuple[float, float, float, float]:
    """The body's bounding box in grid units, so overview figures waste no space."""
    xs: list[float] = []
    ys: list[float] = []
    for shape in body_map(view).outline:
        for polygon in shape.polygons(2):
            xs.extend(p[0] for p in polygon)
            ys.extend(p[1] for p in polygon)
    pad = 6.0
    return min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad


def map_problems(card: "Card") -> list[tuple[tuple[str | int, ...], str]]:
    """Markers outside the body, unknown regions, referral areas with nowhere to go."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for index, point in enumerate(card.points):
        here: tuple[str | int, ...] = ("points", index)
        marker = point.marker
        if marker is None:
            if point.referral.regions or point.referral.areas or point.closeup:
                problems.append((here + ("referral",), "needs a marker: the referral area is drawn on the marker's body map"))
            continue
        body = body_map(marker.view)
        if not body.contains(marker.x, marker.y):
            problems.append(
                (here + ("marker",), f"the marker ({marker.x:g}, {marker.y:g}) is outside the body in the "
                 f"{marker.view} view; x runs 0-540 left to right, y 0-960 head to feet")
            )
        body_right_is_viewer_right = marker.view == "posterior"
        on_viewer_right = marker.x >= MIDLINE - MIDLINE_TOLERANCE
        on_viewer_left = marker.x <= MIDLINE + MIDLINE_TOLERANCE
        if point.side in ("right", "left") and not (on_viewer_right if body_right_is_viewer_right else on_viewer_left):
            where = "the viewer's right (x of 270 or more)" if body_right_is_viewer_right else "the viewer's left (x of 270 or less)"
            problems.append(
                (here + ("marker", "x"), f"markers are written for the body's right side, which in the {marker.view} "
                 f"view is on {where}; `side: {point.side}` then draws it on the side asked for")
            )
        known = body.region_names()
        for r, name in enumerate(point.referral.regions):
            if name not in known:
                hint = ""
                if name.endswith(("-left", "-right")) and name.rsplit("-", 1)[0] in known:
                    hint = f" (write {name.rsplit('-', 1)[0]!r}: the point's `side` chooses left or right)"
                problems.append(
                    (here + ("referral", "regions", r),
                     f"unknown region {name!r} in the {marker.view} view{hint}; regions: {', '.join(known)}")
                )
    return problems
