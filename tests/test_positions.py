"""Position pictures: the figure, its poses, props and supports (figures/skeleton.py,
poses.py, position.py, picture.py, gallery.py)."""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageStat
from reportlab.pdfgen.canvas import Canvas
from typer.testing import CliRunner

from conftest import ROOT, render
from routinecard.cli import app
from routinecard.figures.geometry import bounds, circle_gap, signed_distance
from routinecard.figures.picture import describe, point_scene
from routinecard.figures.poses import TOLERANCE, PoseError, Scene, library, preset_scene, scene
from routinecard.figures.position import frame, placement
from routinecard.figures.skeleton import JOINTS, SHANK, THIGH, UPPER_ARM, build
from routinecard.locale import load_locale
from routinecard import load_card
from routinecard.model import MOTIONS, POSE_PRESETS

GOLDEN = ROOT / "tests" / "golden"
REGENERATE = os.environ.get("ROUTINECARD_REGENERATE") == "1"
PRESETS = list(POSE_PRESETS)
from routinecard.figures.poses import SAME_PLANE  # noqa: E402


def test_presets_props_and_motions_are_the_agreed_ones() -> None:
    lib = library()
    assert tuple(lib.presets) == POSE_PRESETS == (
        "back-to-wall", "side-to-wall", "facing-wall", "chair-sitting", "floor-sitting", "lying-back-knees-bent",
        "lying-back-legs-straight", "lying-side", "lying-face-down", "hands-and-knees")
    assert tuple(lib.motions) == MOTIONS
    for tool in ("tennis-ball", "lacrosse-ball", "golf-ball", "foam-roller", "frozen-bottle", "fingers", "thumb", "wall"):
        assert tool in lib.props


def test_every_atlas_site_has_a_place_on_the_figure() -> None:
    from routinecard.atlas import load_atlas

    assert set(load_atlas().sites) <= set(library().sites)


def test_proportions_follow_drillis_contini() -> None:
    """Standing straight, the joints sit at Winter's fractions of height."""
    body = build("side", {n: 0.0 for n in ("body", "trunk", "neck", "hip", "knee", "ankle", "shoulder", "elbow",
                                             "far_hip", "far_knee", "far_ankle", "far_shoulder", "far_elbow")},
                 flat_feet=frozenset({"near", "far"}))
    floor = min(bounds(p.outline).y0 for p in body.parts)
    top = max(bounds(p.outline).y1 for p in body.parts)
    assert top - floor == pytest.approx(1.0, abs=0.01)  # the figure is one height tall
    assert body.joints["hip"][1] - floor == pytest.approx(0.530, abs=0.005)
    assert body.joints["near-knee"][1] - floor == pytest.approx(0.285, abs=0.005)
    assert body.joints["near-ankle"][1] - floor == pytest.approx(0.039, abs=0.005)
    assert body.joints["shoulder"][1] - floor == pytest.approx(0.818 - 0.026, abs=0.01)  # joint centre below the acromion
    assert math.dist(body.joints["shoulder"], body.joints["near-elbow"]) == pytest.approx(UPPER_ARM)
    assert (THIGH, SHANK) == (pytest.approx(0.245), pytest.approx(0.246))


def _check(picture: Scene) -> None:
    """The prop touches the body at the site and its support, and overlaps neither;
    nothing of the body is below the floor or through a wall."""
    body = picture.body
    for part in body.parts:
        for x, y in part.outline:
            assert y >= picture.floor - TOLERANCE, (part.name, "below the floor")
            for wall, side in picture.walls:
                assert (x - wall) * side <= TOLERANCE, (part.name, "through the wall")
    prop = picture.prop
    if prop is None:
        return
    own = {p.name for p in body.parts if p.name.startswith("near-") and not p.name.endswith(("arm", "hand"))}
    neighbours = [p for p in body.parts if p.name in SAME_PLANE | own]
    gaps = {p.name: circle_gap(p.outline, prop.centre, prop.radius) for p in neighbours}
    assert min(gaps.values()) == pytest.approx(0.0, abs=TOLERANCE), gaps  # touches the body
    assert all(g >= -TOLERANCE for g in gaps.values()), gaps  # and passes through nothing
    touches = [abs(prop.centre[1] - prop.radius - picture.floor)]
    touches += [abs((wall - prop.centre[0]) * side - prop.radius) for wall, side in picture.walls]
    seat = picture.furniture.seat.y1 if picture.furniture is not None else None
    if seat is not None:
        touches.append(abs(prop.centre[1] - prop.radius - seat))
    assert min(touches) < TOLERANCE  # rests on the floor, the seat, or against the wall


