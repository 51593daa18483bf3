"""SVG path data (`d` attributes) turned into absolute move/line/curve/close segments.

The atlas's views are SVG files we ship; their paths use every command SVG allows
(relative moves, shorthand curves, quadratic curves, elliptical arcs, and numbers packed
without separators such as `a.62.61 25.9 01-.36-1.03`). We only ever draw lines and
cubic curves, so everything is converted here once, when a view is first read.
"""

from __future__ import annotations

import math
import re

Segment = tuple[str, tuple[float, ...]]  # ("M"|"L", (x, y)) | ("C", (x1, y1, x2, y2, x, y)) | ("Z", ())

_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


class PathSyntaxError(ValueError):
    """The path data cannot be read (a shipped view is damaged)."""


def _tokens(data: str) -> list[str]:
    """Commands and numbers; arc flags are single digits that may touch the next number."""
    out: list[str] = []
    position = 0
    command = ""
    argument = 0
    while position < len(data):
        char = data[position]
        if char in " ,\t\r\n":
            position += 1
            continue
        if command.upper() == "A" and argument % 7 in (3, 4) and char in "01":
            out.append(char)  # a flag: exactly one character
            position += 1
            argument += 1
            continue
        match = _TOKEN.match(data, position)
        if match is None:
            raise PathSyntaxError(f"unexpected {data[position:position + 12]!r} in path data")
        token = match.group(0)
        if token.isalpha():
            command = token
            argument = 0
        else:
            argument += 1
        out.append(token)
        position = match.end()
    return out


def _arc(x0: float, y0: float, rx: float, ry: float, angle: float, large: bool, sweep: bool,
         x: float, y: float) -> list[tuple[float, ...]]:
    """An elliptical arc as cubic curves (the SVG implementation notes, F.6)."""
    if rx == 0 or ry == 0 or (x0 == x and y0 == y):
        return [(x0, y0, x, y, x, y)]
    phi = math.radians(angle)
    cos_phi, sin_phi = math.cos(phi), math.sin(phi)
    dx, dy = (x0 - x) / 2, (y0 - y) / 2
    x1p = cos_phi * dx + sin_phi * dy
    y1p = -sin_phi * dx + cos_phi * dy
    rx, ry = abs(rx), abs(ry)
    scale = (x1p * x1p) / (rx * rx) + (y1p * y1p) / (ry * ry)
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    denominator = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    factor = math.sqrt(max(0.0, numerator / denominator)) if denominator else 0.0
    if large == sweep:
        factor = -factor
    cxp, cyp = factor * rx * y1p / ry, -factor * ry * x1p / rx
    cx = cos_phi * cxp - sin_phi * cyp + (x0 + x) / 2
    cy = sin_phi * cxp + cos_phi * cyp + (y0 + y) / 2

    def angle_of(ux: float, uy: float, vx: float, vy: float) -> float:
        return math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)

    theta = angle_of(1, 0, (x1p - cxp) / rx, (y1p - cyp) / ry)
    delta = angle_of((x1p - cxp) / rx, (y1p - cyp) / ry, (-x1p - cxp) / rx, (-y1p - cyp) / ry)
    if not sweep and delta > 0:
        delta -= 2 * math.pi
    elif sweep and delta < 0:
        delta += 2 * math.pi
    pieces = max(1, math.ceil(abs(delta) / (math.pi / 2)))
    step = delta / pieces
    k = 4 / 3 * math.tan(step / 4)
    curves: list[tuple[float, ...]] = []

    def point(t: float) -> tuple[float, float]:
        px, py = rx * math.cos(t), ry * math.sin(t)
        return cos_phi * px - sin_phi * py + cx, sin_phi * px + cos_phi * py + cy

    def tangent(t: float) -> tuple[float, float]:
        px, py = -rx * math.sin(t), ry * math.cos(t)
        return cos_phi * px - sin_phi * py, sin_phi * px + cos_phi * py

    for i in range(pieces):
        t0, t1 = theta + i * step, theta + (i + 1) * step
        (ax, ay), (bx, by) = point(t0), point(t1)
        (tax, tay), (tbx, tby) = tangent(t0), tangent(t1)
        curves.append((ax + k * tax, ay + k * tay, bx - k * tbx, by - k * tby, bx, by))
    last = curves[-1]
    curves[-1] = (*last[:4], x, y)
    return curves


