"""Illustrations: body map markers and referral areas, close-ups, tool icons, the
pressure scale, and raster images placed on the card. Checked on rendered pixels."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas

from conftest import ROOT, card_data, page_count, page_text, render, squash, write_card
from routinecard import build_pdf
from routinecard.errors import InputError
from routinecard.figures.bodymap import BodyFigure, Ellipse, FigureStyle, body_map, highlights_for
from routinecard.figures.pressure import PressureScale
from routinecard.fonts import font_set

DPI = 144
ACCENT = (0x1F, 0x4E, 0x79)


def draw_alone(flowable, width: float, height: float) -> Image.Image:
    """Draw one flowable at the origin of a page its own size and render it."""
    font_set()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName="Atkinson", invariant=1)
    flowable.wrap(width, height)
    flowable.drawOn(canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    return pdfium.PdfDocument(buffer.getvalue())[0].render(scale=DPI / 72).to_pil().convert("RGB")


def rgb_pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    data = image.convert("RGB").tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3]))


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def test_marker_is_drawn_where_the_data_says() -> None:
    highlights = highlights_for(1, "right", 410, 540, "back", [], [])
    figure = BodyFigure("back", 480, highlights, marker_size=14, style=FigureStyle(marker_fill="#1f4e79"))
    image = draw_alone(figure, figure.width, figure.height)
    px_per_unit = figure.scale * DPI / 72
    marker = (round(410 * px_per_unit), round(540 * px_per_unit))
    # the ring of the marker (inside the disc, off the digit) is the accent colour
    ring = (marker[0] - round(5 * DPI / 72), marker[1])
    assert close(image.getpixel(ring), ACCENT), image.getpixel(ring)
    # the mirror position (left side) has no marker
    mirror = (round((724 - 410) * px_per_unit) - round(5 * DPI / 72), marker[1])
    assert not close(image.getpixel(mirror), ACCENT)


def test_left_side_mirrors_the_marker() -> None:
    highlights = highlights_for(2, "left", 410, 540, "back", [], [])
    assert highlights[0].x == pytest.approx(724 - 410)
    both = highlights_for(2, "both", 410, 540, "back", [], [])
    assert sorted(h.x for h in both) == [pytest.approx(314), pytest.approx(410)]


def test_referral_area_is_shaded_and_hatched() -> None:
    area = Ellipse(420, 720, 30, 60)
    highlights = highlights_for(1, "right", 420, 640, "back", [], [area])
    style = FigureStyle()
    figure = BodyFigure("back", 480, highlights, marker_size=10, style=style, hatch=True)
    image = draw_alone(figure, figure.width, figure.height)
    k = figure.scale * DPI / 72
    x0, x1 = round((420 - 20) * k), round((420 + 20) * k)
    y0, y1 = round((720 - 30) * k), round((720 + 30) * k)
    patch = [image.getpixel((x, y)) for x in range(x0, x1) for y in range(y0, y1)]
    tint = sum(close(p, (0xF6, 0xC9, 0xC4), 20) for p in patch)
    hatch = sum(p[0] > 140 and p[1] < 90 and p[2] < 90 for p in patch)
    assert tint > len(patch) * 0.3  # shaded
    assert hatch > len(patch) * 0.05  # hatched: survives black-and-white printing
    # the same place on the other leg is plain body fill
    mirror = image.getpixel((round((724 - 440) * k), round(720 * k)))
    assert close(mirror, (0xE1, 0xE6, 0xEC), 12)


def test_named_region_is_shaded() -> None:
    highlights = highlights_for(1, "right", 420, 720, "back", ["back-of-thigh"], [])
    figure = BodyFigure("back", 480, highlights, marker_size=10, hatch=False)
    image = draw_alone(figure, figure.width, figure.height)
    k = figure.scale * DPI / 72
    assert close(image.getpixel((round(440 * k), round(760 * k))), (0xF6, 0xC9, 0xC4), 12)
    assert close(image.getpixel((round(284 * k), round(760 * k))), (0xE1, 0xE6, 0xEC), 12)


@pytest.mark.parametrize(("low", "high"), [(4, 6), (0, 2), (7, 10), (5, 5)])
def test_pressure_scale_band_is_where_the_range_says(low: int, high: int) -> None:
    scale = PressureScale(low, high, 300, 10, accent="#1f4e79", text="#111111", rule="#9aa7b5")
    image = draw_alone(scale, 300, scale.height)
    left, box = scale.box_geometry()
    k = DPI / 72
    for value in range(11):
        x = round((left + value * box + box * 0.15) * k)  # inside the box, clear of the digit
        y = round(scale.height * 0.5 * k)
        filled = close(image.getpixel((x, y)), ACCENT)
        assert filled == (low <= value <= high), (value, image.getpixel((x, y)))


def test_card_shows_body_map_position_pictures_and_scales(sciatica_pdf: bytes) -> None:
    from routinecard.figures.position import DEFAULT_PALETTE

    image = render(sciatica_pdf, dpi=72)
    pixels = rgb_pixels(image)
    body = bytes.fromhex(DEFAULT_PALETTE.near[1:])
    figure = sum(close(p, tuple(body), 6) for p in pixels)
    accent = sum(close(p, ACCENT, 25) for p in pixels)
    assert figure > 4 * 150  # four position pictures (the figure's light fill)
    assert accent > 2000  # markers, badges, pressure bands
    # each panel's picture is in its panel: the right part of the panel holds figure pixels
    width, height = image.size
    for left in (0.3, 0.78):
        band = [image.getpixel((x, y)) for x in range(int(width * left), int(width * (left + 0.16)))
                for y in range(int(height * 0.3), int(height * 0.85))]
        assert sum(close(p, tuple(body), 6) for p in band) > 2 * 100
    text = page_text(sciatica_pdf)
    assert "none" in text and "worst" in text


def test_layout_without_position_pictures_shows_closeups_and_icons(tmp_path: Path) -> None:
    layout = tmp_path / "closeups.yaml"
    layout.write_text("extends: letter\nfigures: {position: 0pt}\n")
    image = render(build_pdf(ROOT / "cards" / "sciatica-trigger-points.yaml", layout=str(layout)), dpi=72)
    pixels = rgb_pixels(image)
    hatch = sum(p[0] > 160 and p[1] < 90 and p[2] < 90 for p in pixels)
    tennis = sum(close(p, (0xDF, 0xE8, 0xA8), 10) for p in pixels)
    assert tennis > 4 * 150  # four tennis-ball icons
    assert hatch > 300  # hatched referral areas in the close-ups (plus the red box border)


def test_closeup_beside_the_position_picture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The layout decides: close-up beside the picture, or the picture alone."""
    from routinecard.figures.position import PositionPicture

    drawn: list[str] = []
    for cls in (BodyFigure, PositionPicture):
        original = cls.draw

        def draw(self: object, original: object = original, name: str = cls.__name__) -> None:
            drawn.append(name)
            original(self)  # type: ignore[operator]

        monkeypatch.setattr(cls, "draw", draw)
    for beside, closeups in (("true", 4), ("false", 0)):
        layout = tmp_path / f"both-{beside}.yaml"
        layout.write_text(f"extends: a4\nfigures: {{closeup_with_position: {beside}, position: 64pt, closeup: 50pt}}\n")
        drawn.clear()
        pdf = build_pdf(ROOT / "cards" / "sciatica-trigger-points.yaml", layout=str(layout))
        assert page_count(pdf) == 1
        assert drawn.count("PositionPicture") == 4
        assert drawn.count("BodyFigure") == 1 + closeups  # the overview map, and the close-ups


