"""Drawing a position picture: the posed figure, its prop, supports, arrows and the
pressure spot, in the card's colours, on a reportlab canvas.

The figure is drawn the way a cartoonist inks a silhouette: all outlines of one layer
are stroked twice as wide as the line, then all fills are laid over them, so the parts
of one layer merge into one clean outline. Far limbs are a layer below in a darker tone,
the near arm a layer above: near and far read apart in colour and in grey.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from routinecard.figures.geometry import Box, Polygon, Vec
from routinecard.figures.poses import Scene

MARGIN = 0.035  # room around the figure, in figure heights


def mix(a: str, b: str, t: float) -> str:
    """'#rrggbb' colours a and b blended: t = 0 gives a, 1 gives b."""
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))


@dataclass(frozen=True)
class Palette:
    """The picture's colours, from the layout's accent and warning colours."""

    outline: str
    near: str
    far: str
    hair: str
    support: str
    support_fill: str
    arrow: str
    spot: str

    @classmethod
    def from_colours(cls, accent: str, warning: str, muted: str) -> Palette:
        return cls(
            outline=mix(accent, "#000000", 0.55),
            near=mix(accent, "#ffffff", 0.86),
            far=mix(accent, "#ffffff", 0.58),
            hair=accent,
            support=muted,
            support_fill=mix(muted, "#ffffff", 0.82),
            arrow=accent,
            spot=warning,
        )


DEFAULT_PALETTE = Palette.from_colours("#1f4e79", "#b00020", "#3d3d3d")


@dataclass(frozen=True)
class Placement:
    """How figure units map to the box: scale, offset, and mirroring."""

    scale: float
    dx: float
    dy: float
    mirror: bool

    def point(self, p: Vec) -> Vec:
        x = -p[0] if self.mirror else p[0]
        return (x * self.scale + self.dx, p[1] * self.scale + self.dy)


def frame(scene: Scene) -> Box:
    """The region of the scene a picture shows: the figure and its props, with a margin."""
    box = scene.extent()
    m = MARGIN
    x0, x1 = box.x0 - m, box.x1 + m
    for x, side in scene.walls:  # show a strip of wall, not a cut line
        if side < 0:
            x0 = min(x0, x - 0.03)
        else:
            x1 = max(x1, x + 0.03)
    if scene.mirrored:
        x0, x1 = -x1, -x0
    return Box(x0, min(scene.floor - 0.035, box.y0 - m), x1, box.y1 + m)


def placement(scene: Scene, width: float, height: float) -> Placement:
    """Fit the scene into a width x height box, centred."""
    box = frame(scene)
    scale = min(width / box.width, height / box.height)
    dx = (width - box.width * scale) / 2 - box.x0 * scale
    dy = (height - box.height * scale) / 2 - box.y0 * scale
    return Placement(scale, dx, dy, scene.mirrored)


def aspect(scene: Scene) -> float:
    """Height over width of the picture."""
    box = frame(scene)
    return box.height / box.width


# Outlines are written as PDF text here, not through reportlab's path object: points to
# 0.01 pt, and points that lie within SIMPLIFY of the outline without them are left out
# (a limb's round end needs few points at panel size). A position picture was over half
# of a card's page content; this makes it about 40% smaller, with no visible change in
# print (a 600-dpi dot is 0.12 pt).
SIMPLIFY = 0.08  # pt


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _outline(points: list[Vec]) -> str:
    """A closed outline's path operators (no painting operator)."""
    kept = simplify_closed(points, SIMPLIFY)
    head = f"{_num(kept[0][0])} {_num(kept[0][1])} m"
    return " ".join([head, *(f"{_num(x)} {_num(y)} l" for x, y in kept[1:]), "h"])


def simplify_closed(points: list[Vec], tolerance: float) -> list[Vec]:
    """The closed polygon with the points dropped that lie within `tolerance` of the
    outline without them (Ramer-Douglas-Peucker, on the two halves between the first
    point and the point farthest from it)."""
    n = len(points)
    if n < 4:
        return points
    x0, y0 = points[0]
    far = max(range(n), key=lambda i: (points[i][0] - x0) ** 2 + (points[i][1] - y0) ** 2)
    first = _simplify(points[: far + 1], tolerance)
    second = _simplify([*points[far:], points[0]], tolerance)
    return first[:-1] + second[:-1]


