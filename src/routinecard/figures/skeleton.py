"""A parametric human figure: joint angles in, joint positions and body outlines out.

Proportions: segment lengths and widths are fractions of standing height H, from
Drillis and Contini (1966) as tabled in D. A. Winter, *Biomechanics and Motor Control of
Human Movement* (4th ed., 2009), Fig. 4.1 ("body segment lengths expressed as a fraction
of body height H"):

    vertex 1.000H, chin 0.870H, shoulder 0.818H, elbow 0.630H, greater trochanter (hip)
    0.530H, wrist 0.485H, knee 0.285H, ankle 0.039H; upper arm 0.186H, forearm 0.146H,
    hand 0.108H; shoulder width 0.259H, chest width 0.174H, hip width 0.191H, foot length
    0.152H, foot width 0.055H.

So: thigh = 0.530 - 0.285 = 0.245H, shank = 0.285 - 0.039 = 0.246H, hip to shoulder
0.288H, neck (shoulder to chin) 0.052H, head (chin to vertex) 0.130H.

Drillis-Contini give lengths and breadths only. Depths and limb thicknesses (chest depth,
buttock depth, thigh and arm radii) are drawing choices made here to match average adult
girths (thigh about 0.30H round, chest depth about 0.13H); they are marked DRAWN below.

Two views: "side" (sagittal: the figure faces +x, the near limbs are toward the viewer)
and "front" (coronal: the figure faces the viewer, its near side is at -x). Angles are
degrees; see JOINTS for what each one turns and how far a person can turn it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from routinecard.figures.geometry import (
    Polygon,
    Vec,
    add,
    capsule,
    direction,
    ellipse,
    mul,
    smooth_closed,
    sub,
    unit,
)

View = Literal["side", "front"]

# -- Drillis-Contini, as tabled in Winter (2009) Fig. 4.1 (fractions of height H) --------
HIP_HEIGHT = 0.530
KNEE_HEIGHT = 0.285
ANKLE_HEIGHT = 0.039
SHOULDER_HEIGHT = 0.818
CHIN_HEIGHT = 0.870
THIGH = HIP_HEIGHT - KNEE_HEIGHT  # 0.245
SHANK = KNEE_HEIGHT - ANKLE_HEIGHT  # 0.246
TRUNK = SHOULDER_HEIGHT - HIP_HEIGHT  # 0.288, greater trochanter to shoulder
NECK = CHIN_HEIGHT - SHOULDER_HEIGHT  # 0.052
HEAD = 1.0 - CHIN_HEIGHT  # 0.130
UPPER_ARM = 0.186
FOREARM = 0.146
HAND = 0.108
SHOULDER_WIDTH = 0.259
CHEST_WIDTH = 0.174
HIP_WIDTH = 0.191
FOOT_LENGTH = 0.152
FOOT_WIDTH = 0.055

# -- DRAWN: thicknesses (radii, fractions of H) ---------------------------------------
THIGH_R = (0.050, 0.033)  # at hip, at knee
SHANK_R = (0.032, 0.035, 0.018)  # at knee, at calf (0.3 down the shank), at ankle
UPPER_ARM_R = (0.029, 0.022)
FOREARM_R = (0.022, 0.016)
HAND_R = (0.017, 0.012)
NECK_R = 0.026
HEAD_RY = HEAD / 2 + 0.001  # skull half-height: chin to vertex
HEAD_RX_SIDE = 0.055  # half head depth (about 0.11H front to back)
HEAD_RX_FRONT = 0.046  # half head breadth (about 0.09H)
WAIST = 0.11  # from the hip joint up to the waist, where the spine bends
HIP_JOINT_HALF = 0.048  # hip joint centres, either side of the midline (front view)
SHOULDER_JOINT_HALF = SHOULDER_WIDTH / 2 - UPPER_ARM_R[0]  # shoulder width to the outside of the arms

# Trunk outline stations, side view: (height above the hip joint, back depth, front depth).
# Buttock depth about 0.125H, waist 0.10H, chest 0.13H (DRAWN).
SIDE_STATIONS: tuple[tuple[float, float, float], ...] = (
    (-0.050, 0.045, 0.030),
    (-0.012, 0.070, 0.046),
    (0.040, 0.066, 0.050),
    (WAIST, 0.050, 0.052),
    (0.175, 0.056, 0.068),
    (0.235, 0.060, 0.058),
    (0.272, 0.046, 0.040),
    (0.292, 0.022, 0.020),
)
# Front view: (height above the hip joints, half width). Hip width, chest width and
# shoulder width from Drillis-Contini; the waist is DRAWN.
FRONT_STATIONS: tuple[tuple[float, float], ...] = (
    (-0.055, 0.070),
    (0.000, HIP_WIDTH / 2),
    (0.060, 0.088),
    (WAIST, 0.074),
    (0.190, CHEST_WIDTH / 2),
    (0.250, 0.094),
    (0.280, 0.080),
    (0.298, 0.032),
)
SHOULDER_ALONG = 0.262  # shoulder joint, height above the hip joint along the trunk
NECK_BASE = 0.285


@dataclass(frozen=True)
class Joint:
    """One adjustable angle: what it turns, and the range a person can reach."""

    name: str
    low: float
    high: float
    meaning: str


# Ranges of motion (degrees), rounded from the AAOS normal values (Greene & Heckman 1994);
# `body` is not a joint but the figure's orientation (0 upright, 90 face down).
JOINTS: dict[str, Joint] = {
    j.name: j
    for j in (
        Joint("body", -180, 180, "turns the whole body: 0 upright, -90 lying on the back, 90 face down"),
        Joint("trunk", -30, 90, "bends the spine at the waist (forward is positive)"),
        Joint("neck", -60, 70, "bends the neck (forward is positive)"),
        Joint("hip", -30, 140, "moves the thigh forward (side view) or out to the side (front view)"),
        Joint("knee", 0, 150, "bends the knee"),
        Joint("ankle", -50, 30, "lifts the toes (positive) or points them (negative)"),
        Joint("shoulder", -60, 180, "raises the arm forward (side view) or out to the side (front view)"),
        Joint("elbow", 0, 150, "bends the elbow"),
    )
}
LIMB_JOINTS = ("hip", "knee", "ankle", "shoulder", "elbow")
ANGLE_NAMES: tuple[str, ...] = ("body", "trunk", "neck", *LIMB_JOINTS, *(f"far_{j}" for j in LIMB_JOINTS))


def check_angle(name: str, value: float) -> None:
    """Raise ValueError with a plain message when a person cannot reach this angle."""
    if name not in ANGLE_NAMES:
        raise ValueError(f"unknown angle {name!r}")
    joint = joint_of(name)
    if not math.isfinite(value) or not joint.low <= value <= joint.high:
        raise ValueError(
            f"{value:g} degrees is not possible: this angle {joint.meaning.split(' (')[0].removeprefix('turns ')}"
            f" only from {joint.low:g} to {joint.high:g} degrees"
        )


def joint_of(angle: str) -> Joint:
    return JOINTS[angle.removeprefix("far_")]


Tone = Literal["near", "far", "hair", "face"]


@dataclass(frozen=True)
class Part:
    """One outline of the body, with what it is and how it is painted."""

    name: str  # e.g. "near-thigh", "torso", "head"
    outline: Polygon
    tone: Tone
    layer: int  # drawn in increasing layer; parts of one layer share one outline


@dataclass(frozen=True)
class Segment:
    """A body segment's axis, for placing things along it."""

    start: Vec
    end: Vec
    part: str  # the part whose outline is this segment's surface
    front: Vec  # the direction the segment's front surface faces
    lateral: Vec  # the direction its outer side faces (front view) or toward the viewer (side view: (0, 0))

    def at(self, t: float) -> Vec:
        return (self.start[0] + (self.end[0] - self.start[0]) * t, self.start[1] + (self.end[1] - self.start[1]) * t)