def test_overview_has_every_marker_number(sciatica_pdf: bytes) -> None:
    """Numbers 1-4 appear as marker labels on the map and as panel badges."""
    text = squash(page_text(sciatica_pdf))
    for name in ("1Piriformis", "2Gluteusmedius", "3Gluteusminimus", "4Hamstrings"):
        assert name in text


def write_png(path: Path, size=(400, 400), mode="RGBA") -> Path:
    image = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    ImageDraw.Draw(image).ellipse((20, 20, size[0] - 20, size[1] - 20), fill=(30, 120, 90))
    image.save(path)
    return path


def image_objects(pdf: bytes) -> list[tuple[int, int, float, float]]:
    page = pdfium.PdfDocument(pdf)[0]
    out = []
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE], max_depth=5):
        left, bottom, right, top = obj.get_bounds()
        width, height = obj.get_px_size()
        out.append((width, height, right - left, top - bottom))
    return out


def test_logo_and_photo_are_placed_and_downsampled(tmp_path: Path) -> None:
    write_png(tmp_path / "logo.png", (3000, 1000))
    photo = Image.new("RGB", (4000, 3000), (200, 170, 140))
    ImageDraw.Draw(photo).ellipse((1000, 500, 3000, 2500), fill=(120, 80, 60))
    photo.save(tmp_path / "photo.jpg", quality=92)
    data = card_data()
    data["logo"] = "logo.png"
    data["points"][3]["photo"] = "photo.jpg"
    card = write_card(tmp_path, data)
    pdf = build_pdf(card)
    assert build_pdf(card) == pdf  # pictures are named by content: same input, same bytes
    assert page_count(pdf) == 1
    images = image_objects(pdf)
    assert len(images) == 2
    for width_px, height_px, width_pt, height_pt in images:
        assert width_px <= width_pt / 72 * 300 + 1 and height_px <= height_pt / 72 * 300 + 1
    assert len(pdf) < 200_000  # a 4000x3000 photo does not add megabytes


