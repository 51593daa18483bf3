"""Fonts: Atkinson Hyperlegible first, Noto Sans for what it lacks, and nothing else.

Atkinson Hyperlegible is designed for low-vision readers but covers Latin only; Noto Sans
adds Greek, Cyrillic, Vietnamese and more. Every string is split into runs by which font
covers each character, so nothing prints as an empty box. A character no font covers is
an error (raised by the caller with the field's location).

Noto Sans ships as a variable font. reportlab embeds its default (Regular) outlines; the
Bold instance is cut once with fontTools' instancer and cached on disk, only when some
bold text actually needs it.
"""

from __future__ import annotations

import hashlib
import logging
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from routinecard.text import Run


_lock = threading.Lock()


@dataclass(frozen=True)
class Face:
    """A font face registered with reportlab under `name`."""

    name: str
    path: Path


def _atkinson_dir() -> Path:
    import fontpkg_atkinson_hyperlegible as atkinson

    return Path(atkinson.ROOT) / "files"


def _noto_variable() -> Path:
    import fontpkg_noto_sans as noto

    return Path(noto.ROOT) / "files" / "NotoSans[wdth,wght].ttf"


def cache_dir() -> Path:
    """Where derived fonts are kept between runs (ROUTINECARD_CACHE overrides)."""
    base = os.environ.get("ROUTINECARD_CACHE") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    if not os.environ.get("ROUTINECARD_CACHE"):
        root = root / "routinecard"
    return root / "fonts"


def _register(name: str, path: Path) -> Face:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        # Ask the registry by name: `getFont` on a miss first parses every AFM file on
        # reportlab's search path (about 0.2 s) before it gives up.
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return Face(name, path)


def _registered_cmap(name: str) -> frozenset[int]:
    """Characters of a font reportlab has already parsed (no second read of the file)."""
    from reportlab.pdfbase import pdfmetrics

    font: Any = pdfmetrics.getFont(name)  # a TTFont; the stubs type getFont as any Font
    return frozenset(font.face.charToGlyph)


@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _bold_noto_instance() -> Path:
    """Cut (once) and cache Noto Sans Bold from the variable font."""
    source = _noto_variable()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = cache_dir() / f"NotoSans-Bold-{digest}.ttf"
    fallback_folder = Path(tempfile.gettempdir()) / f"routinecard-{os.getuid() if hasattr(os, 'getuid') else 0}"
    for existing in (target, fallback_folder / target.name):
        if existing.exists():
            return existing
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    # Not printed here (only the CLI prints): a front end shows it, so the first card that
    # needs the bold fallback does not stall for ~20 s without a word.
    logging.getLogger("routinecard.notes").info(
        "making the Noto Sans Bold fallback font once (about 20 s); later builds reuse it from %s", target.parent)
    with TTFont(str(source)) as font:
        bold = instancer.instantiateVariableFont(font, {"wght": 700, "wdth": 100}, updateFontNames=False)
        buffer = io.BytesIO()
        bold.save(buffer)
    from routinecard.errors import OutputError
    from routinecard.write import write_atomic

    for folder in (target.parent, fallback_folder):
        final = folder / target.name
        try:
            write_atomic(final, buffer.getvalue())  # parallel builds may race, both write the same bytes
        except (OSError, OutputError):
            continue  # a read-only cache folder: try the temporary folder
        return final
    raise OSError("cannot write the Noto Sans Bold instance anywhere")


class FontSet:
    """The card's fonts, and the rules for which one prints each character."""

    def __init__(self) -> None:
        folder = _atkinson_dir()
        self.regular = _register("Atkinson", folder / "AtkinsonHyperlegible-Regular.ttf")
        self.bold = _register("Atkinson-Bold", folder / "AtkinsonHyperlegible-Bold.ttf")
        self._primary = _registered_cmap(self.regular.name) & _registered_cmap(self.bold.name)
        self._fallback_faces: dict[bool, Face] = {}

    @property
    def _fallback(self) -> frozenset[int]:
        """Noto Sans' characters, read only when a character is not in Atkinson."""
        return _cmap(_noto_variable())

    # -- coverage ---------------------------------------------------------------------
    def covers(self, char: str) -> bool:
        code = ord(char)
        return char == "\n" or code in self._primary or code in self._fallback

    def fallback_size(self) -> int:
        return len(self._fallback)

    def missing(self, text: str) -> list[str]:
        """Characters of `text` that no bundled font can print, in order, once each.
        (Checked on the set of characters first: nearly every text is all Atkinson.)"""
        unknown = {char for char in set(text) if char != "\n" and ord(char) not in self._primary}
        if not unknown:
            return []
        fallback = self._fallback
        bad = {char for char in unknown if ord(char) not in fallback}
        return list(dict.fromkeys(char for char in text if char in bad))

    def fallback(self, bold: bool) -> Face:
        face = self._fallback_faces.get(bold)
        if face is None:
            if bold:
                face = _register("NotoSans-Bold", _bold_noto_instance())
            else:
                face = _register("NotoSans", _noto_variable())
            self._fallback_faces[bold] = face
        return face

    # -- markup -----------------------------------------------------------------------
    def runs(self, text: str, *, bold: bool = False, colour: str | None = None) -> list[Run]:
        """`text` as runs of one font each: Atkinson where it has the character, Noto Sans
        where it does not. Raises ValueError for a character no font has."""
        return list(self._runs(text, bold, colour))

    @lru_cache(maxsize=4096)  # noqa: B019 - the font set lives for the whole process
    def _runs(self, text: str, bold: bool, colour: str | None) -> tuple[Run, ...]:
        from routinecard.text import Run

        primary = self.bold.name if bold else self.regular.name
        out: list[Run] = []
        chunk: list[str] = []
        chunk_fallback = False
        for char in text:
            code = ord(char)
            if char in " \n" or code in self._primary:
                fallback = chunk_fallback if char in " \n" else False
            elif code in self._fallback:
                fallback = True
            else:
                raise ValueError(f"no bundled font has the character {char!r} (U+{code:04X})")
            if fallback != chunk_fallback and chunk:
                out.append(Run("".join(chunk), self.fallback(bold).name if chunk_fallback else primary, colour))
                chunk = []
            chunk_fallback = fallback
            chunk.append(char)
        if chunk:
            out.append(Run("".join(chunk), self.fallback(bold).name if chunk_fallback else primary, colour))
        return tuple(out)


@cache
def font_set() -> FontSet:
    """The process-wide font set: registering fonts once is what keeps warm builds fast."""
    return FontSet()