@dataclass
class Body:
    """The posed figure: its outlines and its segment axes, in units of height H."""

    view: View
    parts: list[Part] = field(default_factory=list)
    segments: dict[str, Segment] = field(default_factory=dict)
    joints: dict[str, Vec] = field(default_factory=dict)

    def part(self, name: str) -> Part:
        for part in self.parts:
            if part.name == name:
                return part
        raise KeyError(name)

    def outlines(self, names: tuple[str, ...]) -> list[Polygon]:
        """The outlines of parts whose names match, e.g. ("near-foot",) or ("torso", "far-thigh")."""
        return [p.outline for p in self.parts if p.name in names]


def _angle(angles: dict[str, float], name: str, far: bool) -> float:
    return angles[f"far_{name}"] if far else angles[name]


def build(view: View, angles: dict[str, float], *, flat_feet: frozenset[str] = frozenset(), flat_hands: bool = False,
          hand_targets: dict[str, tuple[Vec, Vec]] | None = None) -> Body:
    """The figure posed by `angles` (every name of ANGLE_NAMES), hip joint (side view) or
    pelvis centre (front view) at the origin.

    `flat_feet` ("near", "far") turns those ankles so the soles lie flat on a level floor, and `flat_hands`
    the wrists so the palms do; `hand_targets` places a hand (key "near" or "far") with its
    fingertips at a point, pressing in a direction, by bending shoulder and elbow.
    """
    body = Body(view)
    if view == "side":
        _build_side(body, angles, flat_feet, flat_hands, hand_targets or {})
    else:
        _build_front(body, angles, hand_targets or {})
    return body


