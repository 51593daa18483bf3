"""Hostile and broken input, through the real CLI: a faithful one-page card or one clear
line per problem with exit 1, no traceback, no output file, nothing leaked."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SCIATICA, card_data, page_count, page_text, squash, write_card
from routinecard.cli import app

CARD_TEXT = SCIATICA.read_text(encoding="utf-8")


def run(runner, path: Path, out: Path, *extra: str):
    return runner.invoke(app, ["build", str(path), "-o", str(out), *extra])


def assert_refused(result, out: Path, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*"))  # no temporary file left behind
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def change(path: str, value) -> Callable[[dict], None]:
    def apply(data: dict) -> None:
        target = data
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is KeyError:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return apply


# The other bad values are data: tests/cases/value-*/ (see tests/test_cases.py).
VALUES = [
    ("forty points", lambda d: d.update(points=[dict(d["points"][0], id=f"p-{i}") for i in range(40)]), "points: has 40 items; at most 12 are allowed"),
]


@pytest.mark.parametrize(("name", "mutate", "message"), VALUES, ids=[v[0] for v in VALUES])
def test_bad_values_are_refused_with_the_field(runner, tmp_path: Path, name: str, mutate, message: str) -> None:
    data = card_data()
    mutate(data)
    card = write_card(tmp_path, data)
    out = tmp_path / "out.pdf"
    result = run(runner, card, out)
    assert_refused(result, out, message)
    assert all(line.startswith(f"{card}:") for line in result.stderr.splitlines()[:-1])


@pytest.mark.parametrize(
    "text",
    ['<b>bold</b> & 5 < 7', '<img src="/etc/passwd"/>', '<font color="red" size="40">big</font>', "a<br/>b",
     '"double" \'single\' back\\slash', "&amp; &#169; &nbsp;", "<![CDATA[x]]> <!-- c -->", "<para>x</para>", "]]>"],
)
def test_markup_prints_literally_and_loads_no_file(runner, tmp_path: Path, text: str) -> None:
    data = card_data()
    data["summary"] = text
    data["points"][0]["steps"][0] = text
    card = write_card(tmp_path, data)
    out = tmp_path / "out.pdf"
    result = run(runner, card, out)
    assert result.exit_code == 0, result.output
    page = page_text(out)
    assert page.count(text) >= 1 or squash(text) in squash(page)
    assert b"/Subtype /Image" not in out.read_bytes()


def test_long_paragraph_and_long_word(runner, tmp_path: Path) -> None:
    data = card_data()
    data["points"] = data["points"][:1]
    data["summary"] = "W" * 300
    data["points"][0]["where"] = " ".join(["Press gently near the bone."] * 20)
    card = write_card(tmp_path, data)
    out = tmp_path / "out.pdf"
    result = run(runner, card, out, "--verify")
    assert result.exit_code == 0, result.output
    assert page_count(out) == 1
    assert "W" * 300 in squash(page_text(out))  # broken across lines, never clipped


def test_three_thousand_characters_is_a_fit_error_not_a_clip(runner, tmp_path: Path) -> None:
    data = card_data()
    data["summary"] = ("This routine needs a lot of explaining before you start it. " * 50)[:3000]
    card = write_card(tmp_path, data)
    out = tmp_path / "out.pdf"
    assert_refused(run(runner, card, out), out, "does not fit on one 'letter' page", "too long")


def test_images_cannot_escape_the_card_folder(runner, tmp_path: Path) -> None:
    from PIL import Image

    secret = tmp_path / "secret"
    secret.mkdir()
    Image.new("RGB", (20, 20), (255, 0, 0)).save(secret / "logo.png")
    cards = tmp_path / "cards"
    cards.mkdir()
    data = card_data()
    data["logo"] = "../secret/logo.png"
    card = write_card(cards, data)
    out = tmp_path / "out.pdf"
    assert_refused(run(runner, card, out), out, "logo: '../secret/logo.png' is outside the card's folder")
    data["logo"] = str(secret / "logo.png")
    card = write_card(cards, data)
    assert_refused(run(runner, card, out), out, "is outside the card's folder")
    # the user may allow a folder explicitly
    result = run(runner, card, out, "--allow-path", str(secret))
    assert result.exit_code == 0, result.output
    assert b"/Subtype /Image" in out.read_bytes()


TEXT_FIELDS = ["title", "summary", "before_you_start.0", "points.0.name", "points.0.where", "points.0.refers_to",
               "points.0.position", "points.0.pressure.words", "points.0.steps.0", "points.1.name",
               "medical_attention.urgent.title", "medical_attention.urgent.items.0", "medical_attention.soon.items.0",
               "sources.0"]


def dotted(path: str) -> str:
    out = ""
    for part in path.split("."):
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    field=st.sampled_from(TEXT_FIELDS),
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40),
)
def test_any_unicode_in_any_text_field(runner, tmp_path_factory, field: str, text: str) -> None:
    """A one-page PDF whose text contains the string, or exit 1 naming the field."""
    folder = tmp_path_factory.mktemp("unicode")
    data = card_data()
    data["points"] = data["points"][:2]
    change(field, text)(data)
    card = write_card(folder, data)
    out = folder / "out.pdf"
    result = run(runner, card, out, "--verify")
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert page_count(out) == 1
        from routinecard.verify import normalise

        cleaned = text.replace("\t", " ").strip()
        assert normalise(cleaned) in normalise(page_text(out))
    else:
        assert result.exit_code == 1, result.output
        assert not out.exists()
        assert f": {dotted(field)}: " in result.stderr, result.stderr