def parse_path(data: str, dx: float = 0.0, dy: float = 0.0) -> list[Segment]:
    """Absolute segments of a path, translated by (dx, dy)."""
    tokens = _tokens(data)
    out: list[Segment] = []
    i = 0
    command = ""
    x = y = start_x = start_y = 0.0
    last_control: tuple[float, float] | None = None
    last_quad: tuple[float, float] | None = None
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
        elif not command:
            raise PathSyntaxError("path data must start with a command")
        upper = command.upper()
        relative = command.islower()
        count = _ARGS[upper]
        if len(tokens) - i < count or any(t.isalpha() for t in tokens[i:i + count]):
            raise PathSyntaxError(f"command {command!r} is missing numbers")
        args = [float(t) for t in tokens[i:i + count]]
        i += count
        base_x, base_y = (x, y) if relative else (0.0, 0.0)
        control: tuple[float, float] | None = None
        quad: tuple[float, float] | None = None
        if upper == "M":
            x, y = base_x + args[0], base_y + args[1]
            start_x, start_y = x, y
            out.append(("M", (x + dx, y + dy)))
            command = "l" if relative else "L"  # further pairs are lines
        elif upper in ("L", "H", "V", "T"):
            if upper == "H":
                x = base_x + args[0] if relative else args[0]
            elif upper == "V":
                y = base_y + args[0] if relative else args[0]
            elif upper == "L":
                x, y = base_x + args[0], base_y + args[1]
            if upper == "T":
                qx, qy = (2 * x - last_quad[0], 2 * y - last_quad[1]) if last_quad else (x, y)
                nx, ny = base_x + args[0], base_y + args[1]
                out.append(("C", _quad_to_cubic(x, y, qx, qy, nx, ny, dx, dy)))
                quad = (qx, qy)
                x, y = nx, ny
            else:
                out.append(("L", (x + dx, y + dy)))
        elif upper in ("C", "S"):
            if upper == "C":
                x1, y1 = base_x + args[0], base_y + args[1]
                rest = args[2:]
            else:
                x1, y1 = (2 * x - last_control[0], 2 * y - last_control[1]) if last_control else (x, y)
                rest = args
            x2, y2 = base_x + rest[0], base_y + rest[1]
            nx, ny = base_x + rest[2], base_y + rest[3]
            out.append(("C", (x1 + dx, y1 + dy, x2 + dx, y2 + dy, nx + dx, ny + dy)))
            control = (x2, y2)
            x, y = nx, ny
        elif upper == "Q":
            qx, qy = base_x + args[0], base_y + args[1]
            nx, ny = base_x + args[2], base_y + args[3]
            out.append(("C", _quad_to_cubic(x, y, qx, qy, nx, ny, dx, dy)))
            quad = (qx, qy)
            x, y = nx, ny
        elif upper == "A":
            nx, ny = base_x + args[5], base_y + args[6]
            for curve in _arc(x, y, args[0], args[1], args[2], args[3] != 0, args[4] != 0, nx, ny):
                out.append(("C", tuple(v + (dx if k % 2 == 0 else dy) for k, v in enumerate(curve))))
            x, y = nx, ny
        else:  # Z
            out.append(("Z", ()))
            x, y = start_x, start_y
        last_control, last_quad = control, quad
    return out


def _quad_to_cubic(x0: float, y0: float, qx: float, qy: float, x: float, y: float,
                   dx: float, dy: float) -> tuple[float, ...]:
    return (x0 + 2 / 3 * (qx - x0) + dx, y0 + 2 / 3 * (qy - y0) + dy,
            x + 2 / 3 * (qx - x) + dx, y + 2 / 3 * (qy - y) + dy, x + dx, y + dy)


def format_path(segments: list[Segment]) -> str:
    """Segments back to compact absolute SVG path data (two decimals)."""
    parts: list[str] = []
    for op, args in segments:
        parts.append(op + (" " + " ".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in args) if args else ""))
    return " ".join(parts)
