"""The light paragraph: every character kept, no line wider than the room, breaks where asked."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from routinecard.fonts import font_set
from routinecard.text import Run, TextBlock


def style(size: float = 10) -> ParagraphStyle:
    font_set()
    return ParagraphStyle("t", fontName="Atkinson", fontSize=size, leading=size * 1.2)


def line_texts(block: TextBlock) -> list[str]:
    return ["".join(piece for piece, _, _ in line) for line, _ in block.lines]


def test_breaks_between_words_and_at_newlines() -> None:
    block = TextBlock([Run("one two three\nfour", "Atkinson")], style())
    block.wrap(1000, 100)
    assert line_texts(block) == ["one two three", "four"]
    narrow = TextBlock([Run("one two three", "Atkinson")], style())
    narrow.wrap(stringWidth("one two", "Atkinson", 10) + 0.1, 100)
    assert line_texts(narrow) == ["one two", "three"]
    assert narrow.height == 2 * 12


def test_a_word_wider_than_the_line_is_cut_not_clipped() -> None:
    word = "W" * 80
    block = TextBlock([Run("Go " + word + " now", "Atkinson")], style())
    width = 120.0
    block.wrap(width, 1000)
    lines = line_texts(block)
    assert "".join(lines).replace(" ", "") == ("Go" + word + "now")
    assert all(used <= width + 0.01 for _, used in block.lines)
    assert len(lines) > 3


def test_runs_keep_their_fonts_and_colours() -> None:
    fonts = font_set()
    runs = fonts.runs("Where:", bold=True) + fonts.runs(" Ελλάδα and here", colour="#b00020")
    block = TextBlock(runs, style())
    block.wrap(1000, 100)
    pieces = block.lines[0][0]
    assert pieces[0][1] == "Atkinson-Bold"
    assert any(font.startswith("NotoSans") for _, font, _ in pieces)
    assert all(colour == "#b00020" for text, _, colour in pieces[1:] if text.strip())


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(st.sampled_from(list("abcdefghij WXYZ\n.,éü")), min_size=0, max_size=300),
    width=st.floats(min_value=20, max_value=400),
)
def test_nothing_lost_and_nothing_too_wide(text: str, width: float) -> None:
    block = TextBlock([Run(text, "Atkinson")], style())
    block.wrap(width, 10000)
    assert all(used <= width + 0.01 for _, used in block.lines)
    printed = "".join(line_texts(block))
    assert printed.replace(" ", "") == text.replace(" ", "").replace("\n", "")