def test_card_tools_with_their_own_icons(tmp_path: Path) -> None:
    write_png(tmp_path / "stick.png")
    (tmp_path / "peanut.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">'
        '<circle cx="5" cy="5" r="4" fill="#ff00ff"/></svg>',
        encoding="utf-8",
    )
    data = card_data()
    data["tools"] = {"massage-stick": {"name": "Massage stick", "icon": "stick.png"},
                     "peanut-ball": {"name": "Peanut ball", "icon": "peanut.svg"}}
    data["points"][0]["tool"] = "massage-stick"
    data["points"][1]["tool"] = "peanut-ball"
    pdf = build_pdf(write_card(tmp_path, data))
    text = page_text(pdf)
    assert "Massage stick" in text and "Peanut ball" in text
    assert len(image_objects(pdf)) == 1
    magenta = sum(close(p, (255, 0, 255), 30) for p in rgb_pixels(render(pdf)))
    assert magenta > 50


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda d: d["points"][0].update(marker={"view": "back", "x": 20, "y": 900}),
         "points[0].marker", "the marker (20, 900) is outside the body in the back view"),
        (lambda d: d["points"][1].update(referral={"regions": ["buttock-right"]}),
         "points[1].referral.regions[0]", "unknown region 'buttock-right' in the back view (write 'buttock'"),
        (lambda d: d["points"][1].update(referral={"regions": ["tail"]}),
         "points[1].referral.regions[0]", "unknown region 'tail' in the back view; regions: ankle, back-of-thigh,"),
        (lambda d: d["points"][2].update(marker={"view": "posterior", "x": 300, "y": 500}),
         "points[2].marker.view", "Input should be 'back', 'front', 'side', 'head-neck', 'hand-forearm' or 'sole'"),
        (lambda d: d["points"][2].update(marker={"view": "back", "x": "300", "y": 500}),
         "points[2].marker.x", "expected a number, found '300'"),
        (lambda d: d["points"][2].update(site="gluteus-medus"),
         "points[2].site", "unknown site 'gluteus-medus'; did you mean 'gluteus-medius'?"),
        (lambda d: d.update(logo="../../etc/logo.png"),
         "logo", "is outside the card's folder and the images/ folder"),
        (lambda d: d.update(logo="missing.png"),
         "logo", "file not found: 'missing.png'"),
        (lambda d: d["points"][0].update(photo="photo.gif"),
         "points[0].photo", "'photo.gif' is not a PNG, JPG, JPEG file"),
    ],
)
def test_bad_figure_data_is_located(tmp_path: Path, change, field: str, message: str) -> None:
    data = card_data()
    change(data)
    path = write_card(tmp_path, data)
    with pytest.raises(InputError) as caught:
        build_pdf(path)
    text = str(caught.value)
    assert f": {field}: " in text and message in text, text
    assert text.startswith(f"{path}:") or f"\n{path}:" in text or text.split(":")[0].endswith("card.yaml")


def test_broken_image_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    data = card_data()
    data["logo"] = "logo.png"
    with pytest.raises(InputError, match="damaged or incomplete|not a PNG or JPEG"):
        build_pdf(write_card(tmp_path, data))


def test_symlink_out_of_the_card_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    write_png(outside / "secret.png")
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "logo.png").symlink_to(outside / "secret.png")
    data = card_data()
    data["logo"] = "logo.png"
    with pytest.raises(InputError, match="outside the card's folder"):
        build_pdf(write_card(folder, data))


def test_body_map_regions_are_known() -> None:
    names = body_map("back").region_names()
    assert {"buttock", "back-of-thigh", "lower-back", "calf", "trapezius"} <= set(names)
    assert not any(name.startswith("mask-") for name in names)


def test_illustrated_card_stays_small(sciatica_pdf: bytes) -> None:
    assert len(sciatica_pdf) < 120_000


@pytest.mark.parametrize(("view", "x", "ok"), [("back", 420, True), ("back", 304, False),
                                              ("front", 290, True), ("front", 434, False)])
def test_markers_are_written_for_the_bodys_right_side(tmp_path: Path, view: str, x: int, ok: bool) -> None:
    data = card_data()
    data["points"] = data["points"][:1]
    data["points"][0]["marker"] = {"view": view, "x": x, "y": 700}
    data["points"][0]["referral"] = {"areas": []}
    path = write_card(tmp_path, data)
    if ok:
        assert page_count(build_pdf(path)) == 1
    else:
        with pytest.raises(InputError, match=r"points\[0\]\.marker\.x: markers are written for the body's right side"):
            build_pdf(path)


@pytest.mark.parametrize("name", ["tennis-ball", "lacrosse-ball", "foam-roller", "fingers", "wall", "golf-ball", "frozen-bottle", "thumb"])
def test_icons_draw_exactly_as_svglib_renders_them(name: str) -> None:
    """Icons are cached as plain shapes and drawn by us; they must look as svglib draws them."""
    from PIL import ImageChops, ImageStat
    from reportlab.graphics import renderPDF
    from svglib.svglib import svg2rlg

    from routinecard.figures.icons import SvgIcon

    path = ROOT / "images" / "tools" / f"{name}.svg"
    font_set()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(100, 100), initialFontName="Atkinson")
    drawing = svg2rlg(str(path))
    canvas.scale(100 / drawing.width, 100 / drawing.height)
    renderPDF.draw(drawing, canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    expected = pdfium.PdfDocument(buffer.getvalue())[0].render(scale=DPI / 72).to_pil().convert("RGB")
    ours = draw_alone(SvgIcon(path, 100), 100, 100)
    assert ImageStat.Stat(ImageChops.difference(expected, ours).convert("L")).mean[0] < 1.0
    assert ImageStat.Stat(ours.convert("L")).mean[0] < 250  # not blank
