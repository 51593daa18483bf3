"""A light paragraph for the card's text.

reportlab's `Paragraph` parses a markup language (with Python's HTML parser) and breaks
lines for every style it supports; profiling showed it is most of a build's time, paid
again on every pass of the fit. Card text needs much less: runs of plain text in one of
a few embedded fonts (a bold label, a fallback-font word, a coloured notice), white space
collapsed, newlines kept, bullets, and alignment. This flowable does that with greedy
line breaking over C-accelerated string widths. Text never goes through a markup parser,
so nothing a user writes can be read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from routinecard import tagging


@dataclass(frozen=True)
class Run:
    """Text in one font (and, optionally, one colour)."""

    text: str
    font: str
    colour: str | None = None


Piece = tuple[str, str, "str | None"]  # text, font, colour
Line = list[Piece]


@lru_cache(maxsize=8192)
def _unit_width(text: str, font: str) -> float:
    """Width at 1 pt: widths scale with the size, so each word is measured once per process."""
    return stringWidth(text, font, 1.0)


@lru_cache(maxsize=4096)
def _words(runs: tuple[Run, ...]) -> tuple[tuple[Piece, ...] | None, ...]:
    """Words as tuples of pieces; None marks a forced line break."""
    words: list[tuple[Piece, ...] | None] = []
    current: list[Piece] = []
    for run in runs:
        text = run.text.replace("\t", " ")
        start = 0
        for index, char in enumerate(text):
            if char == " " or char == "\n":
                if index > start:
                    current.append((text[start:index], run.font, run.colour))
                if current:
                    words.append(tuple(current))
                    current = []
                if char == "\n":
                    words.append(None)
                start = index + 1
        if start < len(text):
            current.append((text[start:], run.font, run.colour))
    if current:
        words.append(tuple(current))
    return tuple(words)


def _merged(pieces: Line) -> Line:
    """Neighbouring pieces in the same font and colour as one: fewer text operators."""
    out: Line = []
    for text, font, colour in pieces:
        if out and out[-1][1] == font and out[-1][2] == colour:
            out[-1] = (out[-1][0] + text, font, colour)
        else:
            out.append((text, font, colour))
    return out


# The structure role of a paragraph, from its style (see tagging.py); anything else is P.
ROLE_BY_STYLE = {"title": "H1", "heading": "H2", "warning_heading": "H2", "warning_title": "H3"}


class TextBlock(Flowable):
    """A paragraph of runs: wraps to the width it is given, never splits across frames.

    In a tagged PDF it is one element: a heading or paragraph by its style (or `role`),
    a list item (label and body) when it has a bullet."""

    def __init__(self, runs: list[Run], style: ParagraphStyle, *, bullet: str | None = None,
                 bullet_font: str | None = None, role: str | None = None) -> None:
        super().__init__()
        self.role = role or ROLE_BY_STYLE.get(style.name, "P")
        self.runs = runs
        self.style = style
        self.bullet = bullet
        self.bullet_font = bullet_font or style.fontName
        self._wrapped_at: float | None = None
        self.lines: list[tuple[Line, float]] = []
        self.width = 0.0
        self.height = 0.0

    # -- layout ---------------------------------------------------------------------------
    def _words(self) -> tuple[tuple[Piece, ...] | None, ...]:
        return _words(tuple(self.runs))

    def _width(self, pieces: list[Piece] | tuple[Piece, ...]) -> float:
        size = self.style.fontSize
        return sum(_unit_width(text, font) for text, font, _ in pieces) * size

    def _split_long(self, word: tuple[Piece, ...], width: float) -> list[list[Piece]]:
        """A word wider than the line, cut into pieces that fit (never clipped)."""
        size = self.style.fontSize
        chunks: list[list[Piece]] = []
        chunk: list[Piece] = []
        used = 0.0
        for text, font, colour in word:
            for char in text:
                w = _unit_width(char, font) * size
                if used + w > width and (chunk or used):
                    chunks.append(chunk)
                    chunk, used = [], 0.0
                if chunk and chunk[-1][1] == font and chunk[-1][2] == colour:
                    chunk[-1] = (chunk[-1][0] + char, font, colour)
                else:
                    chunk.append((char, font, colour))
                used += w
        if chunk:
            chunks.append(chunk)
        return chunks

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped_at == availWidth:
            return self.width, self.height
        style = self.style
        size = style.fontSize
        width = availWidth - style.leftIndent - style.rightIndent
        lines: list[tuple[Line, float]] = []
        line: Line = []
        used = 0.0
        for word in self._words():
            if word is None:
                lines.append((line, used))
                line, used = [], 0.0
                continue
            word_width = self._width(word)
            space = _unit_width(" ", word[0][1]) * size if line else 0.0
            if line and used + space + word_width > width:
                lines.append((line, used))
                line, used, space = [], 0.0, 0.0
            if word_width > width:
                for chunk in self._split_long(word, width):
                    chunk_width = self._width(chunk)
                    if line:
                        lines.append((line, used))
                    line, used = list(chunk), chunk_width
                continue
            if space:
                line.append((" ", word[0][1], word[0][2]))
            line.extend(word)
            used += space + word_width
        if line or not lines:
            lines.append((line, used))
        self.lines = [(_merged(pieces), used) for pieces, used in lines]
        self.width = availWidth
        self.height = len(lines) * style.leading
        self._wrapped_at = availWidth
        return self.width, self.height

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        return self.style.spaceAfter

    # -- drawing --------------------------------------------------------------------------
    def draw(self) -> None:
        canvas = self.canv
        if not self.bullet:
            with tagging.marked(canvas, self.role):
                self._draw_lines()
            return
        style = self.style
        size = style.fontSize
        with tagging.group(canvas, "LI"):
            with tagging.marked(canvas, "Lbl"):
                canvas.setFont(self.bullet_font, getattr(style, "bulletFontSize", size) or size)
                canvas.setFillColor(style.textColor)
                canvas.drawString(style.bulletIndent, self.height - size, self.bullet)
            with tagging.marked(canvas, "LBody"):
                self._draw_lines()

    def _draw_lines(self) -> None:
        style = self.style
        canvas = self.canv
        size = style.fontSize
        y = self.height - size
        inner = self.width - style.leftIndent - style.rightIndent
        default = style.textColor
        text = canvas.beginText()
        for line, used in self.lines:
            x = style.leftIndent
            if style.alignment == TA_RIGHT:
                x += inner - used
            elif style.alignment == TA_CENTER:
                x += (inner - used) / 2
            text.setTextOrigin(x, y)
            font = colour = None
            for piece, piece_font, piece_colour in line:
                if piece_font != font:
                    text.setFont(piece_font, size)
                    font = piece_font
                wanted = piece_colour or default
                if wanted != colour:
                    text.setFillColor(colors.HexColor(wanted) if isinstance(wanted, str) else wanted)
                    colour = wanted
                text.textOut(piece)
            y -= style.leading
        canvas.drawText(text)
