"""Raster images: every fixture is generated with Pillow (or by hand) into tmp_path."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageDraw, PngImagePlugin
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from routinecard.errors import InputError
from routinecard.figures import raster
from routinecard.figures.raster import (
    MAX_FILE_BYTES,
    MAX_PIXELS,
    RasterImage,
    prepare_raster,
)

INCH = 72.0
RED = (255, 0, 0)
BLUE = (0, 0, 255)
GREEN = (0, 160, 0)
WHITE = (255, 255, 255)


# --------------------------------------------------------------------------- helpers


def save(im: Image.Image, path: Path, fmt: str, **params: object) -> Path:
    im.save(path, format=fmt, **params)
    return path


def photo(width: int, height: int) -> Image.Image:
    """Something photo-like: smooth gradients plus sensor noise (noise makes JPEGs honest about size)."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = Image.blend(red.rotate(90, expand=False), Image.effect_noise((width, height), 24).convert("L"), 0.3)
    return Image.merge("RGB", (red, green, blue))


def decode(image: RasterImage) -> Image.Image:
    im = Image.open(io.BytesIO(image.data))
    im.load()
    return im


def close(actual: tuple[int, ...] | int, expected: tuple[int, ...] | int, tolerance: int = 12) -> bool:
    a = actual if isinstance(actual, tuple) else (actual,)
    e = expected if isinstance(expected, tuple) else (expected,)
    return len(a) == len(e) and all(abs(x - y) <= tolerance for x, y in zip(a, e))


def prepare(path: Path, width_pt: float = 3 * INCH, height_pt: float = 3 * INCH) -> RasterImage:
    return prepare_raster(path, width_pt, height_pt, display=path.name)


def refused(path: Path, width_pt: float = 3 * INCH, height_pt: float = 3 * INCH) -> str:
    """The single problem's message; also checks the problem names the file as displayed."""
    with pytest.raises(InputError) as info:
        prepare_raster(path, width_pt, height_pt, display="cards/img/" + path.name)
    (problem,) = info.value.problems
    assert problem.file == "cards/img/" + path.name
    return problem.message