def _trunk_point(hip: Vec, body_angle: float, trunk_angle: float, s: float, offset: float, side: bool) -> Vec:
    """A point `s` up the spine from the hip joint, `offset` toward the front (side view) or
    toward the far side (front view)."""
    if s <= WAIST:
        up, across = direction(body_angle), direction(body_angle + 90)
        return add(add(hip, mul(up, s)), mul(across, offset))
    up_p = direction(body_angle)
    waist = add(hip, mul(up_p, WAIST))
    up, across = direction(trunk_angle), direction(trunk_angle + 90)
    return add(add(waist, mul(up, s - WAIST)), mul(across, offset))


def _arm(body: Body, prefix: str, shoulder: Vec, upper_dir: Vec, fore_dir: Vec, hand_dir: Vec, tone: Tone, layer: int,
         front: Vec, lateral: Vec) -> Vec:
    elbow = add(shoulder, mul(upper_dir, UPPER_ARM))
    wrist = add(elbow, mul(fore_dir, FOREARM))
    tip = add(wrist, mul(hand_dir, HAND * 0.85))
    body.parts.append(Part(f"{prefix}-upper-arm", capsule(shoulder, UPPER_ARM_R[0], elbow, UPPER_ARM_R[1]), tone, layer))
    body.parts.append(Part(f"{prefix}-forearm", capsule(elbow, FOREARM_R[0], wrist, FOREARM_R[1]), tone, layer))
    body.parts.append(Part(f"{prefix}-hand", capsule(add(wrist, mul(hand_dir, 0.01)), HAND_R[0], tip, HAND_R[1]), tone, layer))
    body.segments[f"{prefix}-upper-arm"] = Segment(shoulder, elbow, f"{prefix}-upper-arm", front, lateral)
    body.segments[f"{prefix}-forearm"] = Segment(elbow, wrist, f"{prefix}-forearm", front, lateral)
    body.segments[f"{prefix}-hand"] = Segment(wrist, tip, f"{prefix}-hand", front, lateral)
    body.joints[f"{prefix}-elbow"] = elbow
    body.joints[f"{prefix}-wrist"] = wrist
    body.joints[f"{prefix}-fingertips"] = tip
    return tip


def _reach(shoulder: Vec, wrist: Vec, away: Vec) -> tuple[Vec, Vec]:
    """Upper-arm and forearm directions that put the wrist at `wrist` (two-link inverse
    kinematics), elbow bent toward `away`. Raises ValueError when out of reach."""
    d = sub(wrist, shoulder)
    distance = math.hypot(*d)
    a, b = UPPER_ARM, FOREARM
    if distance > a + b - 1e-6 or distance < abs(a - b) + 1e-6:
        raise ValueError("out of reach")
    along = (a * a - b * b + distance * distance) / (2 * distance)
    height = math.sqrt(max(a * a - along * along, 0.0))
    u = unit(d)
    normal = (-u[1], u[0])
    if normal[0] * away[0] + normal[1] * away[1] < 0:
        normal = (-normal[0], -normal[1])
    elbow = add(add(shoulder, mul(u, along)), mul(normal, height))
    return unit(sub(elbow, shoulder)), unit(sub(wrist, elbow))


