"""User photos and drawings (PNG or JPEG) made safe and small for the card.

Cards are printed from files that clinicians drop into a folder: phone photos taken
sideways, 40-megapixel camera shots, PNGs with transparency, CMYK JPEGs from a print
shop, or files that are not images at all. `prepare_raster` turns each into bytes that
reportlab embeds directly, at no more than MAX_DPI for the size it is printed at, with
no metadata (EXIF can hold GPS positions and names), and with the same bytes every time
so that a rebuilt card is identical and images can be named by their content.

Every problem with the file is an `InputError`; no Pillow exception escapes for bad input.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import ExifTags, Image, ImageMath, ImageOps

from routinecard.errors import InputError, Problem

__all__ = [
    "JPEG_QUALITY",
    "MAX_DPI",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "RasterImage",
    "prepare_raster",
]

MAX_PIXELS = 40_000_000  # refuse larger images (decompression bombs) before decoding
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DPI = 300
JPEG_QUALITY = 85

_POINTS_PER_INCH = 72.0
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_DAMAGED = "the image file is damaged or incomplete"
_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
_WIDE_GREY_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "PA"})
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})  # these rotate by 90 degrees

_Refuse = Callable[[str], InputError]


@dataclass(frozen=True)
class RasterImage:
    """An image ready for reportlab: `ImageReader(io.BytesIO(image.data))`."""

    data: bytes  # PNG or JPEG bytes
    format: Literal["png", "jpeg"]
    width_px: int
    height_px: int
    digest: str  # sha256 hex of data: images are named by content


def prepare_raster(path: Path, width_pt: float, height_pt: float, *, display: str) -> RasterImage:
    """Open a PNG or JPEG, normalise it, and downsample it for a box of width_pt x height_pt points.

    The image is fitted inside the box keeping its aspect ratio and is never enlarged;
    its pixels are reduced so that it is at most MAX_DPI at the placed size. EXIF
    orientation is applied, transparency is flattened onto white, colour becomes RGB
    (greyscale stays single-channel "L", which reportlab embeds as DeviceGray at a third
    of the size). JPEG sources come back as JPEG, everything else as PNG.
    """
    if not (math.isfinite(width_pt) and math.isfinite(height_pt) and width_pt > 0 and height_pt > 0):
        raise ValueError(f"the image box must be positive, got {width_pt!r} x {height_pt!r} points")

    def refuse(message: str) -> InputError:
        return InputError(Problem(message, file=display))

    data = _read_limited(Path(path), refuse)
    kind = _sniff(data)
    if kind is None:
        looks = _looks_like(data)
        hint = f" (it looks like {looks})" if looks else ""
        raise refuse(f"not a PNG or JPEG image{hint}; save it as PNG or JPEG")

    im = _open(data, kind, refuse)
    width, height = im.size
    if width * height > MAX_PIXELS:
        raise refuse(_too_large(width, height))

    orientation = _orientation(im)
    swapped = orientation in _SWAPPING_ORIENTATIONS
    upright = (height, width) if swapped else (width, height)
    target = _target_size(upright, width_pt, height_pt)

    if kind == "jpeg" and target != upright:
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale (never below the target): a phone
        # photo for a 2-inch box then costs a fraction of the time and memory.
        _draft(im, (target[1], target[0]) if swapped else target)

    try:
        im.load()  # decodes now, so truncation and corruption are found here
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for broken files
        raise refuse(_DAMAGED) from exc
    if orientation != 1:
        try:
            im = ImageOps.exif_transpose(im)
        except Exception:  # noqa: BLE001 - odd EXIF: print the photo as stored rather than refuse it
            target = _target_size((width, height), width_pt, height_pt)

    im = _working_mode(im)
    if im.size != target:
        im = im.resize(target, Image.Resampling.LANCZOS)
    im = _flatten(im)

    # A fresh image without the source's info dict: no EXIF, ICC, comments or text chunks
    # can be carried over by the encoder.
    clean = im.copy()
    clean.info = {}
    out = io.BytesIO()
    if kind == "jpeg":
        clean.save(
            out,
            format="JPEG",
            quality=JPEG_QUALITY,
            optimize=False,
            progressive=False,
            subsampling=2,  # 4:2:0, fixed so the bytes do not depend on Pillow's default
        )
    else:
        clean.save(out, format="PNG", optimize=False)
    encoded = out.getvalue()
    return RasterImage(
        data=encoded,
        format=kind,
        width_px=clean.width,
        height_px=clean.height,
        digest=hashlib.sha256(encoded).hexdigest(),
    )


# --------------------------------------------------------------------------- reading


def _read_limited(path: Path, refuse: _Refuse) -> bytes:
    """The file's bytes; refuses folders, special files and files over MAX_FILE_BYTES before reading."""
    from routinecard.files import Unreadable, read_regular_file

    try:
        data = read_regular_file(path, limit=MAX_FILE_BYTES, noun="image file", expected="a PNG or JPEG image",
                                 too_large=_file_too_large)
    except Unreadable as exc:
        raise refuse(exc.message) from None
    if not data:
        raise refuse("the image file is empty")
    return data


def _file_too_large(size: int) -> str:
    return (
        f"the image file is too large ({size / 1024 / 1024:.1f} MB); the limit is "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB"
    )


def _too_large(width: int, height: int) -> str:
    return (
        f"image is too large: {width} × {height} pixels; the limit is "
        f"{MAX_PIXELS // 1_000_000} megapixels"
    )