@pytest.mark.parametrize("tool", ["tennis-ball", "foam-roller"])
@pytest.mark.parametrize("preset", PRESETS)
def test_prop_touches_body_and_support_and_overlaps_neither(preset: str, tool: str) -> None:
    _check(preset_scene(preset, tool=tool))


@pytest.mark.parametrize("preset", PRESETS)
def test_figure_stays_inside_its_box(preset: str) -> None:
    picture = preset_scene(preset, tool="tennis-ball", motion="roll-up-down")
    for width, height in ((72.0, 72.0), (216.0, 150.0), (60.0, 200.0)):
        place = placement(picture, width, height)
        points = [place.point(p) for part in picture.body.parts for p in part.outline]
        if picture.prop is not None:
            c = place.point(picture.prop.centre)
            r = picture.prop.radius * place.scale
            points += [(c[0] - r, c[1] - r), (c[0] + r, c[1] + r)]
        points += [place.point(p) for arrow in picture.arrows for p in arrow.points]
        assert all(-0.01 <= x <= width + 0.01 and -0.01 <= y <= height + 0.01 for x, y in points)


ANGLES = st.dictionaries(
    st.sampled_from(["trunk", "neck", "hip", "knee", "ankle", "shoulder", "elbow", "far_hip", "far_knee"]),
    st.integers(-180, 180),
    max_size=3,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preset=st.sampled_from(PRESETS), angles=ANGLES, tool=st.sampled_from(["tennis-ball", "foam-roller", "thumb"]))
def test_any_angles_give_a_finite_figure_in_its_box_or_a_clear_error(preset: str, angles: dict[str, int],
                                                                      tool: str) -> None:
    try:
        picture = scene(preset, angles={k: float(v) for k, v in angles.items()}, site=library().presets[preset].demo["ball"],
                        tool=tool)
    except PoseError as error:
        message = str(error)
        assert "\n" not in message and ("degrees" in message or "cannot" in message), message
        for name, value in angles.items():  # an angle outside a joint's range is always refused
            joint = JOINTS[name.removeprefix("far_")]
            if not joint.low <= value <= joint.high:
                return
        return
    for name, value in angles.items():
        joint = JOINTS[name.removeprefix("far_")]
        assert joint.low <= value <= joint.high
    for part in picture.body.parts:
        assert all(math.isfinite(x) and math.isfinite(y) for x, y in part.outline)
    box = frame(picture)
    assert 0 < box.width < 5 and 0 < box.height < 5
    place = placement(picture, 100, 100)
    assert all(-0.01 <= c <= 100.01 for part in picture.body.parts for p in part.outline for c in place.point(p))


def test_left_side_is_drawn_mirrored() -> None:
    right = preset_scene("back-to-wall", tool="tennis-ball")
    left = preset_scene("back-to-wall", tool="tennis-ball", side="left")
    assert left.mirrored and not right.mirrored
    assert placement(left, 100, 100).point(left.spot)[0] == pytest.approx(100 - placement(right, 100, 100).point(right.spot)[0])


def test_a_hand_or_thumb_presses_the_site() -> None:
    picture = scene("chair-sitting", site="quadriceps", tool="thumb")
    tip = picture.body.joints["near-fingertips"]
    assert picture.prop is None and picture.hand
    assert math.dist(tip, picture.spot) < 0.01  # the thumb is on the spot
    with pytest.raises(PoseError, match="cannot reach"):
        scene("back-to-wall", site="heel", tool="thumb")