def pdf_with(image: RasterImage, width_pt: float, height_pt: float) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width_pt + 2 * INCH, height_pt + 2 * INCH))
    canvas.drawImage(ImageReader(io.BytesIO(image.data)), INCH, INCH, width_pt, height_pt)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def pdf_images(pdf: bytes) -> list[pdfium.PdfImage]:
    page = pdfium.PdfDocument(pdf)[0]
    return list(page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE]))


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A valid-looking 1-bit PNG that claims width x height but holds a few bytes of data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_claiming(tmp_path: Path, width: int, height: int) -> Path:
    """A small real JPEG whose frame header is patched to claim width x height."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), RED).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    path = tmp_path / "claims.jpg"
    path.write_bytes(bytes(data))
    return path


# --------------------------------------------------------------------------- size


@pytest.fixture(scope="module")
def big_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photo") / "photo.jpg"
    return save(photo(4000, 3000), path, "JPEG", quality=95)


def test_big_photo_is_downsampled_to_300_dpi_and_small(big_photo: Path) -> None:
    image = prepare(big_photo, 1.5 * INCH, 1.125 * INCH)
    assert image.format == "jpeg"
    assert image.width_px <= 450 and image.height_px <= 338
    assert image.width_px >= 449 and image.height_px >= 336  # downsampled to the limit, not below it
    assert len(image.data) < 150_000
    im = decode(image)
    assert im.format == "JPEG" and im.mode == "RGB"
    assert im.size == (image.width_px, image.height_px)


def test_the_box_limits_by_its_tighter_side(big_photo: Path) -> None:
    # 4:3 photo in a tall narrow box: the width decides (1 in -> 300 px).
    image = prepare(big_photo, 1 * INCH, 5 * INCH)
    assert (image.width_px, image.height_px) == (300, 225)


def test_big_photo_embeds_in_reportlab_and_the_pdf_stays_small(big_photo: Path) -> None:
    image = prepare(big_photo, 1.5 * INCH, 1.125 * INCH)
    pdf = pdf_with(image, 1.5 * INCH, 1.125 * INCH)
    (embedded,) = pdf_images(pdf)
    assert embedded.get_px_size() == (image.width_px, image.height_px)
    assert "DCTDecode" in embedded.get_filters()  # the JPEG is embedded as-is, not re-encoded
    assert len(pdf) < 200_000


def test_a_small_image_is_not_upsampled(tmp_path: Path) -> None:
    source = photo(120, 80)
    path = save(source, tmp_path / "small.png", "PNG")
    image = prepare(path, 8 * INCH, 8 * INCH)
    assert (image.width_px, image.height_px) == (120, 80)
    assert decode(image).tobytes() == source.tobytes()  # untouched pixels: no resampling at all


def test_invalid_box_is_a_programming_error(tmp_path: Path) -> None:
    path = save(photo(10, 10), tmp_path / "a.png", "PNG")
    for width, height in [(0, 10), (10, -1), (float("nan"), 10), (10, float("inf"))]:
        with pytest.raises(ValueError):
            prepare_raster(path, width, height, display="a.png")


# --------------------------------------------------------------------------- orientation


def red_corner_source(width: int = 80, height: int = 40) -> Image.Image:
    im = Image.new("RGB", (width, height), BLUE)
    side = height // 2
    ImageDraw.Draw(im).rectangle((0, 0, side - 1, side - 1), fill=RED)  # top-left
    return im


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_exif_orientation_6_prints_upright(tmp_path: Path, fmt: str) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    path = save(red_corner_source(), tmp_path / f"sideways.{fmt.lower()}", fmt, exif=exif)
    image = prepare(path)
    assert (image.width_px, image.height_px) == (40, 80)
    im = decode(image).convert("RGB")
    # Turning the picture a quarter clockwise moves its top-left corner to the top-right.
    assert close(im.getpixel((35, 5)), RED, 40)
    assert close(im.getpixel((5, 5)), BLUE, 40)
    assert close(im.getpixel((35, 75)), BLUE, 40)


def test_exif_orientation_with_downsampling(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 8  # rotate 90 CCW to display: top-left goes to bottom-left
    path = save(red_corner_source(4000, 2000), tmp_path / "sideways.jpg", "JPEG", exif=exif)
    image = prepare(path, 1 * INCH, 1 * INCH)
    assert (image.width_px, image.height_px) == (150, 300)
    im = decode(image)
    assert close(im.getpixel((10, 290)), RED, 40)
    assert close(im.getpixel((140, 10)), BLUE, 40)


def test_broken_exif_does_not_lose_the_photo(tmp_path: Path) -> None:
    path = save(red_corner_source(), tmp_path / "odd.jpg", "JPEG", exif=b"Exif\0\0garbage-not-tiff")
    image = prepare(path)
    assert (image.width_px, image.height_px) == (80, 40)


def test_if_rotation_fails_the_photo_is_used_as_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    path = save(red_corner_source(4000, 2000), tmp_path / "sideways.jpg", "JPEG", exif=exif)

    def broken(image: Image.Image) -> Image.Image:
        raise SyntaxError("bad EXIF")

    monkeypatch.setattr(raster.ImageOps, "exif_transpose", broken)
    image = prepare(path, 1 * INCH, 1 * INCH)
    assert (image.width_px, image.height_px) == (300, 150)  # not squashed into the rotated shape


# --------------------------------------------------------------------------- colour and alpha


def test_rgba_png_is_flattened_onto_white(tmp_path: Path) -> None:
    im = Image.new("RGBA", (60, 20), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((20, 0, 39, 19), fill=(*GREEN, 255))
    ImageDraw.Draw(im).rectangle((40, 0, 59, 19), fill=(0, 0, 0, 128))
    image = prepare(save(im, tmp_path / "cutout.png", "PNG"))
    assert image.format == "png"
    out = decode(image)
    assert out.mode == "RGB" and "transparency" not in out.info
    assert out.getpixel((5, 5)) == WHITE
    assert out.getpixel((30, 5)) == GREEN
    assert close(out.getpixel((50, 5)), (127, 127, 127), 2)  # half-transparent black -> mid grey


def test_invisible_colour_does_not_bleed_into_edges_when_downsampling(tmp_path: Path) -> None:
    im = Image.new("RGBA", (2000, 1000), (*RED, 0))  # invisible, but red underneath
    ImageDraw.Draw(im).rectangle((1000, 0, 1999, 999), fill=(*BLUE, 255))
    image = prepare(save(im, tmp_path / "edge.png", "PNG"), 1 * INCH, 1 * INCH)
    assert (image.width_px, image.height_px) == (300, 150)
    out = decode(image)
    for x in range(140, 160):  # across the edge: only white, blue and their mixtures
        red, green, blue = out.getpixel((x, 75))
        assert abs(red - green) <= 3 and blue >= red - 3, (x, (red, green, blue))


def test_palette_png_with_transparency_gets_a_white_background(tmp_path: Path) -> None:
    im = Image.new("P", (20, 10), 0)
    im.putpalette([0, 0, 0, *RED, *BLUE] + [0] * (256 * 3 - 9))
    ImageDraw.Draw(im).rectangle((10, 0, 19, 9), fill=1)
    image = prepare(save(im, tmp_path / "pal.png", "PNG", transparency=0))
    out = decode(image)
    assert out.mode == "RGB"
    assert out.getpixel((2, 2)) == WHITE
    assert out.getpixel((15, 5)) == RED


def test_palette_png_without_transparency_becomes_rgb(tmp_path: Path) -> None:
    im = Image.new("P", (20, 10), 2)
    im.putpalette([0, 0, 0, *RED, *BLUE] + [0] * (256 * 3 - 9))
    out = decode(prepare(save(im, tmp_path / "pal.png", "PNG")))
    assert out.mode == "RGB" and out.getpixel((3, 3)) == BLUE


def test_rgb_png_with_a_transparent_colour_key(tmp_path: Path) -> None:
    im = Image.new("RGB", (20, 10), (1, 2, 3))
    ImageDraw.Draw(im).rectangle((10, 0, 19, 9), fill=RED)
    out = decode(prepare(save(im, tmp_path / "key.png", "PNG", transparency=(1, 2, 3))))
    assert out.getpixel((2, 2)) == WHITE and out.getpixel((15, 5)) == RED


def test_cmyk_jpeg_becomes_rgb_with_about_the_right_colour(tmp_path: Path) -> None:
    im = Image.new("CMYK", (40, 20), (0, 255, 255, 0))  # full magenta + yellow = red
    ImageDraw.Draw(im).rectangle((20, 0, 39, 19), fill=(255, 255, 0, 0))  # cyan + magenta = blue
    path = save(im, tmp_path / "print-shop.jpg", "JPEG", quality=95)
    with Image.open(path) as source:
        assert source.mode == "CMYK"  # Pillow writes (and reads) Adobe-inverted CMYK
    image = prepare(path)
    assert image.format == "jpeg"
    out = decode(image)
    assert out.mode == "RGB"
    assert close(out.getpixel((5, 10)), RED, 20)
    assert close(out.getpixel((34, 10)), BLUE, 20)


def test_greyscale_stays_single_channel(tmp_path: Path) -> None:
    im = Image.linear_gradient("L").resize((64, 64))
    jpeg = decode(prepare(save(im, tmp_path / "grey.jpg", "JPEG")))
    png = decode(prepare(save(im, tmp_path / "grey.png", "PNG")))
    assert jpeg.mode == "L" and png.mode == "L"
    assert png.tobytes() == im.tobytes()


def test_one_bit_and_grey_alpha_pngs(tmp_path: Path) -> None:
    bilevel = Image.new("1", (16, 8), 0)
    ImageDraw.Draw(bilevel).rectangle((8, 0, 15, 7), fill=1)
    out = decode(prepare(save(bilevel, tmp_path / "bw.png", "PNG")))
    assert out.mode == "L" and out.getpixel((2, 2)) == 0 and out.getpixel((12, 2)) == 255

    la = Image.new("LA", (16, 8), (0, 0))
    ImageDraw.Draw(la).rectangle((8, 0, 15, 7), fill=(40, 255))
    out = decode(prepare(save(la, tmp_path / "la.png", "PNG")))
    assert out.mode == "L" and out.getpixel((2, 2)) == 255 and out.getpixel((12, 2)) == 40


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path: Path) -> None:
    im = Image.new("I;16", (3, 1))
    for x, value in enumerate([0, 30000, 65535]):
        im.putpixel((x, 0), value)
    out = decode(prepare(save(im, tmp_path / "deep.png", "PNG")))
    assert out.mode == "L"
    assert [out.getpixel((x, 0)) for x in range(3)] == [0, 116, 255]

    im.putpixel((1, 0), 700)
    out = decode(prepare(save(im, tmp_path / "deep-key.png", "PNG", transparency=700)))
    assert out.getpixel((1, 0)) == 255  # the transparent key prints as paper


# --------------------------------------------------------------------------- metadata and determinism


def test_metadata_is_stripped(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x013B] = "SECRET-ARTIST"  # Artist
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    jpeg = save(photo(64, 48), tmp_path / "meta.jpg", "JPEG", exif=exif, icc_profile=icc, comment=b"SECRET-COMMENT")
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "SECRET-AUTHOR")
    text.add_text("Comment", "SECRET-ZTXT", zip=True)
    png = save(photo(64, 48), tmp_path / "meta.png", "PNG", pnginfo=text, icc_profile=icc, exif=exif, dpi=(600, 600))
    for path in (jpeg, png):
        image = prepare(path)
        assert b"SECRET" not in image.data
        assert b"Exif" not in image.data
        out = decode(image)
        for key in ("exif", "icc_profile", "comment", "Author", "Comment", "dpi"):
            assert key not in out.info, (path.name, key)
        assert not out.getexif()


def test_same_input_and_box_give_the_same_bytes(tmp_path: Path, big_photo: Path) -> None:
    png = save(photo(900, 600), tmp_path / "p.png", "PNG")
    for path in (big_photo, png):
        first = prepare(path, 2 * INCH, 2 * INCH)
        second = prepare(path, 2 * INCH, 2 * INCH)
        assert first == second
        assert first.data == second.data and first.digest == second.digest
        assert first.digest == hashlib.sha256(first.data).hexdigest()


def test_a_different_box_gives_a_different_digest(big_photo: Path) -> None:
    assert prepare(big_photo, 1 * INCH, 1 * INCH).digest != prepare(big_photo, 2 * INCH, 2 * INCH).digest


def test_content_decides_the_format_not_the_name(tmp_path: Path) -> None:
    path = save(photo(30, 20), tmp_path / "really-a-jpeg.png", "JPEG")
    assert prepare(path).format == "jpeg"


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
def test_png_embeds_in_reportlab(tmp_path: Path, mode: str) -> None:
    path = save(photo(200, 100).convert(mode), tmp_path / f"{mode}.png", "PNG")
    image = prepare(path, 1 * INCH, 0.5 * INCH)
    (embedded,) = pdf_images(pdf_with(image, 1 * INCH, 0.5 * INCH))
    assert embedded.get_px_size() == (image.width_px, image.height_px)


# --------------------------------------------------------------------------- bombs


@pytest.mark.parametrize(
    "width, height",
    [
        (8000, 8000),  # over our limit, under Pillow's: our own check after open
        (10000, 10000),  # Pillow warns: the warning is made an error locally
        (30000, 30000),  # Pillow refuses to open: the size comes from the header
    ],
)
def test_png_decompression_bomb_is_refused_fast(tmp_path: Path, width: int, height: int) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(width, height))
    assert width * height > MAX_PIXELS
    # The file holds only a header: refusing it from the header alone is what keeps it
    # fast (no timing assertion; speed belongs to bench/).
    assert path.stat().st_size < 100
    message = refused(path)
    assert message == f"image is too large: {width} × {height} pixels; the limit is 40 megapixels"


@pytest.mark.parametrize("width, height", [(8000, 6000), (60000, 60000)])
def test_jpeg_decompression_bomb_is_refused_fast(tmp_path: Path, width: int, height: int) -> None:
    path = jpeg_claiming(tmp_path, width, height)
    message = refused(path)  # from the header's claimed size (no timing assertion: bench/ measures speed)
    assert f"{width} × {height} pixels" in message


def test_real_one_bit_bomb(tmp_path: Path) -> None:
    path = save(Image.new("1", (7000, 7000)), tmp_path / "big.png", "PNG")
    assert path.stat().st_size < 50_000
    assert "7000 × 7000" in refused(path)


def test_pillow_global_limit_is_untouched(tmp_path: Path) -> None:
    before = Image.MAX_IMAGE_PIXELS
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(30000, 30000))
    refused(path)
    assert Image.MAX_IMAGE_PIXELS == before


# --------------------------------------------------------------------------- damaged and wrong files


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_files_are_damaged(tmp_path: Path, fmt: str) -> None:
    whole = save(photo(300, 200), tmp_path / f"whole.{fmt.lower()}", fmt)
    data = whole.read_bytes()
    cut = tmp_path / f"cut.{fmt.lower()}"
    cut.write_bytes(data[: len(data) // 2])
    assert refused(cut) == "the image file is damaged or incomplete"


def test_header_only_png_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "head.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert refused(path) == "the image file is damaged or incomplete"


@pytest.mark.parametrize(
    "name, make, expected",
    [
        ("anim.gif", lambda p: Image.new("P", (8, 8)).save(p, "GIF"), "it looks like a GIF image"),
        ("modern.webp", lambda p: Image.new("RGB", (8, 8)).save(p, "WEBP"), "it looks like a WebP image"),
        ("web.png", lambda p: Image.new("RGB", (8, 8)).save(p, "WEBP"), "it looks like a WebP image"),
        ("old.bmp", lambda p: Image.new("RGB", (8, 8)).save(p, "BMP"), "it looks like a BMP image"),
        ("scan.tif", lambda p: Image.new("RGB", (8, 8)).save(p, "TIFF"), "it looks like a TIFF image"),
        ("notes.png", lambda p: p.write_text("just some notes\n"), "it looks like a text file"),
        (
            "drawing.png",
            lambda p: p.write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n'),
            "it looks like an SVG drawing",
        ),
        ("doc.png", lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "it looks like a PDF document"),
        ("iphone.jpg", lambda p: p.write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), "it looks like a HEIC image"),
        ("noise.png", lambda p: p.write_bytes(bytes(range(256)) * 4), None),
    ],
)
def test_not_png_or_jpeg(tmp_path: Path, name: str, make, expected: str | None) -> None:  # noqa: ANN001
    path = tmp_path / name
    make(path)
    message = refused(path)
    assert message.startswith("not a PNG or JPEG image")
    assert message.endswith("save it as PNG or JPEG")
    if expected is None:
        assert "looks like" not in message
    else:
        assert expected in message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    assert refused(path) == "the image file is empty"


def test_folder(tmp_path: Path) -> None:
    folder = tmp_path / "photo.jpg"
    folder.mkdir()
    assert refused(folder) == "is a folder, expected a PNG or JPEG image"


def test_missing_path(tmp_path: Path) -> None:
    assert refused(tmp_path / "nowhere.png") == "no such image file"
    assert refused(tmp_path / "nowhere" / "deeper.png") == "no such image file"


def test_special_file() -> None:
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    with pytest.raises(InputError, match="not a regular file"):
        prepare_raster(Path("/dev/null"), 72, 72, display="/dev/null")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = save(photo(10, 10), tmp_path / "locked.png", "PNG")
    path.chmod(0)
    try:
        assert "permission denied" in refused(path)
    finally:
        path.chmod(0o600)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written or read
    message = refused(path)  # said from the file's size, before reading (no timing assertion)
    assert message.startswith("the image file is too large (20.0 MB)")
    assert "the limit is 20 MB" in message


# --------------------------------------------------------------------------- fuzz


def _seeds() -> list[bytes]:
    seeds = []
    for fmt in ("PNG", "JPEG"):
        buffer = io.BytesIO()
        photo(24, 16).save(buffer, fmt)
        seeds.append(buffer.getvalue())
    return seeds


SEEDS = _seeds()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(0, 255)), max_size=6),
    cut=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000)),
)
def test_mangled_files_give_an_image_or_an_input_error(
    tmp_path: Path, seed: bytes, edits: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(seed)
    for offset, value in edits:
        data[offset % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data) + 1]
    path = tmp_path / "fuzz.img"
    path.write_bytes(bytes(data))
    try:
        image = prepare_raster(path, 72, 72, display="fuzz.img")
    except InputError as exc:
        assert exc.problems and exc.problems[0].file == "fuzz.img"
    else:
        assert image.digest == hashlib.sha256(image.data).hexdigest()
        decode(image)
