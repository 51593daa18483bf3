"""Plane geometry for the position pictures: points, outlines as polygons, distances.

Every shape of a position picture (a limb, the trunk, a ball, a wall) is kept as a closed
polygon, finely sampled. The same polygons are drawn and measured, so the tests that say
"the ball touches the buttock and the wall and overlaps neither" measure what prints.
Pure Python: the figures are small (a few hundred points), numpy would buy nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Vec = tuple[float, float]
Polygon = tuple[Vec, ...]

ARC_STEPS = 14  # points per half circle: smooth at 3 inches, cheap at 1 inch


def add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1])


def sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1])


def mul(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k)


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1]


def length(a: Vec) -> float:
    return math.hypot(a[0], a[1])


def unit(a: Vec) -> Vec:
    n = length(a)
    return (a[0] / n, a[1] / n) if n > 1e-12 else (0.0, 1.0)


def perp(a: Vec) -> Vec:
    """a turned a quarter turn anticlockwise."""
    return (-a[1], a[0])


def direction(degrees: float) -> Vec:
    """The unit vector `degrees` clockwise from straight up (0 = up, 90 = +x)."""
    r = math.radians(degrees)
    return (math.sin(r), math.cos(r))


def lerp(a: Vec, b: Vec, t: float) -> Vec:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def rotate(p: Vec, centre: Vec, degrees: float) -> Vec:
    """p turned `degrees` clockwise about centre (the same sense as `direction`)."""
    r = -math.radians(degrees)
    c, s = math.cos(r), math.sin(r)
    x, y = p[0] - centre[0], p[1] - centre[1]
    return (centre[0] + x * c - y * s, centre[1] + x * s + y * c)


def arc(centre: Vec, radius: float, start: float, end: float, steps: int) -> list[Vec]:
    """Points on a circle from angle `start` to `end` (radians, anticlockwise from +x)."""
    return [
        (centre[0] + radius * math.cos(start + (end - start) * i / steps),
         centre[1] + radius * math.sin(start + (end - start) * i / steps))
        for i in range(steps + 1)
    ]


def capsule(a: Vec, ra: float, b: Vec, rb: float) -> Polygon:
    """A tapered capsule: two circles joined by their outer tangents (a limb segment)."""
    d = length(sub(b, a))
    if d <= abs(ra - rb) + 1e-9:  # one circle holds the other
        return circle(a if ra >= rb else b, max(ra, rb))
    heading = math.atan2(b[1] - a[1], b[0] - a[0])
    alpha = math.acos((ra - rb) / d)
    steps_a = max(4, round(ARC_STEPS * (2 * math.pi - 2 * alpha) / math.pi))
    steps_b = max(4, round(ARC_STEPS * (2 * alpha) / math.pi))
    points = arc(a, ra, heading + alpha, heading + 2 * math.pi - alpha, steps_a)
    points += arc(b, rb, heading - alpha, heading + alpha, steps_b)
    return tuple(points)


def circle(centre: Vec, radius: float, steps: int = 2 * ARC_STEPS + 4) -> Polygon:
    return tuple(arc(centre, radius, 0.0, 2 * math.pi, steps)[:-1])


def ellipse(centre: Vec, rx: float, ry: float, degrees: float = 0.0, steps: int = 2 * ARC_STEPS + 4) -> Polygon:
    """An ellipse turned `degrees` clockwise."""
    points = []
    for i in range(steps):
        t = 2 * math.pi * i / steps
        points.append(rotate((centre[0] + rx * math.cos(t), centre[1] + ry * math.sin(t)), centre, degrees))
    return tuple(points)


def smooth_closed(points: list[Vec], samples: int = 6) -> Polygon:
    """A closed Catmull-Rom curve through `points`, sampled as a polygon (the trunk's outline)."""
    out: list[Vec] = []
    n = len(points)
    for i in range(n):
        p0, p1, p2, p3 = points[i - 1], points[i], points[(i + 1) % n], points[(i + 2) % n]
        for k in range(samples):
            t = k / samples
            t2, t3 = t * t, t * t * t
            out.append(tuple(  # type: ignore[arg-type]
                0.5 * (2 * p1[j] + (-p0[j] + p2[j]) * t + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                       + (-p0[j] + 3 * p1[j] - 3 * p2[j] + p3[j]) * t3)
                for j in (0, 1)
            ))
    return tuple(out)


def signed_distance(polygon: Polygon, p: Vec) -> float:
    """Distance from p to the outline: negative inside.

    The pose solver asks this tens of thousands of times a pose, so it is one loop: the
    distance to each edge (the nearest point on the segment) and the even-odd inside test,
    with no tuples made."""
    px, py = p
    best = math.inf
    cutoff = math.inf  # squared distances above this cannot beat `best` (hypot is exact to an ulp)
    inside = False
    x1, y1 = polygon[-1]
    for x2, y2 in polygon:
        dx, dy = x2 - x1, y2 - y1
        denominator = dx * dx + dy * dy
        t = 0.0 if denominator == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / denominator))
        ex, ey = px - (x1 + dx * t), py - (y1 + dy * t)
        if ex * ex + ey * ey <= cutoff:
            d = math.hypot(ex, ey)
            if d < best:
                best = d
                cutoff = d * d * (1 + 1e-9)
        if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        x1, y1 = x2, y2
    return -best if inside else best


def circle_gap(polygon: Polygon, centre: Vec, radius: float) -> float:
    """How far a circle is from a shape: 0 touching, negative overlapping (by that depth)."""
    return signed_distance(polygon, centre) - radius


def extreme(polygon: Polygon, normal: Vec) -> float:
    """How far the shape reaches in direction `normal`."""
    return max(dot(p, normal) for p in polygon)


def ray_exit(polygon: Polygon, origin: Vec, heading: Vec) -> Vec:
    """Where a ray from inside the shape leaves it (the farthest crossing of the outline)."""
    best = 0.0
    n = len(polygon)
    for i in range(n):
        a, b = polygon[i], polygon[(i + 1) % n]
        e = sub(b, a)
        denominator = heading[0] * e[1] - heading[1] * e[0]
        if abs(denominator) < 1e-12:
            continue
        w = sub(a, origin)
        t = (w[0] * e[1] - w[1] * e[0]) / denominator
        s = (w[0] * heading[1] - w[1] * heading[0]) / denominator
        if t > 0 and 0 <= s <= 1:
            best = max(best, t)
    return add(origin, mul(heading, best))


@dataclass(frozen=True)
class Box:
    """An axis-aligned box."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))


def bounds(polygon: Polygon) -> Box:
    xs = [p[0] for p in polygon]
    ys = [p[1] for p in polygon]
    return Box(min(xs), min(ys), max(xs), max(ys))


def transform(polygon: Polygon, scale: float, dx: float, dy: float, mirror: bool = False) -> Polygon:
    """Scale, optionally mirror left-right, then move."""
    sx = -scale if mirror else scale
    return tuple((x * sx + dx, y * scale + dy) for x, y in polygon)