def _png(picture: Scene, size: float = 144) -> Image.Image:
    from routinecard.figures.position import draw_scene

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(size, size), invariant=True)
    draw_scene(canvas, picture, size, size)
    canvas.save()
    return render(buffer.getvalue(), dpi=100)


@pytest.mark.parametrize(("preset", "tool"), [("back-to-wall", "tennis-ball"), ("chair-sitting", "tennis-ball"),
                                              ("lying-back-knees-bent", "foam-roller"), ("side-to-wall", "tennis-ball")])
def test_position_picture_golden(preset: str, tool: str) -> None:
    """Pixel test. After an intended change of look: ROUTINECARD_REGENERATE=1 make test,
    then look at tests/golden/position-*.png before committing them."""
    image = _png(preset_scene(preset, tool=tool)).convert("RGB")
    reference = GOLDEN / f"position-{preset}.png"
    if REGENERATE or not reference.exists():
        if not REGENERATE:
            pytest.fail(f"no golden image {reference.name}; run with ROUTINECARD_REGENERATE=1")
        image.save(reference)
        return
    expected = Image.open(reference).convert("RGB")
    assert expected.size == image.size
    difference = ImageStat.Stat(ImageChops.difference(image, expected).convert("L")).mean[0]
    assert difference < 1.5, f"{preset}: mean pixel difference {difference:.2f}"


