"""Layouts: unit strings, `extends` chains, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from routinecard.errors import InputError
from routinecard.layouts import builtin_layouts, load_layout, parse_length


@pytest.mark.parametrize(
    ("text", "points"),
    [("10pt", 10.0), ("0.5in", 36.0), ("1in", 72.0), ("25.4mm", 72.0), ("2.54cm", 72.0), (" 12 mm ", 12 * 72 / 25.4), (0, 0.0)],
)
def test_units(text, points: float) -> None:
    assert parse_length(text) == pytest.approx(points)


@pytest.mark.parametrize(("text", "hint"), [("12", "no unit"), (12, "no unit"), ("12px", "not a length"), ("wide", "not a length"), (True, "expected a length")])
def test_bad_units(text, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        parse_length(text)


def test_builtin_layouts_exist() -> None:
    assert {"letter", "a4"} <= set(builtin_layouts())


def test_a4_extends_letter() -> None:
    letter = load_layout("letter")
    a4 = load_layout("a4")
    assert a4.page.size == "a4"
    assert a4.page.margin.left == a4.page.margin.top == pytest.approx(10 * 72 / 25.4)
    assert a4.type == letter.type and a4.columns == letter.columns
    assert a4.name == "a4"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_chain_of_files(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", "extends: a4\ntype:\n  body: 10pt\n  min: 9pt\n")
    child = write(tmp_path / "child.yaml", "extends: base.yaml\ncolumns: 1\n")
    layout = load_layout(child)
    assert layout.page.size == "a4"
    assert layout.type.body == 10 and layout.type.min == 9 and layout.type.title == 22
    assert layout.columns == 1


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(InputError, match=r"b\.yaml:1:\d+: extends: layouts extend each other in a circle: a.yaml -> b.yaml -> a.yaml"):
        load_layout(tmp_path / "a.yaml")


def test_unknown_key_in_a_child_points_at_the_child(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "extends: letter\npage:\n  sise: a4\n")
    with pytest.raises(InputError) as caught:
        load_layout(child)
    assert f"{child.name}:3:3: page.sise: unknown field 'sise'; did you mean 'size'?" in str(caught.value)


def test_bad_unit_is_located(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "extends: letter\npage:\n  margin: 12\n")
    with pytest.raises(InputError, match=r"child\.yaml:3:11: page\.margin: .*has no unit"):
        load_layout(child)


def test_unknown_parent(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "extends: poster\n")
    with pytest.raises(InputError, match=r"child\.yaml:1:10: extends: unknown layout 'poster'"):
        load_layout(child)


def test_low_contrast_colour_is_refused(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "extends: letter\ncolours:\n  text: '#bbbbbb'\n")
    with pytest.raises(InputError, match="contrast .* at least 4.5:1"):
        load_layout(child)


def test_type_below_minimum_is_refused(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "extends: letter\ntype:\n  min: 7pt\n  body: 8pt\n")
    with pytest.raises(InputError, match="at least 8.5pt"):
        load_layout(child)


def test_medical_attention_section_cannot_be_removed(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "extends: letter\nsections: [header, points, footer]\n")
    with pytest.raises(InputError, match="must include medical_attention"):
        load_layout(child)
