"""The atlas: every site on every view it names, the label placement, referral shading in
colour and grey, and the bugs the old body map had (each with the test that catches it)."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from conftest import ROOT, card_data, page_count, render, write_card
from routinecard import build_pdf
from routinecard.atlas import load_atlas
from routinecard.cli import app
from routinecard.errors import InputError
from routinecard.figures.bodymap import (
    BodyFigure,
    Ellipse,
    FigureStyle,
    Highlight,
    body_map,
    highlights_for,
    segments_cross,
)
from routinecard.fonts import font_set
from routinecard.model import Card, View
from routinecard.placement import map_problems, overview_groups, placement

DPI = 144
BODY_FILL = (0xE1, 0xE6, 0xEC)
TINT = (0xF6, 0xC9, 0xC4)
ACCENT = (0x1F, 0x4E, 0x79)
EXAMPLES = ROOT / "docs" / "examples"
ATLAS = load_atlas()
PLACES = [(site.id, place.view) for site in ATLAS.sites.values() for place in site.places]
REQUIRED_SITES = """temporalis masseter suboccipitals upper-trapezius levator-scapulae sternocleidomastoid
infraspinatus rhomboids pectoralis-major pectoralis-minor forearm-extensors forearm-flexors thenar erector-spinae
quadratus-lumborum piriformis gluteus-maximus gluteus-medius gluteus-minimus tensor-fasciae-latae hamstrings
quadriceps adductors iliotibial-band gastrocnemius soleus tibialis-anterior peroneals plantar-fascia arch heel""".split()


def draw_alone(flowable: Any, width: float, height: float) -> Image.Image:
    font_set()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName="Atkinson", invariant=1)
    flowable.wrap(width, height)
    flowable.drawOn(canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    return pdfium.PdfDocument(buffer.getvalue())[0].render(scale=DPI / 72).to_pil().convert("RGB")


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 30) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def pixel(image: Image.Image, figure: BodyFigure, x: float, y: float) -> tuple[int, int, int]:
    fx, fy = figure.to_figure(x, y)
    k = DPI / 72
    return image.getpixel((min(image.width - 1, round(fx * k)), min(image.height - 1, round((figure.height - fy) * k))))


def mostly(image: Image.Image, figure: BodyFigure, x: float, y: float, colour: tuple[int, int, int]) -> bool:
    """Is most of a small patch around a grid point this colour? (Muscle lines cross it.)"""
    fx, fy = figure.to_figure(x, y)
    k = DPI / 72
    px, py = round(fx * k), round((figure.height - fy) * k)
    patch = [image.getpixel((px + dx, py + dy)) for dx in range(-4, 5) for dy in range(-4, 5)]
    return sum(close(p, colour, 16) for p in patch) > len(patch) * 0.5


def card_with(points: list[dict[str, Any]]) -> dict[str, Any]:
    data = card_data()
    base = data["points"][0]
    data["points"] = [{**{k: v for k, v in base.items() if k not in ("site", "marker", "referral")}, **p}
                      for p in points]
    return data


# -- the atlas as data ---------------------------------------------------------------------


def test_atlas_has_the_shared_site_ids_and_more_than_forty() -> None:
    assert set(REQUIRED_SITES) <= set(ATLAS.sites)
    assert len(ATLAS.sites) > 40
    for site in ATLAS.sites.values():
        assert site.names["en"] and site.names["es"] and site.plain["en"] and site.plain["es"], site.id


def test_model_views_match_the_atlas() -> None:
    assert list(View.__args__) == list(ATLAS.views)  # type: ignore[attr-defined]


def test_schema_lists_every_site() -> None:
    schema = json.loads((ROOT / "schema" / "card.schema.json").read_text())
    text = json.dumps(schema)
    for site in ATLAS.sites:
        assert f'"{site}"' in text, site


def test_region_names_are_the_same_on_every_view() -> None:
    """A part of the body seen on several views has one name (no 'lower_leg' here and
    'calf' there)."""
    names = {view: set(body_map(view).region_names()) for view in ATLAS.views}
    for shared in ("neck", "trapezius", "calf", "ankle", "foot"):
        assert all(shared in names[v] for v in ("back", "side")), shared
    assert {"forearm", "hand"} <= names["front"] & names["back"] & names["hand-forearm"]
    assert {"heel", "arch"} <= names["sole"]
    assert {"temple", "jaw"} <= names["head-neck"]


@pytest.mark.parametrize(("site_id", "view"), PLACES, ids=[f"{s}@{v}" for s, v in PLACES])
def test_every_site_on_every_view(site_id: str, view: str) -> None:
    """Marker on the body, its referral regions known and shading on the body, the
    close-up frames it on both sides, and the left side is its mirror image."""
    site = ATLAS.sites[site_id]
    place = site.place(view)
    assert place is not None
    body = body_map(view)
    assert body.contains(place.x, place.y), f"{site_id} is off the body in the {view} view"
    for region in place.regions:
        assert region in body.region_names(), (site_id, region)
    card = Card.model_validate(card_with([{"id": "p", "site": site_id, "view": view, "side": "both"}]))
    assert map_problems(card) == []
    where = placement(card.points[0])
    assert where is not None and where.view == view
    for side in ("right", "left"):
        window = where.window_for(side)
        mirror = side == "left" and not body.spec.both_sides
        shown = highlights_for(1, side, where.x, where.y, view, where.regions, where.areas)
        figure = BodyFigure(view, 90, shown, window=window, marker_size=10, frame=True, hide_arms=True, mirror=mirror)
        x, y = figure.to_figure(shown[0].x, shown[0].y)
        margin = 2.0
        assert margin <= x <= figure.width - margin and margin <= y <= figure.height - margin, (side, x, y)
        if side == "left":
            right = BodyFigure(view, 90, highlights_for(1, "right", where.x, where.y, view, (), ()),
                               window=where.window_for("right"), marker_size=10)
            rx, ry = right.to_figure(where.x, where.y)
            assert x == pytest.approx(figure.width - rx) and y == pytest.approx(ry)  # a mirror image
        image = draw_alone(figure, figure.width, figure.height)
        ring = image.getpixel((round((x - 3.6) * DPI / 72), round((figure.height - y) * DPI / 72)))
        assert close(ring, ACCENT, 45), (side, ring)  # the marker is drawn where the site is


@pytest.mark.parametrize("view", list(ATLAS.views))
def test_each_view_draws_its_body(view: str) -> None:
    """Pixels: the body is filled where the geometry says, white around it."""
    body = body_map(view)
    figure = BodyFigure(view, 300, [], marker_size=10)
    image = draw_alone(figure, figure.width, figure.height)
    site_places = [p for s in ATLAS.sites.values() for p in s.places if p.view == view]
    inside = [(p.x, p.y) for p in site_places][:6]
    for x, y in inside:
        colour = pixel(image, figure, x, y)
        assert close(colour, BODY_FILL, 40) or sum(colour) < 700, (x, y, colour)  # fill (or a muscle line)
    assert image.getpixel((2, 2)) == (255, 255, 255)
    assert body.extent()[2] < body.width * 1.03


def test_front_view_has_no_white_bands_across_wrists_ankles_and_arms() -> None:
    """The old front view was line art with gaps between its regions."""
    front = body_map("front")
    figure = BodyFigure("front", 600, [], marker_size=10)
    image = draw_alone(figure, figure.width, figure.height)
    for x, y in [(150, 540), (574, 540), (292, 1110), (432, 1110), (200, 300), (524, 300), (362, 380)]:
        assert front.contains(x, y), (x, y)
        r, g, b = pixel(image, figure, x, y)
        assert (r, g, b) != (255, 255, 255) and r + g + b < 720, (x, y, (r, g, b))


def test_a_point_inside_the_front_ankle_is_accepted(tmp_path: Path) -> None:
    data = card_with([{"id": "ankle", "marker": {"view": "front", "x": 292, "y": 1100}}])
    assert page_count(build_pdf(write_card(tmp_path, data))) == 1


# -- referral shading ----------------------------------------------------------------------


def test_regions_and_areas_are_both_shaded() -> None:
    """Bug: region shading vanished whenever areas were also given."""
    back = body_map("back")
    calf = back.region("calf", "right")
    polygon = calf[0].polygons()[0]
    cx, cy = sum(p[0] for p in polygon) / len(polygon), sum(p[1] for p in polygon) / len(polygon)
    assert back.contains(cx, cy)
    # the ellipse overlaps the back of the thigh region: overlapping shapes add up
    shown = highlights_for(1, "right", 420, 722, "back", ["calf", "back-of-thigh"], [Ellipse(420, 700, 30, 30)])
    figure = BodyFigure("back", 500, shown, marker_size=10, hatch=False)
    image = draw_alone(figure, figure.width, figure.height)
    assert mostly(image, figure, cx, cy, TINT)  # the calf region
    assert mostly(image, figure, 420, 688, TINT)  # the ellipse, where it overlaps the region
    assert mostly(image, figure, back.width - cx, cy, BODY_FILL)  # the other calf is not shaded


@pytest.mark.parametrize("view", list(ATLAS.views))
def test_referral_is_tinted_and_hatched_on_every_view(view: str) -> None:
    places = [p for s in ATLAS.sites.values() for p in s.places if p.view == view]
    place = max(places, key=lambda p: len(p.regions) * 2 + len(p.areas))
    shown = highlights_for(1, "right", place.x, place.y, view, place.regions, place.areas)
    figure = BodyFigure(view, 600, shown, marker_size=10)
    image = draw_alone(figure, figure.width, figure.height)
    colours = image.getcolors(maxcolors=1 << 20) or []
    tint = sum(n for n, c in colours if close(c, TINT, 16))
    hatch = sum(n for n, c in colours if c[0] > 140 and c[1] < 90 and c[2] < 90)
    assert tint > 50 and hatch > 20, (tint, hatch)


@pytest.mark.parametrize("layout", ["letter", "large-print"])
def test_grayscale_print_shows_every_referral_area(layout: str, tmp_path: Path) -> None:
    """Every shaded area is hatched (dark lines on a pale tint), on the overview and in the
    close-ups, in every layout: large print used to show a pale tint only."""
    pdf = build_pdf(EXAMPLES / "heel-calf.yaml", layout=layout)
    grey = render(pdf, dpi=100).convert("L")
    card = Card.model_validate(__import__("yaml").safe_load((EXAMPLES / "heel-calf.yaml").read_text()))
    for view, mirrored, shown in overview_groups(card):
        assert all(h.regions or h.areas for h in shown)
    # Hatch lines are dark grey in greyscale; tint is light. Count both on the page.
    values = grey.getcolors(maxcolors=1 << 20) or []
    light = sum(n for n, v in values if 195 <= v <= 215)  # the tint (#f6c9c4 -> ~211)
    dark = sum(n for n, v in values if 70 <= v <= 120)  # the hatch (#b3261e -> ~80) and text antialiasing
    assert light > 2000 and dark > 2000, (light, dark)
    # The overview figure's hatched areas: a window of the page over the sole figure.
    colour = render(pdf, dpi=100)
    hatch = sum(n for n, p in (colour.getcolors(maxcolors=1 << 22) or []) if p[0] > 140 and p[1] < 90 and p[2] < 90)
    assert hatch > (800 if layout == "letter" else 1500), hatch


# -- label placement -----------------------------------------------------------------------

NECK_SIX = ["upper-trapezius", "levator-scapulae", "suboccipitals", "splenius-capitis", "sternocleidomastoid", "scalenes"]


def neck_card() -> Card:
    return Card.model_validate(card_with([{"id": s, "site": s, "view": "head-neck"} for s in NECK_SIX]))


@pytest.mark.parametrize(("marker_size", "height"), [(10.0, 100.0), (10.0, 158.0), (12.0, 120.0), (12.0, 300.0),
                                                    (22.0, 200.0), (22.0, 400.0)])
def test_six_close_neck_sites_never_overlap_and_callouts_never_cross(marker_size: float, height: float) -> None:
    card = neck_card()
    groups = overview_groups(card)
    assert [(v, m) for v, m, _ in groups] == [("head-neck", False)]
    if True:
        figure = BodyFigure("head-neck", height, groups[0][2], marker_size=marker_size, callouts=True)
        placed = figure.callout_positions()
        assert sorted(p.highlight.number for p in placed) == [1, 2, 3, 4, 5, 6]
        for i, a in enumerate(placed):
            assert 0 <= a.label[1] - marker_size / 2 + 0.01 and a.label[1] + marker_size / 2 <= figure.height + 0.01
            for b in placed[i + 1:]:
                assert math.dist(a.label, b.label) >= marker_size * 1.05, (a.highlight.number, b.highlight.number)
                assert not segments_cross((a.dot, a.label), (b.dot, b.label)), (a.highlight.number, b.highlight.number)
        dot = figure.dot_radius(placed)
        dots = [p.dot for p in placed]
        assert all(math.dist(a, b) >= 2 * dot - 1e-6 for i, a in enumerate(dots) for b in dots[i + 1:])


def test_close_ups_move_a_marker_that_would_cover_another() -> None:
    """Bug: two `side: both` markers near the midline sat on top of each other."""
    shown = highlights_for(7, "both", 368, 420, "back", [], [])  # erector spinae, next to the spine
    figure = BodyFigure("back", 70, shown, window=(218, 270, 300, 300), marker_size=12, frame=True)
    placed = figure.marker_positions()
    assert len(placed) == 2
    a, b = placed
    assert math.dist(a.label, b.label) >= 12
    assert any(p.moved for p in placed)
    for p in placed:
        assert 0 <= p.label[0] <= figure.width and 0 <= p.label[1] <= figure.height


# -- close-ups -----------------------------------------------------------------------------


def test_left_side_with_an_explicit_closeup_shows_the_left_side(tmp_path: Path) -> None:
    """Bug: `side: left` with `closeup:` showed the wrong side (the window was not mirrored)."""
    card = Card.model_validate(card_with([{"id": "p", "site": "piriformis", "side": "left",
                                           "closeup": {"x": 410, "y": 540, "size": 200}}]))
    where = placement(card.points[0])
    assert where is not None
    x, y, w, h = where.window_for("left")
    left_marker = body_map("back").width - 410
    assert x <= left_marker <= x + w and y <= 540 <= y + h
    data = card_with([{"id": "p", "site": "piriformis", "side": "left", "closeup": {"x": 410, "y": 540, "size": 200}}])
    assert page_count(build_pdf(write_card(tmp_path, data))) == 1


def test_close_ups_hide_the_hanging_hand_but_keep_a_forearm() -> None:
    """Bug: hiding the arms did nothing; fixed naively, forearm close-ups went blank. The
    arm is now faded (not drawn at full strength) unless its marker or shading is on it."""
    hip = BodyFigure("back", 200, highlights_for(1, "right", 462, 540, "back", [], []),
                     window=(330, 420, 300, 300), marker_size=10, frame=True, hide_arms=True)
    image = draw_alone(hip, hip.width, hip.height)
    faded = pixel(image, hip, 600, 600)  # the hand beside the hip
    assert min(faded) > 240 and not close(faded, BODY_FILL, 8), faded
    assert close(pixel(image, hip, 420, 620), BODY_FILL, 40)  # the buttock is drawn
    arm = BodyFigure("back", 200, highlights_for(1, "right", 542, 388, "back", [], []),
                     window=(400, 240, 300, 300), marker_size=10, frame=True, hide_arms=True)
    image = draw_alone(arm, arm.width, arm.height)
    assert close(pixel(image, arm, 548, 430), BODY_FILL, 40)  # the forearm is still there
    shoulder = BodyFigure("back", 200, highlights_for(1, "right", 446, 226, "back", ["deltoid", "triceps"], []),
                          window=(296, 76, 300, 300), marker_size=10, frame=True, hide_arms=True)
    from routinecard.figures.bodymap import inside

    # its referral shading is on the right arm: that arm stays (the other one, far away, may fade)
    assert not any(inside(mask, 505, 300) for mask in shoulder.hidden_masks())


# -- check ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "field", "message"),
    [
        ({"site": "upper-trapezus"}, "points[0].site", "unknown site 'upper-trapezus'; did you mean 'upper-trapezius'?"),
        ({"site": "piriformis", "referral": {"areas": [{"x": 30, "y": 40, "rx": 10, "ry": 10}]}},
         "points[0].referral.areas[0]", "is off the body in the back view"),
        ({"site": "piriformis", "closeup": {"x": 200, "y": 200, "size": 100}},
         "points[0].closeup", "does not contain the marker (410, 540)"),
        ({"marker": {"view": "sole", "x": 10, "y": 10}}, "points[0].marker", "is outside the body in the sole view"),
        ({"site": "piriformis", "view": "sole"}, "points[0].view", "is not on the sole view; it is on: back"),
    ],
)
def test_check_refuses_what_would_mislead(tmp_path: Path, point: dict[str, Any], field: str, message: str) -> None:
    path = write_card(tmp_path, card_with([{"id": "p", **point}]))
    with pytest.raises(InputError) as caught:
        build_pdf(path)
    text = str(caught.value)
    assert f": {field}: " in text and message in text, text


# -- routines written with site names only -------------------------------------------------


@pytest.mark.parametrize("name", ["neck-shoulder", "heel-calf", "tennis-elbow"])
@pytest.mark.parametrize("layout", ["letter", "a4", "large-print"])
def test_example_routines_use_sites_only_and_build(name: str, layout: str) -> None:
    path = EXAMPLES / f"{name}.yaml"
    text = path.read_text()
    assert "marker:" not in text and "areas:" not in text and "site:" in text
    pages = page_count(build_pdf(path, layout=layout))
    # large print (16 pt on Letter) may print a routine as a set of whole one-page cards
    assert pages == 1 or (layout == "large-print" and pages > 1)


def test_overview_shows_each_view_the_points_need() -> None:
    import yaml

    card = Card.model_validate(yaml.safe_load((EXAMPLES / "tennis-elbow.yaml").read_text()))
    assert [(v, m) for v, m, _ in overview_groups(card)] == [("back", False), ("hand-forearm", False)]
    both = Card.model_validate(card_with([{"id": "a", "site": "arch", "side": "both"}]))
    assert [(v, m) for v, m, _ in overview_groups(both)] == [("sole", False), ("sole", True)]


# -- help for card writers -----------------------------------------------------------------


def test_atlas_command_lists_sites(runner: Any) -> None:
    result = runner.invoke(app, ["atlas"])
    assert result.exit_code == 0
    assert "upper-trapezius" in result.stdout and "Upper trapezius" in result.stdout and "en, es" in result.stdout
    data = json.loads(runner.invoke(app, ["atlas", "--json"]).stdout)
    assert {s["id"] for s in data["sites"]} == set(ATLAS.sites)
    spanish = runner.invoke(app, ["atlas", "--lang", "es"]).stdout
    assert "Trapecio superior" in spanish


def test_atlas_sheet_has_a_page_per_view_with_every_site(runner: Any, tmp_path: Path) -> None:
    from conftest import page_text

    target = tmp_path / "sheet.pdf"
    result = runner.invoke(app, ["atlas", "--sheet", str(target)])
    assert result.exit_code == 0, result.output
    assert page_count(target) == len(ATLAS.views)
    text = page_text(target)
    for site in ATLAS.sites:
        assert site in text, site
    assert "back-of-thigh" in text and "temple" in text  # region names
    assert "100" in text and "200" in text  # the grid


def test_new_routine_asks_for_sites_not_coordinates(runner: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "routine", "Heel pain", "--site", "plantar-fascia,gastrocnemius"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "cards" / "heel-pain.yaml").read_text()
    assert "site: plantar-fascia" in text and "site: gastrocnemius" in text and "marker:" not in text
    checked = runner.invoke(app, ["check", "cards/heel-pain.yaml"])
    problems = [line for line in checked.stderr.splitlines() if line.startswith("cards/heel-pain.yaml:")]
    assert problems and all("placeholder" in line for line in problems), checked.stderr  # only the red flags to write
    bad = runner.invoke(app, ["new", "routine", "Other", "--site", "plantar-fascea"])
    assert bad.exit_code == 1 and "did you mean 'plantar-fascia'" in bad.stderr


def test_each_view_is_written_once_per_pdf_as_forms(tmp_path: Path) -> None:
    """Performance: the back view's outline and muscle lines (thousands of path operators)
    are Form XObjects placed with `Do`, not written again for the overview and each of the
    four close-ups (a layout with close-ups, not position pictures)."""
    import re
    import zlib

    layout = tmp_path / "closeups.yaml"
    layout.write_text("extends: letter\nfigures: {position: 0pt}\n")
    sciatica_pdf = build_pdf(ROOT / "cards" / "sciatica-trigger-points.yaml", layout=str(layout))

    forms = 0
    page_operators = b""
    for match in re.finditer(rb"<<(.{0,400}?)>>\s*stream\r?\n", sciatica_pdf, re.S):
        length = re.search(rb"/Length (\d+)", match.group(1))
        assert length is not None
        body = sciatica_pdf[match.end():match.end() + int(length.group(1))]
        if b"/Subtype /Form" in match.group(1):
            forms += 1
        elif b"/Length1" not in match.group(1) and b"FontFile" not in match.group(1):
            try:
                page_operators += zlib.decompress(body)
            except zlib.error:
                pass
    assert forms == 3  # fill, muscle lines, edge of the one view the card uses
    assert page_operators.count(b" Do") >= 3 * 5  # overview + 4 close-ups, each placing the three forms
    assert len(sciatica_pdf) < 100_000


def _callouts_are_clean(view: str, chosen: list[tuple[float, float]], height: float, size: float, mirror: bool) -> None:
    shown = [Highlight(n, x, y, (), ()) for n, (x, y) in enumerate(chosen, start=1)]
    figure = BodyFigure(view, height, shown, window=body_map(view).extent(), marker_size=size, callouts=True,
                        mirror=mirror)
    placed = figure.callout_positions()
    assert len(placed) == len(shown)
    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            assert math.dist(a.label, b.label) >= size * 1.05 - 1e-6
            assert not segments_cross((a.dot, a.label), (b.dot, b.label))


@pytest.mark.parametrize("view", list(ATLAS.views))
def test_callouts_never_overlap_or_cross_for_any_sites_on_any_view(view: str) -> None:
    """Property: any choice of up to 8 of the view's sites (and both sides of a both-sides
    view), at card sizes, gives labels apart and leader lines that do not cross."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    places = [(p.x, p.y) for s in ATLAS.sites.values() for p in s.places if p.view == view]
    body = body_map(view)
    if body.spec.both_sides:
        places += [(body.width - x, y) for x, y in places]

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(st.lists(st.sampled_from(places), min_size=1, max_size=8, unique=True),
           st.sampled_from([(158.0, 11.5), (120.0, 10.0), (300.0, 22.0)]), st.booleans())
    def check(chosen: list[tuple[float, float]], size: tuple[float, float], mirror: bool) -> None:
        height, marker = size
        if len(chosen) * marker * 1.05 > height:  # more labels than the figure is tall: not a card the fit makes
            return
        _callouts_are_clean(view, chosen, height, marker, mirror and not body.spec.both_sides)

    check()


def test_atlas_sheet_in_spanish_is_all_spanish(runner: Any, tmp_path: Path) -> None:
    from conftest import page_text

    target = tmp_path / "hoja.pdf"
    assert runner.invoke(app, ["atlas", "--sheet", str(target), "--lang", "es"]).exit_code == 0
    text = page_text(target)
    assert "Vista de espalda" in text and "Puntos en esta vista" in text and "Trapecio superior" in text
    assert "Sites on this view" not in text and "Back view" not in text