def _head(body: Body, neck_base: Vec, neck_angle: float, front: Vec, layer: int, view: View) -> None:
    up = direction(neck_angle)
    neck_top = add(neck_base, mul(up, NECK + 0.012))
    body.parts.append(Part("neck", capsule(neck_base, NECK_R + 0.004, neck_top, NECK_R), "near", layer))
    body.segments["neck"] = Segment(neck_base, neck_top, "neck", front, (0.0, 0.0))
    if view == "side":
        centre = add(add(neck_top, mul(up, HEAD_RY * 0.78)), mul(front, 0.012))
        skull = ellipse(centre, HEAD_RX_SIDE, HEAD_RY, neck_angle)
        jaw_back = add(add(centre, mul(up, -0.028)), mul(front, -0.008))
        chin = add(add(centre, mul(up, -0.052)), mul(front, 0.036))
        nose = add(add(centre, mul(up, 0.0)), mul(front, HEAD_RX_SIDE + 0.006))
        body.parts.append(Part("head", skull, "near", layer))
        body.parts.append(Part("jaw", capsule(jaw_back, 0.04, chin, 0.014), "near", layer))
        body.parts.append(Part("nose", capsule(add(nose, mul(front, -0.012)), 0.010, nose, 0.006), "near", layer))
        # hair: the back and top of the skull, a shade darker (shows which way the face is)
        body.parts.append(Part("hair", _hair(centre, up, front, HEAD_RY, HEAD_RX_SIDE, 58, -150, 0.30, -0.25), "hair",
                               layer + 1))
        body.segments["head"] = Segment(add(centre, mul(up, -HEAD_RY)), add(centre, mul(up, HEAD_RY)), "head", front,
                                        (0.0, 0.0))
    else:
        centre = add(neck_top, mul(up, HEAD_RY * 0.8))
        side = direction(neck_angle + 90)
        skull = ellipse(centre, HEAD_RX_FRONT, HEAD_RY, neck_angle)
        body.parts.append(Part("head", skull, "near", layer))
        for sign in (-1.0, 1.0):
            ear = add(add(centre, mul(side, sign * (HEAD_RX_FRONT + 0.002))), mul(up, -0.004))
            body.parts.append(Part("ear", ellipse(ear, 0.009, 0.017, neck_angle), "near", layer))
        body.parts.append(Part("hair", _hair(centre, up, side, HEAD_RY, HEAD_RX_FRONT, 98, -98, 0.62, 0.0), "hair",
                               layer + 1))
        body.segments["head"] = Segment(add(centre, mul(up, -HEAD_RY)), add(centre, mul(up, HEAD_RY)), "head", front,
                                        side)