def _simplify(run: list[Vec], tolerance: float) -> list[Vec]:
    keep = [True] * len(run)
    spans = [(0, len(run) - 1)]
    while spans:
        a, b = spans.pop()
        if b - a < 2:
            continue
        (x1, y1), (x2, y2) = run[a], run[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5 or 1e-12
        worst, at = -1.0, a
        for i in range(a + 1, b):
            d = abs(dy * (run[i][0] - x1) - dx * (run[i][1] - y1)) / norm
            if d > worst:
                worst, at = d, i
        if worst > tolerance:
            spans += [(a, at), (at, b)]
        else:
            for i in range(a + 1, b):
                keep[i] = False
    return [p for p, k in zip(run, keep) if k]


def draw_scene(canvas: Any, scene: Scene, width: float, height: float, palette: Palette = DEFAULT_PALETTE) -> None:
    """Draw the scene into the box (0, 0, width, height) of the canvas's current space.

    A figure is thousands of path points; what they write on the page is kept with the
    scene (by size and colours) and written again as it is when the same picture is drawn
    again in this process (the next card of a batch, the next build of a server). The
    drawing is wrapped in q/Q, so the canvas's state after it is the same either way.
    """
    key = (width, height, palette)
    code: list[str] = canvas._code
    done = scene.drawn.get(key)
    if done is None:
        canvas._code = []
        try:
            _draw_scene(canvas, scene, width, height, palette)
            done = canvas._code
        finally:
            canvas._code = code
        if len(scene.drawn) >= 4:  # a few sizes of one picture, not every size ever tried
            scene.drawn.clear()
        scene.drawn[key] = done
    code.extend(done)


def _draw_scene(canvas: Any, scene: Scene, width: float, height: float, palette: Palette) -> None:
    place = placement(scene, width, height)
    line = min(max(place.scale * 0.0075, 0.45), 1.5)
    canvas.saveState()
    canvas.setLineJoin(1)
    canvas.setLineCap(1)
    _supports(canvas, scene, place, line, palette)
    layers = sorted({p.layer for p in scene.body.parts})
    for layer in layers:
        parts = [p for p in scene.body.parts if p.layer == layer]
        outlines = [_outline([place.point(p) for p in part.outline]) for part in parts]
        canvas.setStrokeColor(colors.HexColor(palette.outline))
        canvas.setLineWidth(line * 2)
        code: list[str] = canvas._code
        code.extend(f"{outline} S" for outline in outlines)
        for part, outline in zip(parts, outlines):
            fill = {"near": palette.near, "far": palette.far, "hair": palette.hair, "face": palette.near}[part.tone]
            canvas.setFillColor(colors.HexColor(fill))
            code.append(f"{outline} f*")
    if scene.prop is not None:  # on top: an arm beside the body never hides the ball
        _prop(canvas, scene, place, line, palette)
    _spot(canvas, scene, place, line, palette)
    for arrow in scene.arrows:
        _arrow(canvas, [place.point(p) for p in arrow.points], arrow.both, line, palette.arrow)
    canvas.restoreState()


def _supports(canvas: Any, scene: Scene, place: Placement, line: float, palette: Palette) -> None:
    box = frame(scene)
    x0, x1 = place.point((box.x0, 0))[0], place.point((box.x1, 0))[0]
    if place.mirror:
        x0, x1 = place.point((-box.x0, 0))[0], place.point((-box.x1, 0))[0]
    left, right = min(x0, x1), max(x0, x1)
    floor = place.point((0.0, scene.floor))[1]
    top = place.point((0.0, box.y1))[1]
    canvas.setStrokeColor(colors.HexColor(palette.support))
    canvas.setFillColor(colors.HexColor(palette.support_fill))
    depth = min(0.03 * place.scale, floor)  # the floor band, down to the box's bottom edge
    canvas.rect(left, floor - depth, right - left, depth, stroke=0, fill=1)
    for x, side in scene.walls:
        wx = place.point((x, 0.0))[0]
        outward = side * (-1 if place.mirror else 1)
        thickness = 0.03 * place.scale
        canvas.rect(min(wx, wx + outward * thickness), floor, thickness, top - floor, stroke=0, fill=1)
    canvas.setLineWidth(line * 1.6)
    canvas.line(left, floor, right, floor)
    for x, side in scene.walls:
        wx = place.point((x, 0.0))[0]
        canvas.line(wx, floor, wx, top)
    # hatching: the ground and wall symbols of a technical drawing
    canvas.setLineWidth(line * 0.8)
    step = max(0.025 * place.scale, 3.0)
    hatch = 0.025 * place.scale
    x = left + step / 2
    while x < right:
        canvas.line(x, floor, x - hatch * 0.7, floor - hatch * 0.7)
        x += step
    for wx_, side in scene.walls:
        wx = place.point((wx_, 0.0))[0]
        outward = side * (-1 if place.mirror else 1)
        y = floor + step
        while y < top:
            canvas.line(wx, y, wx + outward * hatch * 0.7, y - hatch * 0.7)
            y += step
    if scene.furniture is not None:
        canvas.setStrokeColor(colors.HexColor(palette.support))
        canvas.setFillColor(colors.HexColor(mix(palette.support, "#ffffff", 0.55)))
        canvas.setLineWidth(line)
        for piece in (*scene.furniture.legs, scene.furniture.back, scene.furniture.seat):
            a = place.point((piece.x0, piece.y0))
            b = place.point((piece.x1, piece.y1))
            canvas.roundRect(min(a[0], b[0]), a[1], abs(b[0] - a[0]), b[1] - a[1], min(1.5, abs(b[0] - a[0]) / 3),
                             stroke=1, fill=1)


def _prop(canvas: Any, scene: Scene, place: Placement, line: float, palette: Palette) -> None:
    shape = scene.prop
    assert shape is not None
    cx, cy = place.point(shape.centre)
    r = shape.radius * place.scale
    canvas.setStrokeColor(colors.HexColor(palette.outline))
    canvas.setFillColor(colors.HexColor(shape.prop.fill))
    canvas.setLineWidth(line * 1.2)
    canvas.circle(cx, cy, r, stroke=1, fill=1)
    pattern = shape.prop.pattern
    canvas.setLineWidth(line * 0.8)
    if pattern == "seam":
        canvas.arc(cx - r * 1.55, cy - r * 0.8, cx - r * 0.15, cy + r * 0.8, -40, 80)
        canvas.arc(cx + r * 0.15, cy - r * 0.8, cx + r * 1.55, cy + r * 0.8, 140, 80)
    elif pattern == "shine":
        canvas.setFillColor(colors.white)
        canvas.ellipse(cx - r * 0.55, cy + r * 0.15, cx - r * 0.1, cy + r * 0.5, stroke=0, fill=1)
    elif pattern == "dimples":
        canvas.setFillColor(colors.HexColor("#9a9a9a"))
        for ox, oy in ((-0.4, 0.3), (0.1, 0.45), (0.45, 0.05), (-0.15, -0.1), (-0.45, -0.35), (0.2, -0.45)):
            canvas.circle(cx + ox * r, cy + oy * r, r * 0.12, stroke=0, fill=1)
    elif pattern == "roller":
        canvas.setFillColor(colors.HexColor("#ececec"))
        canvas.circle(cx, cy, r * 0.62, stroke=1, fill=1)
        canvas.setFillColor(colors.HexColor("#bdbdbd"))
        canvas.circle(cx, cy, r * 0.25, stroke=1, fill=1)
    elif pattern == "bottle":
        canvas.setStrokeColor(colors.HexColor("#4a6f86"))
        for ox, oy in ((0.0, 0.55), (0.48, 0.28), (0.48, -0.28)):
            canvas.line(cx - ox * r, cy - oy * r, cx + ox * r, cy + oy * r)


def _spot(canvas: Any, scene: Scene, place: Placement, line: float, palette: Palette) -> None:
    """The pressure spot: a red dot with a white ring where the prop or hand presses."""
    x, y = place.point(scene.spot)
    r = max(0.011 * place.scale, 1.8)
    canvas.setStrokeColor(colors.white)
    canvas.setFillColor(colors.HexColor(palette.spot))
    canvas.setLineWidth(max(line * 1.2, 0.6))
    canvas.circle(x, y, r, stroke=1, fill=1)


def _arrow(canvas: Any, points: list[Vec], both: bool, line: float, colour: str) -> None:
    width = max(line * 1.8, 0.9)
    canvas.setStrokeColor(colors.HexColor(colour))
    canvas.setFillColor(colors.HexColor(colour))
    canvas.setLineWidth(width)
    head = width * 3.2

    def tip(a: Vec, b: Vec) -> tuple[Vec, list[Vec]]:
        dx, dy = b[0] - a[0], b[1] - a[1]
        n = max((dx * dx + dy * dy) ** 0.5, 1e-9)
        ux, uy = dx / n, dy / n
        base = (b[0] - ux * head, b[1] - uy * head)
        return base, [b, (base[0] - uy * head * 0.55, base[1] + ux * head * 0.55),
                      (base[0] + uy * head * 0.55, base[1] - ux * head * 0.55)]

    body = list(points)
    end_base, end_head = tip(points[-2], points[-1])
    body[-1] = end_base
    heads = [end_head]
    if both:
        start_base, start_head = tip(points[1], points[0])
        body[0] = start_base
        heads.append(start_head)
    path = canvas.beginPath()
    path.moveTo(*body[0])
    for p in body[1:]:
        path.lineTo(*p)
    canvas.drawPath(path, stroke=1, fill=0)
    for triangle in heads:
        path = canvas.beginPath()
        path.moveTo(*triangle[0])
        path.lineTo(*triangle[1])
        path.lineTo(*triangle[2])
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)


class PositionPicture(Flowable):
    """A position picture `width` wide, as tall as the pose needs (at most `max_height`)."""

    def __init__(self, scene: Scene, width: float, max_height: float, palette: Palette = DEFAULT_PALETTE,
                 *, alt: str = "") -> None:
        super().__init__()
        self.scene = scene
        self.palette = palette
        self.alt = alt
        self.inset: Flowable | None = None  # the tool's icon, when the picture cannot draw the tool
        ratio = aspect(scene)
        self.width = width
        self.height = min(max_height, width * ratio)
        if self.height < width * ratio:  # too tall: narrower, so the figure is not squeezed
            self.width = self.height / ratio

    @property
    def shows_tool(self) -> bool:
        """Whether the tool is drawn (a ball, roller, bottle or pressing hand)."""
        return self.scene.prop is not None or self.scene.hand

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        draw_scene(self.canv, self.scene, self.width, self.height, self.palette)
        if self.inset is not None:  # top corner away from the figure's face
            w, h = self.inset.wrap(self.width, self.height)
            self.inset.drawOn(self.canv, 0 if not self.scene.mirrored else self.width - w, self.height - h)