def test_picture_reads_in_grayscale() -> None:
    """Near limbs, far limbs, outline and spot stay apart in grey (black-and-white printing)."""
    from routinecard.figures.position import DEFAULT_PALETTE as p

    def grey(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    shades = sorted(grey(c) for c in (p.near, p.far, p.outline, p.hair))
    assert all(b - a > 30 for a, b in zip(shades, shades[1:]))
    image = _png(preset_scene("hands-and-knees", tool="tennis-ball")).convert("L")
    histogram = image.histogram()
    for colour in (p.near, p.far):
        level = round(grey(colour))
        assert sum(histogram[level - 3:level + 4]) > 40


def test_gallery_command_writes_the_docs_picture(tmp_path: Path) -> None:
    """docs/positions.png is what `routinecard poses --gallery` draws (regenerate switch as above)."""
    out = tmp_path / "positions.png"
    result = CliRunner().invoke(app, ["poses", "--gallery", str(out)])
    assert result.exit_code == 0, result.output
    docs = ROOT / "docs" / "positions.png"
    if REGENERATE:
        docs.write_bytes(out.read_bytes())
    image, expected = Image.open(out).convert("RGB"), Image.open(docs).convert("RGB")
    assert image.size == expected.size
    assert ImageStat.Stat(ImageChops.difference(image, expected).convert("L")).mean[0] < 1.5


def test_poses_command_lists_presets_and_props_as_json() -> None:
    import json

    result = CliRunner().invoke(app, ["poses", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [p["id"] for p in data["presets"]] == PRESETS
    assert {"tennis-ball", "foam-roller", "thumb"} <= {p["id"] for p in data["props"]}
    listed = CliRunner().invoke(app, ["poses"])
    assert "back-to-wall" in listed.output and "foam-roller" in listed.output


def test_sciatica_pictures_show_what_the_card_says_and_are_described() -> None:
    card = load_card(ROOT / "cards" / "sciatica-trigger-points.yaml")
    pictures = [point_scene(p) for p in card.points]
    assert [s.preset.id if s else None for s in pictures] == ["back-to-wall", "side-to-wall", "side-to-wall",
                                                             "chair-sitting"]
    for picture in pictures:
        assert picture is not None and picture.prop is not None
        _check(picture)
    assert pictures[3].furniture is not None  # a chair, the ball under the thigh on its seat
    assert pictures[3].prop is not None and pictures[3].prop.centre[1] - pictures[3].prop.radius == pytest.approx(
        pictures[3].furniture.seat.y1, abs=TOLERANCE)
    english = [describe(s, load_locale("en")) for s in pictures if s is not None]
    assert english[0] == ("Standing with your back to a wall; a tennis ball between the middle of the buttock "
                          "(right side) and the wall; arrows: lean in")
    assert "side of the hip" in english[1] and "roll up and down" in english[1]
    spanish = load_card(ROOT / "cards" / "sciatica-trigger-points.es.yaml")
    assert "pelota de tenis" in describe(point_scene(spanish.points[0], "es"), load_locale("es"))  # type: ignore[arg-type]


def test_outlines_are_simplified_within_the_tolerance() -> None:
    """Position pictures drop outline points that lie within SIMPLIFY of the outline
    without them: a circle keeps fewer points, a square keeps its corners, and no dropped
    point is farther than the tolerance from the simplified outline."""
    import math

    from routinecard.figures.position import simplify_closed

    def distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        (x, y), (x1, y1), (x2, y2) = p, a, b
        dx, dy = x2 - x1, y2 - y1
        t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))

    circle = [(5 * math.cos(2 * math.pi * i / 60), 5 * math.sin(2 * math.pi * i / 60)) for i in range(60)]
    kept = simplify_closed(circle, 0.1)
    assert 12 <= len(kept) < 40
    edges = list(zip(kept, kept[1:] + kept[:1]))
    assert all(min(distance(p, a, b) for a, b in edges) <= 0.1 + 1e-9 for p in circle)
    square = [(0.0, 0.0), (5.0, 0.0), (10.0, 0.0), (10.0, 5.0), (10.0, 10.0), (5.0, 10.0), (0.0, 10.0), (0.0, 5.0)]
    assert sorted(simplify_closed(square, 0.1)) == [(0.0, 0.0), (0.0, 10.0), (10.0, 0.0), (10.0, 10.0)]


SOLVE_PROBE = """
import hashlib, sys
from pathlib import Path
from routinecard.api import build_pdf
print(hashlib.sha256(build_pdf(Path(sys.argv[1]))).hexdigest())
"""


def test_a_remembered_solve_gives_the_same_bytes(tmp_path: Path) -> None:
    """Solved poses are kept on disk by their inputs; a process that finds them builds the
    same bytes as one that solves, and a damaged or foreign file there is ignored."""
    import os
    import subprocess
    import sys

    card = ROOT / "cards" / "sciatica-trigger-points.yaml"
    cache = tmp_path / "cache"

    def build(setting: str) -> str:
        env = {**os.environ, "ROUTINECARD_CACHE": setting}
        done = subprocess.run([sys.executable, "-c", SOLVE_PROBE, str(card)], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    fresh = build(str(cache))
    files = sorted((cache / "poses").glob("*.json"))
    assert len(files) == 4  # the card's four poses
    assert build(str(cache)) == fresh  # from the remembered angles
    for bad in (b"{", b'{"hip": "x"}', b'{"hip": 1e999}'):
        for f in files:
            f.write_bytes(bad)
        assert build(str(cache)) == fresh
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert build(str(blocked / "cache")) == fresh  # a cache that cannot be written only costs the solve


def test_signed_distance_matches_a_plain_reference() -> None:
    """signed_distance is one hand-written loop (the solver's hot path); it must give
    exactly what the plain formula gives: nearest point on each edge, even-odd inside."""
    import math
    import random

    from routinecard.figures.geometry import capsule

    def reference(polygon: tuple[tuple[float, float], ...], p: tuple[float, float]) -> float:
        best, inside = math.inf, False
        n = len(polygon)
        for i in range(n):
            (ax, ay), (bx, by) = polygon[i], polygon[(i + 1) % n]
            dx, dy = bx - ax, by - ay
            den = dx * dx + dy * dy
            t = 0.0 if den == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / den))
            best = min(best, math.hypot(p[0] - (ax + dx * t), p[1] - (ay + dy * t)))
            if (ay > p[1]) != (by > p[1]) and p[0] < ax + (p[1] - ay) * (bx - ax) / (by - ay):
                inside = not inside
        return -best if inside else best

    chance = random.Random(7)
    for _ in range(2000):
        shape = capsule((chance.random(), chance.random()), chance.uniform(0.01, 0.1),
                        (chance.random(), chance.random()), chance.uniform(0.01, 0.1))
        point = (chance.uniform(-0.2, 1.2), chance.uniform(-0.2, 1.2))
        assert signed_distance(shape, point) == reference(shape, point)