def _hair(centre: Vec, up: Vec, across: Vec, ry: float, rx: float, start: float, end: float, dip: float,
          lean: float) -> Polygon:
    """A cap of hair: the skull's outline from angle `start` over the top to `end` (degrees,
    0 = top, positive toward `across`), closed by a curve that dips `dip` of the way down."""
    outer: list[Vec] = []
    for i in range(29):
        a = math.radians(start + (end - start) * i / 28)
        outer.append(_local(centre, up, across, math.cos(a) * ry * 1.05, math.sin(a) * rx * 1.05))
    control = _local(centre, up, across, ry * (1 - 2 * dip), rx * lean)
    p0, p2 = outer[-1], outer[0]
    inner = []
    for i in range(1, 12):
        t = i / 12
        inner.append(((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * control[0] + t * t * p2[0],
                      (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * control[1] + t * t * p2[1]))
    return tuple(outer + inner)


def _local(origin: Vec, up: Vec, across: Vec, u: float, a: float) -> Vec:
    return (origin[0] + up[0] * u + across[0] * a, origin[1] + up[1] * u + across[1] * a)


def _leg_side(body: Body, prefix: str, hip: Vec, thigh_angle: float, knee: float, ankle: float, flat: bool,
              tone: Tone, layer: int) -> None:
    thigh_dir = direction(thigh_angle)
    knee_at = add(hip, mul(thigh_dir, THIGH))
    shank_angle = thigh_angle + knee
    shank_dir = direction(shank_angle)
    ankle_at = add(knee_at, mul(shank_dir, SHANK))
    calf = add(knee_at, mul(shank_dir, SHANK * 0.3))
    foot_angle = 90.0 if flat else shank_angle - 90 - ankle
    toe_dir = direction(foot_angle)
    sole = direction(foot_angle + 90)  # toward the sole
    heel = add(add(ankle_at, mul(toe_dir, -0.028)), mul(sole, ANKLE_HEIGHT - 0.022))
    toe = add(add(ankle_at, mul(toe_dir, FOOT_LENGTH - 0.028 - 0.012)), mul(sole, ANKLE_HEIGHT - 0.013))
    body.parts.append(Part(f"{prefix}-thigh", capsule(hip, THIGH_R[0], knee_at, THIGH_R[1]), tone, layer))
    shank = capsule(knee_at, SHANK_R[0], calf, SHANK_R[1])
    lower = capsule(calf, SHANK_R[1], ankle_at, SHANK_R[2])
    calf_back = direction(shank_angle + 90)  # back of the calf
    # the calf bulges at the back: shift the calf circle back a little (DRAWN)
    lower = capsule(add(calf, mul(calf_back, -0.004)), SHANK_R[1], ankle_at, SHANK_R[2])
    body.parts.append(Part(f"{prefix}-shank", shank, tone, layer))
    body.parts.append(Part(f"{prefix}-calf", lower, tone, layer))
    body.parts.append(Part(f"{prefix}-foot", capsule(heel, 0.022, toe, 0.013), tone, layer))
    body.parts.append(Part(f"{prefix}-ankle", capsule(ankle_at, SHANK_R[2] + 0.002, heel, 0.02), tone, layer))
    front = direction(thigh_angle - 90)
    body.segments[f"{prefix}-thigh"] = Segment(hip, knee_at, f"{prefix}-thigh", front, (0.0, 0.0))
    body.segments[f"{prefix}-shank"] = Segment(knee_at, ankle_at, f"{prefix}-calf", direction(shank_angle - 90),
                                               (0.0, 0.0))
    body.segments[f"{prefix}-foot"] = Segment(heel, toe, f"{prefix}-foot", mul(sole, -1.0), (0.0, 0.0))
    body.joints[f"{prefix}-knee"] = knee_at
    body.joints[f"{prefix}-ankle"] = ankle_at
    body.joints[f"{prefix}-heel"] = heel
    body.joints[f"{prefix}-toe"] = toe


def _build_side(body: Body, a: dict[str, float], flat_feet: frozenset[str], flat_hands: bool,
                hands: dict[str, tuple[Vec, Vec]]) -> None:
    hip: Vec = (0.0, 0.0)
    b, t = a["body"], a["body"] + a["trunk"]
    front = direction(b + 90)
    back_points: list[Vec] = []
    front_points: list[Vec] = []
    for s, back, fwd in SIDE_STATIONS:
        back_points.append(_trunk_point(hip, b, t, s, -back, True))
        front_points.append(_trunk_point(hip, b, t, s, fwd, True))
    outline = smooth_closed(back_points + front_points[::-1], samples=6)
    shoulder = _trunk_point(hip, b, t, SHOULDER_ALONG, 0.0, True)
    neck_base = _trunk_point(hip, b, t, NECK_BASE, 0.004, True)
    waist = _trunk_point(hip, b, t, WAIST, 0.0, True)
    body.joints.update(hip=hip, waist=waist, shoulder=shoulder, neck=neck_base)
    trunk_front = direction(t + 90)
    # far limbs first (darker), then trunk, head and near leg as one silhouette, near arm on top
    for far in (True, False):
        prefix = "far" if far else "near"
        tone: Tone = "far" if far else "near"
        layer_leg = 0 if far else 2
        thigh_angle = b + 180 - _angle(a, "hip", far)
        _leg_side(body, prefix, hip, thigh_angle, _angle(a, "knee", far), _angle(a, "ankle", far), prefix in flat_feet, tone,
                  layer_leg)
        if prefix in hands:
            tip, press = hands[prefix]
            wrist = sub(tip, mul(press, HAND * 0.85))
            upper_dir, fore_dir = _reach(shoulder, wrist, mul(trunk_front, -1.0) if press[1] < 0 else (0.0, -1.0))
            hand_dir = press
        else:
            upper_angle = t + 180 - _angle(a, "shoulder", far)
            fore_angle = upper_angle - _angle(a, "elbow", far)
            upper_dir, fore_dir = direction(upper_angle), direction(fore_angle)
            hand_dir = direction(90.0 if fore_dir[0] >= 0 else -90.0) if flat_hands else fore_dir
        _arm(body, prefix, shoulder, upper_dir, fore_dir, hand_dir, tone, 1 if far else 4, trunk_front, (0.0, 0.0))
    body.parts.append(Part("torso", outline, "near", 2))
    _head(body, neck_base, t + a["neck"], direction(t + a["neck"] + 90), 2, "side")
    body.segments["pelvis"] = Segment(_trunk_point(hip, b, t, -0.03, -0.01, True), waist, "torso", front, (0.0, 0.0))
    body.segments["trunk"] = Segment(waist, _trunk_point(hip, b, t, NECK_BASE, 0.0, True), "torso", trunk_front,
                                     (0.0, 0.0))


def _build_front(body: Body, a: dict[str, float], hands: dict[str, tuple[Vec, Vec]]) -> None:
    centre: Vec = (0.0, 0.0)
    b, t = a["body"], a["body"] + a["trunk"]
    near_points: list[Vec] = []
    far_points: list[Vec] = []
    for s, half in FRONT_STATIONS:
        near_points.append(_trunk_point(centre, b, t, s, -half, False))
        far_points.append(_trunk_point(centre, b, t, s, half, False))
    outline = smooth_closed(near_points + far_points[::-1], samples=6)
    across_pelvis = direction(b + 90)  # toward the far side
    across_trunk = direction(t + 90)
    waist = _trunk_point(centre, b, t, WAIST, 0.0, False)
    neck_base = _trunk_point(centre, b, t, NECK_BASE, 0.0, False)
    body.joints.update(hip=centre, waist=waist, neck=neck_base)
    facing: Vec = (0.0, 0.0)  # the front faces the viewer
    for far in (False, True):
        prefix = "far" if far else "near"
        sign = 1.0 if far else -1.0
        hip = add(centre, mul(across_pelvis, sign * HIP_JOINT_HALF))
        thigh_angle = b + 180 - sign * _angle(a, "hip", far)
        thigh_dir = direction(thigh_angle)
        knee_at = add(hip, mul(thigh_dir, THIGH))
        ankle_at = add(knee_at, mul(thigh_dir, SHANK))
        calf = add(knee_at, mul(thigh_dir, SHANK * 0.3))
        lateral = mul(direction(thigh_angle + 90), sign)  # the leg's outer side
        body.parts.append(Part(f"{prefix}-thigh", capsule(hip, THIGH_R[0] * 1.02, knee_at, THIGH_R[1]), "near", 2))
        body.parts.append(Part(f"{prefix}-shank", capsule(knee_at, SHANK_R[0], calf, SHANK_R[1] * 0.95), "near", 2))
        body.parts.append(Part(f"{prefix}-calf", capsule(calf, SHANK_R[1] * 0.95, ankle_at, SHANK_R[2]), "near", 2))
        down = mul(direction(thigh_angle), 1.0)
        foot_centre = add(add(ankle_at, mul(down, ANKLE_HEIGHT * 0.55)), mul(lateral, 0.006))
        body.parts.append(Part(f"{prefix}-foot", ellipse(foot_centre, FOOT_WIDTH / 2 + 0.004, ANKLE_HEIGHT * 0.75,
                                                         thigh_angle - 180), "near", 2))
        body.segments[f"{prefix}-thigh"] = Segment(hip, knee_at, f"{prefix}-thigh", facing, lateral)
        body.segments[f"{prefix}-shank"] = Segment(knee_at, ankle_at, f"{prefix}-calf", facing, lateral)
        body.segments[f"{prefix}-foot"] = Segment(ankle_at, add(ankle_at, mul(down, ANKLE_HEIGHT)), f"{prefix}-foot",
                                                  facing, lateral)
        body.joints[f"{prefix}-knee"] = knee_at
        body.joints[f"{prefix}-ankle"] = ankle_at
        shoulder = add(_trunk_point(centre, b, t, SHOULDER_ALONG, 0.0, False), mul(across_trunk, sign * SHOULDER_JOINT_HALF))
        body.joints[f"{prefix}-shoulder"] = shoulder
        arm_lateral = mul(across_trunk, sign)
        if prefix in hands:
            tip, press = hands[prefix]
            wrist = sub(tip, mul(press, HAND * 0.85))
            upper_dir, fore_dir = _reach(shoulder, wrist, arm_lateral)
            hand_dir = press
        else:
            upper_angle = t + 180 - sign * _angle(a, "shoulder", far)
            fore_angle = upper_angle - sign * _angle(a, "elbow", far)
            upper_dir, fore_dir = direction(upper_angle), direction(fore_angle)
            hand_dir = fore_dir
        _arm(body, prefix, shoulder, upper_dir, fore_dir, hand_dir, "near", 4, facing, arm_lateral)
    body.parts.append(Part("torso", outline, "near", 2))
    _head(body, neck_base, t + a["neck"], facing, 2, "front")
    body.segments["pelvis"] = Segment(_trunk_point(centre, b, t, -0.03, 0.0, False), waist, "torso", facing,
                                      mul(across_pelvis, -1.0))
    body.segments["trunk"] = Segment(waist, neck_base, "torso", facing, mul(across_trunk, -1.0))
    # in the front view the near side of the pelvis and trunk is at -x: the "lateral" of the
    # trunk segments is the near side, where a near-side site sits
    _ = unit
