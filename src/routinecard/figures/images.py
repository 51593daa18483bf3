"""Raster images (logos, photos, clinic tool icons) as flowables.

The fit measures a card several times at different scales; the image is only prepared
(decoded, oriented, flattened, downsampled to <= 300 dpi) when it is drawn, at the size
it is finally printed, so the expensive work happens once per card.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from routinecard.errors import display_path
from routinecard.figures.raster import RasterImage, prepare_raster


@lru_cache(maxsize=64)
def _prepared(path: Path, mtime_ns: int, width_pt: float, height_pt: float) -> RasterImage:
    return prepare_raster(path, width_pt, height_pt, display=display_path(path))


def prepared(path: Path, width_pt: float, height_pt: float) -> RasterImage:
    """The prepared image, cached per file version and placed size."""
    return _prepared(path, path.stat().st_mtime_ns, round(width_pt, 2), round(height_pt, 2))


def aspect_ratio(path: Path) -> float:
    """Width / height as printed (EXIF orientation applied)."""
    thumb = prepared(path, 144.0, 144.0)
    return thumb.width_px / thumb.height_px


class RasterFlowable(Flowable):
    """An image fitted inside a box of `max_width` x `max_height`, aspect kept."""

    def __init__(self, path: Path, max_width: float, max_height: float, *, align: str = "center") -> None:
        super().__init__()
        self.path = path
        ratio = aspect_ratio(path)
        self.width = min(max_width, max_height * ratio)
        self.height = self.width / ratio
        self.box_width = max_width
        self.align = align

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return (self.box_width if self.align == "center" else self.width), self.height

    def draw(self) -> None:
        image = prepared(self.path, self.width, self.height)
        x = (self.box_width - self.width) / 2 if self.align == "center" else 0.0
        self.canv.drawImage(ImageReader(io.BytesIO(image.data)), x, 0, self.width, self.height)