def _sniff(data: bytes) -> Literal["png", "jpeg"] | None:
    """What the magic bytes say, whatever the file is called."""
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    return None


def _looks_like(data: bytes) -> str | None:
    """A plain-language guess at what a non-PNG/JPEG file is, so the user knows what to fix."""
    head = data[:4096]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "a GIF image"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    if head.startswith(b"BM") and head[6:10] == b"\0\0\0\0":
        return "a BMP image"
    if head.startswith((b"II*\0", b"MM\0*")):
        return "a TIFF image"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "a HEIC image (iPhone photo format)"
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        return "a video or other media file"
    if head.startswith(b"%PDF-"):
        return "a PDF document"
    if head.startswith(b"\0\0\1\0"):
        return "an icon (.ico) file"
    if head.startswith(b"8BPS"):
        return "a Photoshop document"
    if head.startswith(b"PK\3\4"):
        return "a ZIP archive or office document"
    if head.startswith(b"\x1f\x8b"):
        return "a gzip-compressed file"
    text = _as_text(head)
    if text is not None:
        lowered = text.lower()
        if "<svg" in lowered:
            return "an SVG drawing"
        if "<html" in lowered or "<!doctype html" in lowered:
            return "a web page (HTML)"
        return "a text file"
    return None


def _as_text(head: bytes) -> str | None:
    """The bytes as text when they are plausibly UTF-8 text (a cut-off last character is fine)."""
    if b"\0" in head:
        return None
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return text if controls <= len(text) // 100 else None


# --------------------------------------------------------------------------- decoding


def _open(data: bytes, kind: Literal["png", "jpeg"], refuse: _Refuse) -> Image.Image:
    """Open (not decode) the image, turning Pillow's bomb checks and parse errors into InputError.

    Pillow's own MAX_IMAGE_PIXELS is left alone (it is process-wide); its warning is made an
    error only here, and its limits are higher than ours, so our check after open does the work.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=["PNG" if kind == "png" else "JPEG"])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        size = _header_size(data, kind)
        if size is not None:
            raise refuse(_too_large(*size)) from exc
        raise refuse(f"image is too large; the limit is {MAX_PIXELS // 1_000_000} megapixels") from exc
    except Exception as exc:  # noqa: BLE001 - UnidentifiedImageError, SyntaxError, struct.error...
        raise refuse(_DAMAGED) from exc


def _header_size(data: bytes, kind: Literal["png", "jpeg"]) -> tuple[int, int] | None:
    """Width and height from the file header, for messages about images Pillow refused to open."""
    if kind == "png":
        if len(data) >= 24 and data[12:16] == b"IHDR":
            return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # start of frame
            if i + 9 > len(data):
                return None
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        i += 2 + length
    return None


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation (1-8); 1 when absent or unreadable: broken EXIF should not lose the photo."""
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # noqa: BLE001 - malformed EXIF raises all sorts
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _draft(im: Image.Image, size: tuple[int, int]) -> None:
    """Ask the JPEG decoder for a reduced-scale decode no smaller than size; harmless if it declines."""
    try:
        im.draft(None, size)
    except Exception:  # noqa: BLE001 - an odd JPEG just decodes at full size
        pass


def _target_size(size: tuple[int, int], width_pt: float, height_pt: float) -> tuple[int, int]:
    """Pixel size for the image fitted in the box: at most MAX_DPI there, never enlarged."""
    width, height = size
    points_per_pixel = min(width_pt / width, height_pt / height)  # fit inside, keep aspect
    factor = min(1.0, points_per_pixel * MAX_DPI / _POINTS_PER_INCH)
    if factor >= 1.0:
        return size
    # floor keeps the result at or under MAX_DPI; the epsilon absorbs float noise (449.99999 -> 450)
    return (
        max(1, min(width, math.floor(width * factor + 1e-6))),
        max(1, min(height, math.floor(height * factor + 1e-6))),
    )


def _working_mode(im: Image.Image) -> Image.Image:
    """L or RGB, plus alpha (LA, RGBA) when the image has any transparency.

    Alpha is kept through the resize (Pillow resizes LA/RGBA premultiplied, so edges do
    not pick up the colour of invisible pixels) and flattened afterwards, on the small image.
    """
    mode = im.mode
    transparency = im.info.get("transparency")
    if mode in _WIDE_GREY_MODES:
        wide = im.convert("I")
        # Pillow's convert("L") clips 16-bit values at 255; scale them instead.
        grey = wide.point(lambda v: v / 257).convert("L")
        if isinstance(transparency, int):
            key = transparency
            alpha: Image.Image = ImageMath.lambda_eval(
                lambda a: a["convert"](a["notequal"](a["x"], key) * 255, "L"), x=wide
            )
            return Image.merge("LA", (grey, alpha))
        return grey
    if mode in _GREY_MODES:
        if mode in ("LA", "La") or transparency is not None:
            return im.convert("LA")
        return im if mode == "L" else im.convert("L")
    if mode in _ALPHA_MODES or transparency is not None:
        return im.convert("RGBA")
    return im if mode == "RGB" else im.convert("RGB")  # CMYK, P, YCbCr...


def _flatten(im: Image.Image) -> Image.Image:
    """The image over a white page, as it would print: LA -> L, RGBA -> RGB."""
    if im.mode not in ("LA", "RGBA"):
        return im
    colour_mode = im.mode[:-1]
    white = 255 if colour_mode == "L" else (255, 255, 255)
    page = Image.new(colour_mode, im.size, white)
    page.paste(im.convert(colour_mode), (0, 0), im.getchannel("A"))
    return page
