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


FILES: list[tuple[str, Callable[[Path], bytes | None], tuple[str, ...]]] = [
    ("python tag", lambda p: CARD_TEXT.replace("title: Self", "title: !!python/object/apply:os.system ['echo hi']\nx: Self", 1).encode(),
     ("tags are not allowed",)),
    ("alias bomb", lambda p: b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
     ("anchors and aliases are not allowed",)),
    ("duplicate key", lambda p: CARD_TEXT.replace("language: en\n", "language: en\nlanguage: en\n", 1).encode(),
     ("duplicate key 'language'",)),
    ("tab indentation", lambda p: b"id: x\npoints:\n\t- id: y\n", (":3:",)),
    ("truncated document", lambda p: CARD_TEXT[: len(CARD_TEXT) // 2].rsplit("\n", 1)[0].encode() + b'\n  - "unclosed', (":",)),
    ("binary garbage", lambda p: bytes(range(256)) * 8, ("not a text file",)),
    ("not UTF-8", lambda p: CARD_TEXT.replace("Self-massage", "Self\u2011massage", 1).encode("utf-8").replace(b"\xe2\x80\x91", b"\xe9"),
     ("is not UTF-8 text", "save it as UTF-8")),
    ("empty file", lambda p: b"", ("the file is empty",)),
    ("only comments", lambda p: b"# nothing here\n", ("the file is empty",)),
    ("top-level list", lambda p: b"- a\n- b\n", ("expected a mapping of fields at the top of the card file, found a list",)),
    ("6 MB file", lambda p: b"# " + b"x" * (6 * 1024 * 1024) + b"\n", ("file is too large", "the limit is")),
    ("UTF-16", lambda p: CARD_TEXT.encode("utf-16"), ("UTF-16",)),
]


@pytest.mark.parametrize(("name", "content", "fragments"), FILES, ids=[f[0] for f in FILES])
def test_broken_files_get_one_clear_line(runner, tmp_path: Path, name: str, content, fragments) -> None:
    card = tmp_path / "card.yaml"
    card.write_bytes(content(card))
    out = tmp_path / "out.pdf"
    result = run(runner, card, out)
    assert_refused(result, out, *fragments)
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{card}:")


def test_missing_path_and_empty_folder(runner, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    assert_refused(run(runner, tmp_path / "nope.yaml", out), out, "nope.yaml", "no such file")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_refused(run(runner, empty, out), out, "the folder has no .yaml files")


def test_a_folder_named_like_a_card(runner, tmp_path: Path) -> None:
    folder = tmp_path / "card.yaml"
    folder.mkdir()
    (folder / "x.txt").write_text("hi", encoding="utf-8")
    out = tmp_path / "out.pdf"
    assert_refused(run(runner, folder, out), out, "no .yaml files")


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


VALUES = [
    ("negative seconds", change("points.0.timing.hold_s", [-5, 30]), "points[0].timing.hold_s[0]: must be at least 1, found -5"),
    ("zero repeats", change("points.0.timing.repeats", 0), "points[0].timing.repeats: must be from 1 to 50, found 0"),
    ("huge seconds", change("points.0.timing.hold_s", [15, 10 ** 12]), "points[0].timing.hold_s[1]: must be at most 600"),
    ("non-numeric", change("points.0.pressure.min", "four"), "points[0].pressure.min: expected a whole number, found text 'four'"),
    ("float", change("points.0.pressure.min", 4.5), "points[0].pressure.min: expected a whole number, found 4.5"),
    ("bool", change("points.0.pressure.max", True), "points[0].pressure.max: expected a whole number, found true"),
    ("missing how often", change("points.0.timing.per_day", KeyError), "points[0].timing: give exactly one of per_day, per_week, every_other_day: true: how often"),
    ("three numbers", change("points.0.timing.hold_s", [1, 2, 3]), "points[0].timing.hold_s: needs two numbers: [smallest, largest]"),
    ("empty steps", change("points.0.steps", []), "points[0].steps: needs at least 1 item"),
    ("empty red flags", change("medical_attention.urgent.items", []), "medical_attention.urgent.items: needs at least 1 item"),
    ("no red flags", change("medical_attention", KeyError), "missing required field 'medical_attention'"),
    ("empty points", change("points", []), "points: needs at least 1 item"),
    ("blank text", change("title", "   "), "title: must not be empty"),
    ("control character", change("summary", "Bell \x07 here"), "summary: contains the control or unassigned character U+0007"),
    ("zero-width space", change("summary", "zero\u200bwidth"), "summary: contains the invisible character U+200B (ZERO WIDTH SPACE)"),
    ("emoji", change("points.1.name", "Glute \U0001F600"), "points[1].name: no bundled font can print '\U0001F600' (U+1F600)"),
    ("CJK", change("summary", "\u4e2d\u6587"), "summary: no bundled font can print '\u4e2d' (U+4E2D), '\u6587' (U+6587)"),
    ("Arabic", change("summary", "\u0645\u0631\u062d\u0628\u0627"), "summary: no bundled font can print '\u0645' (U+0645)"),
    ("forty points", lambda d: d.update(points=[dict(d["points"][0], id=f"p-{i}") for i in range(40)]), "points: has 40 items; at most 12 are allowed"),
    ("list instead of text", change("summary", ["a", "b"]), "summary: expected text, found a list"),
    ("mapping instead of list", change("sources", {"a": 1}), "sources: expected a list, found a mapping"),
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


def test_output_never_replaces_an_input_file(runner, tmp_path: Path) -> None:
    card = write_card(tmp_path, card_data())
    before = card.read_bytes()
    result = runner.invoke(app, ["build", str(card), "-o", str(tmp_path / "card.yaml.pdf")])
    assert result.exit_code == 0
    named_pdf = write_card(tmp_path, card_data(), "card.pdf")
    result = runner.invoke(app, ["build", str(named_pdf), "-o", str(named_pdf)])
    assert result.exit_code == 1 and "refusing to write the PDF over an input file" in result.stderr
    assert card.read_bytes() == before


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
