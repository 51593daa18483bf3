"""Position pictures as data: pose presets, props, motions and site anchors, and the
solver that turns a preset, a site and a tool into a scene where everything touches.

The data lives in `figures/data/*.yaml` (shipped in the package) and is read once per
process. `scene()` poses the figure (`skeleton.build`), puts the prop on the site,
then turns the joints named by the preset's contacts until every contact holds (a small
Newton solve), places the supports (floor, wall, chair seat) against what touches them,
and checks the result: an angle a person cannot reach, or a hand that cannot reach the
site, is a `PoseError` with a plain message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from routinecard.errors import InputError, RoutineCardError
from routinecard.figures.geometry import (
    Box,
    Polygon,
    Vec,
    add,
    bounds,
    circle,
    circle_gap,
    dot,
    extreme,
    mul,
    ray_exit,
    sub,
    unit,
)
from routinecard.figures.skeleton import ANGLE_NAMES, JOINTS, LIMB_JOINTS, Body, View, build, check_angle, joint_of
from routinecard.figures import solved
from routinecard.loader import Document, load_yaml_file, require_mapping

DATA = Path(__file__).resolve().parent / "data"
SEGMENTS = ("head", "neck", "trunk", "pelvis", "upper-arm", "forearm", "hand", "thigh", "shank", "foot")
SURFACES = ("front", "back", "side", "inner", "top", "bottom")
LIMB_SEGMENTS = ("upper-arm", "forearm", "hand", "thigh", "shank", "foot")
TOLERANCE = 0.002  # of the figure's height (3.5 mm at 1.75 m): "touching"
SAME_PLANE = frozenset({"torso", "head", "jaw", "nose", "neck"})  # parts a prop may meet besides its own limb


class PoseError(RoutineCardError):
    """A pose that cannot be drawn: an angle out of reach, a contact that cannot hold."""


Words = dict[str, str]


def word(words: Words, language: str) -> str:
    return words.get(language.split("-")[0], words["en"])


@dataclass(frozen=True)
class Contact:
    parts: tuple[str, ...]
    on: str
    adjust: str | None
    if_prop: tuple[str, ...]
    unless_prop: tuple[str, ...]
    toes: bool = False  # the foot of this contact stands on its toes, not flat


@dataclass(frozen=True)
class Preset:
    id: str
    words: Words
    view: View
    angles: dict[str, float]
    flat_feet: bool
    flat_hands: bool
    supports: dict[str, Any]
    press: dict[str, str]
    contacts: tuple[Contact, ...]
    demo: dict[str, str]
    furniture: str | None


@dataclass(frozen=True)
class Prop:
    id: str
    kind: Literal["ball", "hand"]
    radius: float
    fill: str
    pattern: str
    words: Words


@dataclass(frozen=True)
class Anchor:
    """Where on the figure a site is: segment, fraction along it, surface."""

    segment: str
    at: float
    surface: str
    words: Words = field(default_factory=dict)


@dataclass(frozen=True)
class Motion:
    id: str
    kind: Literal["along", "toward", "across"]
    words: Words


@dataclass(frozen=True)
class Library:
    presets: dict[str, Preset]
    props: dict[str, Prop]
    sites: dict[str, Anchor]
    motions: dict[str, Motion]
    supports: dict[str, Words]


def _words(doc: Document, path: tuple[Any, ...], value: object) -> Words:
    if not isinstance(value, dict) or not isinstance(value.get("en"), str):
        raise InputError(doc.problem(path, "words need at least an English text: {en: ...}"))
    return {str(k): str(v) for k, v in value.items()}


def _load(name: str) -> tuple[Document, dict[str, Any]]:
    doc = load_yaml_file(DATA / name)
    return doc, require_mapping(doc, name)


@cache
def library() -> Library:
    """The pose presets, props, motions and site anchors, read once per process."""
    doc, data = _load("poses.yaml")
    supports = {k: _words(doc, ("supports", k, "words"), v.get("words")) for k, v in data["supports"].items()}
    presets: dict[str, Preset] = {}
    for pid, entry in data["presets"].items():
        angles = {name: 0.0 for name in ANGLE_NAMES}
        given = entry.get("angles", {})
        for name, value in given.items():
            if name not in angles:
                raise InputError(doc.problem(("presets", pid, "angles", name), f"unknown angle {name!r}"))
            angles[name] = float(value)
        for joint in LIMB_JOINTS:
            if f"far_{joint}" not in given:
                angles[f"far_{joint}"] = angles[joint]
        contacts = tuple(
            Contact(tuple(c["parts"]), c["on"], c.get("adjust"), tuple(c.get("if_prop", ())),
                    tuple(c.get("unless_prop", ())), bool(c.get("toes", False)))
            for c in entry["contacts"]
        )
        presets[pid] = Preset(
            pid, _words(doc, ("presets", pid, "words"), entry.get("words")), entry["view"], angles,
            entry.get("feet") == "flat", entry.get("hands") == "flat", dict(entry["supports"]),
            dict(entry["press"]), contacts, dict(entry.get("demo", {})), entry.get("furniture"),
        )
    doc, data = _load("props.yaml")
    props = {
        pid: Prop(pid, e["kind"], float(e.get("radius", 0.0)), str(e.get("fill", "#ffffff")), str(e.get("pattern", "")),
                  _words(doc, (pid, "words"), e.get("words")))
        for pid, e in data.items()
    }
    doc, data = _load("sites.yaml")
    sites: dict[str, Anchor] = {}
    for sid, e in data.items():
        if e.get("segment") not in SEGMENTS or e.get("surface") not in SURFACES:
            raise InputError(doc.problem((sid,), "a site needs a known segment and surface"))
        sites[sid] = Anchor(e["segment"], float(e["at"]), e["surface"], _words(doc, (sid, "words"), e.get("words")))
    doc, data = _load("motions.yaml")
    motions = {mid: Motion(mid, e["kind"], _words(doc, (mid, "words"), e.get("words"))) for mid, e in data.items()}
    return Library(presets, props, sites, motions, supports)


def preset_ids() -> tuple[str, ...]:
    return tuple(library().presets)


def motion_ids() -> tuple[str, ...]:
    return tuple(library().motions)


# -- the scene ------------------------------------------------------------------------


@dataclass(frozen=True)
class PropShape:
    prop: Prop
    centre: Vec
    radius: float
    axis: Vec  # the body segment's direction at the prop (for roll arrows)


@dataclass(frozen=True)
class Arrow:
    points: tuple[Vec, ...]  # a polyline, arrow head at the end
    both: bool  # a head at the start too


@dataclass(frozen=True)
class Furniture:
    kind: str  # "chair"
    seat: Box
    back: Box
    legs: tuple[Box, ...]


@dataclass(frozen=True)
class AltText:
    """The parts of the picture's description, in the card's language."""

    pose: str
    prop: str
    site: str
    side: str
    support: str
    motion: str
    pressed: bool


@dataclass
class Scene:
    """Everything a position picture draws, in units of the figure's height, y up."""

    preset: Preset
    view: View
    body: Body
    prop: PropShape | None
    spot: Vec
    floor: float  # y of the floor
    walls: list[tuple[float, int]]  # (x, side): side -1 = wall on the left of the figure
    furniture: Furniture | None
    arrows: list[Arrow]
    alt: AltText
    angles: dict[str, float]
    mirrored: bool = False
    hand: bool = False  # a hand or thumb presses the site (drawn as the figure's own hand)
    # What drawing this scene wrote on a page, by size and colours (figures/position.py):
    # a scene is solved once per process, so a batch draws each picture once.
    drawn: dict[Any, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def extent(self) -> Box:
        """The box around the figure, its prop, arrows and furniture (not the infinite supports)."""
        box = bounds(self.body.parts[0].outline)
        for part in self.body.parts[1:]:
            box = box.union(bounds(part.outline))
        if self.prop is not None:
            c, r = self.prop.centre, self.prop.radius
            box = box.union(Box(c[0] - r, c[1] - r, c[0] + r, c[1] + r))
        for arrow in self.arrows:
            box = box.union(bounds(arrow.points))
        if self.furniture is not None:
            for piece in (self.furniture.seat, self.furniture.back, *self.furniture.legs):
                box = box.union(piece)
        box = box.union(Box(box.x0, self.floor, box.x1, box.y1))
        for x, _ in self.walls:
            box = box.union(Box(x, box.y0, x, box.y1))
        return box

    def support_lines(self) -> list[tuple[Vec, Vec]]:
        """Each support as (a point on it, its normal pointing away from the body)."""
        lines: list[tuple[Vec, Vec]] = [((0.0, self.floor), (0.0, -1.0))]
        for x, side in self.walls:
            lines.append(((x, 0.0), (float(side), 0.0)))
        return lines


def _segment_name(anchor: Anchor) -> str:
    return f"near-{anchor.segment}" if anchor.segment in LIMB_SEGMENTS else anchor.segment


def _normal(preset: Preset, support: str) -> Vec:
    spec = preset.supports[support]
    if support == "wall":
        return {"back": (-1.0, 0.0), "front": (1.0, 0.0), "near": (-1.0, 0.0)}[spec]
    return (0.0, -1.0)


def _surface_normal(body: Body, segment: str, surface: str) -> Vec:
    seg = body.segments[segment]
    along = unit(sub(seg.end, seg.start))
    if surface == "front":
        return seg.front
    if surface == "back":
        return mul(seg.front, -1.0)
    if surface == "top":
        return along
    if surface == "bottom":
        return mul(seg.front, -1.0)
    if surface == "side":
        return seg.lateral
    return mul(seg.lateral, -1.0)  # inner


def _keep(contact: Contact, prop_segment: str | None) -> bool:
    where = prop_segment if prop_segment is not None else "none"
    if contact.if_prop and where not in contact.if_prop:
        return False
    if contact.unless_prop and where in contact.unless_prop:
        return False
    return not ("prop" in contact.parts and prop_segment is None)


@dataclass
class _State:
    body: Body
    prop: PropShape | None
    spot: Vec


def _solve_linear(matrix: list[list[float]], rhs: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when singular."""
    n = len(rhs)
    m = [row[:] + [rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                k = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= k * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


def scene(
    preset_id: str,
    *,
    angles: dict[str, float] | None = None,
    site: str | None = None,
    anchor: Anchor | None = None,
    tool: str | None = None,
    side: str = "right",
    motion: str | None = None,
    language: str = "en",
) -> Scene:
    """Pose a preset with a prop on a site: solve the contacts, place the supports.

    `angles` change the preset's joint angles (a plain name like `knee` sets both legs;
    `far_knee` only the far one). `anchor` overrides the site's place on the figure.
    """
    lib = library()
    if preset_id not in lib.presets:
        raise PoseError(f"unknown pose {preset_id!r}; known poses: {', '.join(lib.presets)}")
    preset = lib.presets[preset_id]
    values = dict(preset.angles)
    for name, value in (angles or {}).items():
        try:
            check_angle(name, value)
        except ValueError as error:
            raise PoseError(f"{name}: {error}") from None
        values[name] = float(value)
        if name in LIMB_JOINTS and f"far_{name}" not in (angles or {}):
            values[f"far_{name}"] = float(value)
    where = anchor or (lib.sites.get(site) if site else None)
    prop = lib.props.get(tool) if tool else None
    pressed = prop is not None and prop.kind == "ball" and where is not None
    prop_segment = where.segment if (pressed and where is not None) else None
    contacts = [c for c in preset.contacts if _keep(c, prop_segment)]
    press = preset.press.get(where.segment, preset.press["default"]) if where is not None else preset.press["default"]
    if pressed and press not in preset.supports:
        raise PoseError(f"the pose {preset_id!r} has no {press} to press against")
    # every support is placed by the first contact on it (or, for the seat, by the floor)
    references: dict[str, Contact] = {}
    free: list[tuple[Contact, str]] = []
    for contact in contacts:
        if contact.on not in references and contact.on != "seat":
            references[contact.on] = contact
        elif contact.adjust is not None:
            free.append((contact, contact.adjust))
    # a free angle's later contact wins when two contacts name the same angle
    seen: dict[str, int] = {}
    for i, (_, name) in enumerate(free):
        seen[name] = i
    free = [f for i, f in enumerate(free) if seen[f[1]] == i]

    hand_prop = prop is not None and prop.kind == "hand" and where is not None
    adjusted = {name for _, name in free}
    on_toes = {part.split("-")[0] for c in contacts if c.toes for part in c.parts}
    flat = frozenset(f for f in ("near", "far")
                     if preset.flat_feet and f not in on_toes and ("ankle" if f == "near" else "far_ankle") not in adjusted)

    def evaluate(current: dict[str, float]) -> _State:
        hands: dict[str, tuple[Vec, Vec]] = {}
        if hand_prop and where is not None:
            probe = build(preset.view, current, flat_feet=flat, flat_hands=preset.flat_hands)
            spot, normal = _site_point(probe, where)
            arm = "far" if where.segment in ("upper-arm", "forearm", "hand") else "near"
            hands[arm] = (add(spot, mul(normal, 0.004)), mul(normal, -1.0))
        try:
            body = build(preset.view, current, flat_feet=flat, flat_hands=preset.flat_hands, hand_targets=hands)
        except ValueError:
            raise PoseError(f"in the pose {preset_id!r} the hand cannot reach the {word(where.words, language) if where else 'site'}") from None
        if where is None:
            return _State(body, None, body.joints["hip"])
        if not pressed or prop is None:
            spot, _ = _site_point(body, where)
            return _State(body, None, spot)
        normal = _normal(preset, press)
        segment = body.segments[_segment_name(where)]
        origin = segment.at(where.at)
        surface = ray_exit(body.part(segment.part).outline, origin, normal)
        centre = add(surface, mul(normal, prop.radius))
        # clear the neighbouring parts too (a ball under the buttock also meets the thigh)
        neighbours = [p.outline for p in body.parts if p.name in SAME_PLANE or
                      (p.name.startswith("near-") and not p.name.endswith(("arm", "hand")))]
        for _ in range(4):
            overlap = min(circle_gap(outline, centre, prop.radius) for outline in neighbours)
            if overlap >= -TOLERANCE * 0.1:
                break
            centre = add(centre, mul(normal, -overlap))
        axis = unit(sub(segment.end, segment.start))
        return _State(body, PropShape(prop, centre, prop.radius, axis), sub(centre, mul(normal, prop.radius)))

    def level(state: _State, contact: Contact) -> float:
        normal = _normal(preset, contact.on)
        reach = -math.inf
        for name in contact.parts:
            if name == "prop":
                if state.prop is not None:
                    reach = max(reach, dot(state.prop.centre, normal) + state.prop.radius)
                continue
            for outline in state.body.outlines((name,)):
                reach = max(reach, extreme(outline, normal))
        return reach

    def target(state: _State, contact: Contact) -> float:
        if contact.on == "seat":
            floor = level(state, references["floor"])
            return -(-floor + float(preset.supports["seat"]["above"]))  # seat is `above` the floor
        return level(state, references[contact.on])

    def residuals(current: dict[str, float]) -> tuple[list[float], _State]:
        state = evaluate(current)
        return [level(state, c) - target(state, c) for c, _ in free], state

    def solve(current: dict[str, float]) -> tuple[dict[str, float], list[float], _State]:
        # first each contact alone, in the preset's order (secant steps on its own angle),
        # then all together (Levenberg-Marquardt): a good start makes the joint solve short
        for _sweep in range(2):
            for index, (_, name) in enumerate(free):
                current[name] = _root(lambda x: _with(residuals, current, name, x, index), current[name], joint_of(name))
        res, state = residuals(current)
        damping = 1e-3
        for _ in range(60):
            if all(abs(r) < TOLERANCE * 0.05 for r in res):
                break
            n = len(free)
            jacobian: list[list[float]] = [[0.0] * n for _ in free]
            for j, (_, name) in enumerate(free):
                trial = dict(current)
                trial[name] += 0.25
                shifted, _ = residuals(trial)
                for i in range(n):
                    jacobian[i][j] = (shifted[i] - res[i]) / 0.25
            # Levenberg-Marquardt: (J'J + damping * diag(J'J)) step = -J'r, damping adapted
            jtj = [[sum(jacobian[k][i] * jacobian[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
            jtr = [-sum(jacobian[k][i] * res[k] for k in range(n)) for i in range(n)]
            norm = sum(r * r for r in res)
            improved = False
            for _ in range(12):
                system = [[jtj[i][j] + (damping * (jtj[i][i] + 1e-9) if i == j else 0.0) for j in range(n)]
                          for i in range(n)]
                step = _solve_linear(system, jtr)
                if step is None:
                    damping *= 4
                    continue
                largest = max(abs(x) for x in step)
                scale = min(1.0, 25 / largest) if largest > 0 else 1.0
                trial = dict(current)
                for j, (_, name) in enumerate(free):
                    trial[name] += step[j] * scale
                trial_res, trial_state = residuals(trial)
                if sum(r * r for r in trial_res) < norm:
                    current, res, state = trial, trial_res, trial_state
                    damping = max(damping / 3, 1e-7)
                    improved = True
                    break
                damping *= 4
            if not improved:
                break
        return current, res, state

    # A solve is remembered on disk by its inputs (figures/solved.py): the next process
    # builds the picture from the same angles, so the same bytes, without solving.
    names = [name for _, name in free]
    remembered_as = solved.key([preset_id, sorted(values.items()), _anchor_key(where), tool]) if names else ""
    remembered = solved.load(remembered_as, names) if names else None
    if remembered is not None:
        current = {**values, **remembered}
        res, state = residuals(current)
    else:
        current, res, state = solve(dict(values))
    worst = max((abs(r) for r in res), default=0.0)
    if worst > TOLERANCE:
        contact = max(zip(free, res), key=lambda item: abs(item[1]))[0][0]
        what = ", ".join("the tool" if p == "prop" else "the " + p.replace("-", " ") for p in contact.parts)
        raise PoseError(
            f"in the pose {preset_id!r}, with these angles, {what} cannot rest on the {contact.on}; "
            "change the angles or pick another pose"
        )
    for _, name in free:
        joint = joint_of(name)
        if not joint.low - 0.5 <= current[name] <= joint.high + 0.5:
            what = "the far " + joint.name if name.startswith("far_") else "the " + joint.name
            raise PoseError(
                f"in the pose {preset_id!r} {what} would have to bend to {current[name]:.0f} degrees "
                f"(possible: {joint.low:g} to {joint.high:g}); change the pose's angles"
            )
    if names and remembered is None:
        solved.store(remembered_as, {name: current[name] for name in names})
    return _finish(preset, state, current, where, prop, pressed, press, motion, side, language, references, level)


def _anchor_key(where: Anchor | None) -> list[object] | None:
    """What of a site or anchor the solve depends on (not its words)."""
    return None if where is None else [where.segment, where.at, where.surface]


def _with(residuals: Any, current: dict[str, float], name: str, value: float, index: int) -> float:
    trial = dict(current)
    trial[name] = value
    result: float = residuals(trial)[0][index]
    return result


def _root(f: Any, start: float, joint: Any) -> float:
    """A zero of f near `start`: look outward for a change of sign, then bisect."""
    here = f(start)
    if abs(here) < TOLERANCE * 0.05:
        return start
    low_limit, high_limit = joint.low - 10, joint.high + 10
    for step in (2.0, 5.0, 10.0, 20.0, 40.0, 80.0):
        for candidate in (start - step, start + step):
            if not low_limit <= candidate <= high_limit:
                continue
            value = f(candidate)
            if (value > 0) != (here > 0):
                a, fa, b = start, here, candidate
                for _ in range(14):
                    middle = (a + b) / 2
                    fm = f(middle)
                    if (fm > 0) == (fa > 0):
                        a, fa = middle, fm
                    else:
                        b = middle
                return (a + b) / 2
    return start


def _site_point(body: Body, where: Anchor) -> tuple[Vec, Vec]:
    """The point on the body's surface at the site, and the surface's outward normal."""
    segment = body.segments[_segment_name(where)]
    origin = segment.at(where.at)
    normal = _surface_normal(body, _segment_name(where), where.surface)
    if normal == (0.0, 0.0):  # a surface that faces the viewer: the site is on the axis
        return origin, segment.front
    return ray_exit(body.part(segment.part).outline, origin, normal), normal


def _finish(preset: Preset, state: _State, angles: dict[str, float], where: Anchor | None, prop: Prop | None,
            pressed: bool, press: str, motion: str | None, side: str, language: str,
            references: dict[str, Contact], level: Any) -> Scene:
    lib = library()
    body = state.body
    floor = -level(state, references["floor"]) if "floor" in references else min(
        bounds(p.outline).y0 for p in body.parts)
    walls: list[tuple[float, int]] = []
    if "wall" in preset.supports:
        normal = _normal(preset, "wall")
        if "wall" in references:
            reach = level(state, references["wall"])
        else:
            reach = max(extreme(p.outline, normal) for p in body.parts)
        walls.append((reach * normal[0], int(normal[0])))
    furniture = _chair(body, floor, float(preset.supports["seat"]["above"])) if preset.furniture == "chair" else None
    arrows = _arrows(lib.motions[motion], state, preset, press, body) if motion else []
    support = press if pressed else ""
    alt = AltText(
        pose=word(preset.words, language),
        prop=word(prop.words, language) if prop else "",
        site=word(where.words, language) if where is not None and where.words else "",
        side=side,
        support=word(lib.supports[support], language) if support else "",
        motion=word(lib.motions[motion].words, language) if motion else "",
        pressed=pressed,
    )
    return Scene(preset, preset.view, body, state.prop, state.spot, floor, walls, furniture, arrows, alt, angles,
                 mirrored=side == "left", hand=prop is not None and prop.kind == "hand" and where is not None)


def _chair(body: Body, floor: float, above: float) -> Furniture:
    """A chair under the sitter: the seat at its height, the back against the sitter's back."""
    seat_y = floor + above
    torso = body.part("torso").outline
    back_x = min(p[0] for p in torso if p[1] < seat_y + 0.3)
    knee_x = min(body.joints["near-knee"][0], body.joints["far-knee"][0])
    thickness = 0.022
    seat = Box(back_x - 0.03, seat_y - thickness, knee_x - 0.035, seat_y)
    back = Box(back_x - 0.03, seat_y, back_x - 0.03 + 0.024, seat_y + 0.27)
    legs = (Box(seat.x0, floor, seat.x0 + 0.018, seat.y0), Box(seat.x1 - 0.018, floor, seat.x1, seat.y0))
    # the back rest touches the sitter's back where it is furthest back (never inside it)
    reach = min(p[0] for p in torso if seat_y + 0.04 < p[1] < seat_y + 0.27)
    back = Box(reach - 0.024, seat_y, reach, seat_y + 0.27)
    seat = Box(min(seat.x0, back.x0), seat.y0, seat.x1, seat.y1)
    legs = (Box(seat.x0, floor, seat.x0 + 0.018, seat.y0), Box(seat.x1 - 0.018, floor, seat.x1, seat.y0))
    return Furniture("chair", seat, back, legs)


def _arrows(motion: Motion, state: _State, preset: Preset, press: str, body: Body) -> list[Arrow]:
    """Arrows for a motion, placed beside the prop (or the site)."""
    centre = state.prop.centre if state.prop is not None else state.spot
    radius = state.prop.radius if state.prop is not None else 0.02
    axis = state.prop.axis if state.prop is not None else (0.0, 1.0)
    normal = _normal(preset, press) if press in preset.supports else (0.0, -1.0)
    if motion.kind == "along":
        arrows = []
        for sign in (1.0, -1.0):
            start = add(centre, mul(axis, sign * (radius + 0.02)))
            arrows.append(Arrow((start, add(start, mul(axis, sign * 0.07))), False))
        return arrows
    if motion.kind == "toward":
        # push the body toward the support: an arrow on the body's far side from the support
        reach = max(extreme(p.outline, mul(normal, -1.0)) for p in body.parts if p.name == "torso")
        base = dot(centre, mul(normal, -1.0))
        gap = reach - base + 0.04
        start = add(add(centre, mul(normal, -(gap + 0.08))), mul(axis, 0.12))
        end = add(start, mul(normal, 0.07))
        return [Arrow((start, end), False)]
    # across: an arc over the prop, both ways
    points = []
    away = mul(normal, -1.0)
    for i in range(9):
        t = math.radians(-50 + 100 * i / 8)
        d = add(mul(axis, math.sin(t)), mul(away, -math.cos(t)))
        points.append(add(centre, mul(d, radius + 0.03)))
    return [Arrow(tuple(points), True)]


def preset_scene(preset_id: str, site: str | None = None, tool: str | None = None, **kw: Any) -> Scene:
    """A preset with its gallery site for a tool (`tool` a prop id)."""
    preset = library().presets[preset_id]
    if site is None and tool is not None:
        site = preset.demo["roller" if tool == "foam-roller" else "ball"]
    return scene(preset_id, site=site, tool=tool, **kw)


def prop_circle(shape: PropShape) -> Polygon:
    return circle(shape.centre, shape.radius, 72)


__all__ = ["JOINTS", "PoseError", "Scene", "scene", "library", "preset_ids", "check_angle"]
