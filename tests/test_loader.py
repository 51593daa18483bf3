"""Tests for routinecard.loader: every refusal is an InputError pointing at the
exact line and column, and accepted YAML follows the 1.2 core schema."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routinecard.errors import InputError, Problem
from routinecard.loader import (
    MAX_BYTES,
    MAX_DEPTH,
    Document,
    Mark,
    format_path,
    load_yaml_bytes,
    load_yaml_file,
    require_mapping,
)

NAME = "card.yaml"


def load(text: str | bytes) -> Document:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_yaml_bytes(raw, NAME)


def refusal(text: str | bytes) -> Problem:
    """The single problem a refused input produces."""
    with pytest.raises(InputError) as info:
        load(text)
    assert len(info.value.problems) == 1
    return info.value.problems[0]


# --------------------------------------------------------------------------- refusals

BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
)

REFUSALS: list[tuple[str, str | bytes, str]] = [
    # encoding
    ("latin-1 byte", b"title: x\nname: caf\xe9\n", "card.yaml:2:10: file is not UTF-8 text (byte 0xe9 at line 2, column 10); save it as UTF-8"),
    ("0xff byte", b"a: 1\n\xff\n", "card.yaml:2:1: file is not UTF-8 text (byte 0xff at line 2, column 1)"),
    ("bad byte after BOM", b"\xef\xbb\xbfab\xff: 1\n", "card.yaml:1:3: file is not UTF-8 text (byte 0xff"),
    ("utf-16 LE BOM", "a: 1\n".encode("utf-16"), "card.yaml:1:1: file is UTF-16 text; save it as UTF-8"),
    ("utf-16 BE BOM", b"\xfe\xff\x00a\x00:", "card.yaml:1:1: file is UTF-16 text; save it as UTF-8"),
    ("utf-16 no BOM", "title: x\n".encode("utf-16-le"), "card.yaml:1:1: file looks like UTF-16 text"),
    ("utf-32 BOM", "a: 1\n".encode("utf-32"), "card.yaml:1:1: file is UTF-32 text; save it as UTF-8"),
    ("NUL byte", b"a: 1\nb: x\x00y\n", "card.yaml:2:5: not a text file (found a NUL byte at line 2, column 5)"),
    ("binary garbage", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "card.yaml:3:1: not a text file (found a NUL byte at line 3, column 1)"),
    ("control char", "a: 1\nb: x\x07y\n", "card.yaml:2:5: the file contains a control character (U+0007)"),
    # document shape
    ("empty", "", "card.yaml:1:1: the file is empty"),
    ("only comments", "# nothing\n\n  # here\n", "card.yaml:1:1: the file is empty"),
    ("only marker", "---\n# nothing\n", "card.yaml:1:1: the file is empty"),
    ("two documents", "title: a\n---\ntitle: b\n", "card.yaml:2:1: found a second YAML document"),
    ("three markers", "---\na: 1\n---\nb: 2\n---\n", "card.yaml:3:1: found a second YAML document"),
    # keys
    ("duplicate key", "a: 1\n\ntitle: x\nb: 2\ntitle: y\n", "card.yaml:5:1: title: duplicate key 'title' (first at line 3)"),
    ("nested duplicate", "points:\n  - hold: 1\n    hold: 2\n", "card.yaml:3:5: points[0].hold: duplicate key 'hold' (first at line 2)"),
    ("flow duplicate", "a: {x: 1, x: 2}\n", "card.yaml:1:11: a.x: duplicate key 'x' (first at line 1)"),
    ("int key", "a:\n  1: x\n", "card.yaml:2:3: a.1: mapping keys must be text, found the number 1"),
    ("bool key", "true: x\n", "card.yaml:1:1: true: mapping keys must be text, found the true/false value true"),
    ("null key", "~: x\n", "card.yaml:1:1: ~: mapping keys must be text, found nothing (null)"),
    ("empty key", "? \n: x\n", "mapping keys must be text, found an empty key"),
    ("list key", "? [a, b]\n: x\n", "card.yaml:1:3: mapping keys must be text, found a list"),
    ("mapping key", "? {a: b}\n: x\n", "card.yaml:1:3: mapping keys must be text, found a mapping"),
    # anchors, aliases, merge keys
    ("anchor", "a: &x 1\n", "card.yaml:1:4: a: anchors and aliases are not allowed (found anchor '&x')"),
    ("alias", "a: 1\nb: *x\n", "card.yaml:2:4: b: anchors and aliases are not allowed (found alias '*x')"),
    ("merge key", "base: {a: 1}\nother:\n  <<: *base\n", "card.yaml:3:7: other.<<: anchors and aliases are not allowed"),
    ("billion laughs", BILLION_LAUGHS, "card.yaml:1:4: a: anchors and aliases are not allowed"),
    # tags
    ("python tag", "a: !!python/object/apply:os.system [ls]\n", "card.yaml:1:4: a: tags are not allowed (found '!!python/object/apply:os.system')"),
    ("python object", "x:\n  - !!python/object:os.system {}\n", "card.yaml:2:5: x[0]: tags are not allowed (found '!!python/object:os.system')"),
    ("local tag", "a: !foo bar\n", "card.yaml:1:4: a: tags are not allowed (found '!foo')"),
    ("non-specific tag", "a: ! bar\n", "card.yaml:1:4: a: tags are not allowed (found '!')"),
    ("binary", "a: !!binary aGVsbG8=\n", "tags are not allowed (found '!!binary')"),
    ("set", "a: !!set {x, y}\n", "tags are not allowed (found '!!set')"),
    ("omap", "a: !!omap [x: 1]\n", "tags are not allowed (found '!!omap')"),
    ("str tag", "a: !!str 1\n", "card.yaml:1:4: a: tags are not allowed (found '!!str'); put the value in quotes"),
    ("tag on key", "!!str k: v\n", "card.yaml:1:1: tags are not allowed (found '!!str')"),
    # syntax
    ("tab indentation", "a:\n\tb: 1\n", "card.yaml:2:1: found a tab character where indentation is expected; use spaces"),
    ("unclosed double quote", 'a: "hello\nb: 2\n', "card.yaml:3:1: the quoted text starting at line 1, column 4 is never closed"),
    ("unclosed single quote", "a: 'hello", "card.yaml:1:10: the quoted text starting at line 1, column 4 is never closed"),
    ("unclosed bracket", "a: [1, 2\nb: 3\n", "card.yaml:2:2: the list '[' opened at line 1, column 4 is not closed"),
    ("unclosed brace", "a: {x: 1\n", "card.yaml:2:1: the mapping '{' opened at line 1, column 4 is not closed"),
    ("truncated flow", "a:\n  - x\n  - [", "card.yaml:3:6: the file ends before this value is complete"),
    ("colon in value", "a: b: c\n", "card.yaml:1:5: unexpected ':' here"),
    ("bad dedent", "a:\n  b: 1\n c: 2\n", "card.yaml:3:2: this line does not line up with the lines above"),
    ("list mixed with keys", "a:\n  - x\n  y: 1\n", "card.yaml:3:3: a 'key: value' line is mixed into a list"),
    ("missing key", "a: 1\n: x\n", "card.yaml:2:1: found ':' with no key in front of it"),
    ("bad escape", 'a: "\\q"\n', "card.yaml:1:6: unknown escape '\\q'"),
    ("reserved char", "a: @x\n", "card.yaml:1:4: a value cannot start with '@'"),
    # limits
    ("too deep flow", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"card.yaml:1:{MAX_DEPTH + 1}: "),
    ("too deep block", "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 1)) + "  " * (MAX_DEPTH + 1) + "v\n", f"card.yaml:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: k0.k1.k2"),
    ("huge integer", "n: " + "9" * 5000 + "\n", "card.yaml:1:4: n: the number has too many digits (5000)"),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in REFUSALS], ids=[n for n, _, _ in REFUSALS])
def test_refusals_are_located(text: str | bytes, expected: str) -> None:
    problem = refusal(text)
    assert expected in str(problem)
    assert problem.file == NAME
    assert problem.line is not None and problem.line >= 1
    assert problem.column is not None and problem.column >= 1


def test_too_deep_says_why() -> None:
    problem = refusal("[" * 100 + "]" * 100)
    assert f"nesting is too deep (more than {MAX_DEPTH} levels" in problem.message


def test_exactly_max_depth_is_fine() -> None:
    doc = load("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert doc.data is not None


def test_alias_bomb_refused_before_anything_expands() -> None:
    # Refused at the very first anchor (line 1, column 4), so nothing is ever expanded;
    # no timing assertion (speed belongs to bench/, not to the tests).
    problem = refusal(BILLION_LAUGHS)
    assert (problem.line, problem.column) == (1, 4)
    assert "anchors and aliases are not allowed (found anchor '&a')" in problem.message


def test_size_limit_refused_before_parsing() -> None:
    raw = b"a: [" + b"[" * (MAX_BYTES + 10)  # would be slow and invalid if parsed
    with pytest.raises(InputError) as info:
        load_yaml_bytes(raw, NAME)
    message = str(info.value)
    assert message.startswith(f"{NAME}: file is too large")
    assert f"{len(raw):,} bytes" in message and f"{MAX_BYTES:,}" in message


def test_exactly_max_bytes_passes_the_size_check() -> None:
    """A trailing bad byte makes decoding fail fast, proving the size check let it through."""
    body = b"a: 1\n" + b"#" * (MAX_BYTES - 6) + b"\xff"
    assert len(body) == MAX_BYTES
    assert f"{NAME}:2:{MAX_BYTES - 5}: file is not UTF-8 text (byte 0xff" in str(refusal(body))


# --------------------------------------------------------------------------- accepted values

SCALARS: list[tuple[str, object]] = [
    ("no", "no"),
    ("yes", "yes"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("n", "n"),
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("false", False),
    ("FALSE", False),
    ("tRUE", "tRUE"),
    ("~", None),
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("nULL", "nULL"),
    ("", None),
    ("010", 10),
    ("-7", -7),
    ("+7", 7),
    ("0o17", 15),
    ("0x1f", 31),
    ("0x1F", 31),
    ("0b101", "0b101"),
    ("1_000", "1_000"),
    ("1:30", "1:30"),
    ("1.5e3", 1500.0),
    ("1.5", 1.5),
    (".5", 0.5),
    ("1.", 1.0),
    ("-2E-2", -0.02),
    ("1e3", 1000.0),
    (".inf", math.inf),
    ("-.Inf", -math.inf),
    ("+.INF", math.inf),
    ("2026-01-01", "2026-01-01"),
    ("2026-01-01 10:00:00", "2026-01-01 10:00:00"),
    ("=", "="),
    ("<<", "<<"),
    ("'010'", "010"),
    ('"true"', "true"),
    ("'  padded  '", "  padded  "),
    ("0.5 s", "0.5 s"),
]


@pytest.mark.parametrize(("source", "value"), SCALARS)
def test_yaml_12_core_scalars(source: str, value: object) -> None:
    got = load(f"v: {source}\n").data["v"]
    assert got == value
    assert type(got) is type(value)


def test_nan() -> None:
    for spelling in (".nan", ".NaN", ".NAN"):
        assert math.isnan(load(f"v: {spelling}\n").data["v"])


def test_strings_are_not_altered() -> None:
    doc = load('a: "  two  spaces\\t"\nb: |\n  line 1\n   line 2\nc: >-\n  folded\n  text\n')
    assert doc.data == {"a": "  two  spaces\t", "b": "line 1\n line 2\n", "c": "folded text"}


def test_mapping_order_and_types() -> None:
    doc = load("z: 1\na: [x, 2, {k: v}]\nm: {}\nl: []\n")
    assert list(doc.data) == ["z", "a", "m", "l"]
    assert doc.data == {"z": 1, "a": ["x", 2, {"k": "v"}], "m": {}, "l": []}


def test_scalar_root_loads_but_require_mapping_refuses() -> None:
    assert load("42\n").data == 42
    cases = [
        ("- a\n- b\n", "card.yaml:1:1: expected a mapping of fields at the top of the file, found a list"),
        ("just text\n", "card.yaml:1:1: expected a mapping of fields at the top of the file, found the text 'just text'"),
        ("\n\n3\n", "card.yaml:3:1: expected a mapping of fields at the top of the file, found the number 3"),
        ("null\n", "found nothing (null)"),
    ]
    for text, expected in cases:
        with pytest.raises(InputError) as info:
            require_mapping(load(text), "the file")
        assert expected in str(info.value)
    assert require_mapping(load("a: 1\n"), "the file") == {"a": 1}
    for what, place in [("card", "the card file"), ("tool library", "the tool library file"), ("", "the file")]:
        with pytest.raises(InputError) as info:
            require_mapping(load("[1]\n"), what)
        assert f"card.yaml:1:1: expected a mapping of fields at the top of {place}, found a list" == str(info.value)


def test_bom_is_accepted_and_stripped() -> None:
    doc = load(b"\xef\xbb\xbftitle: Morning\nsteps: [a]\n")
    assert doc.data == {"title": "Morning", "steps": ["a"]}
    assert doc.key_positions[("title",)] == Mark(1, 1)
    assert doc.positions[("steps", 0)] == Mark(2, 9)


def test_crlf_line_numbers() -> None:
    doc = load(b"a: 1\r\nb:\r\n  - x\r\n")
    assert doc.data == {"a": 1, "b": ["x"]}
    assert doc.positions[("b", 0)] == Mark(3, 5)
    assert "card.yaml:3:1: file is not UTF-8" in str(refusal(b"a: 1\r\nb: 2\r\n\xff"))


# --------------------------------------------------------------------------- positions

ROUTINE = """\
title: Morning
points:
  - name: Stand
    timing:
      hold_s: 30
      reps: [1, 2]
  - name: "Sit"
    timing: {hold_s: 5}
notes:
"""


def test_value_and_key_positions() -> None:
    doc = load(ROUTINE)
    assert doc.positions[()] == Mark(1, 1)
    assert doc.positions[("title",)] == Mark(1, 8)
    assert doc.key_positions[("points",)] == Mark(2, 1)
    assert doc.positions[("points",)] == Mark(3, 3)
    assert doc.positions[("points", 0)] == Mark(3, 5)
    assert doc.key_positions[("points", 0, "name")] == Mark(3, 5)
    assert doc.positions[("points", 0, "name")] == Mark(3, 11)
    assert doc.key_positions[("points", 0, "timing", "hold_s")] == Mark(5, 7)
    assert doc.positions[("points", 0, "timing", "hold_s")] == Mark(5, 15)
    assert doc.positions[("points", 0, "timing", "reps", 1)] == Mark(6, 17)
    assert doc.positions[("points", 1, "name")] == Mark(7, 11)
    assert doc.positions[("points", 1, "timing")] == Mark(8, 13)
    assert doc.positions[("points", 1, "timing", "hold_s")] == Mark(8, 22)
    assert doc.key_positions[("notes",)] == Mark(9, 1)
    assert doc.data["notes"] is None
    # every built value has a position, every mapping entry a key position
    assert set(doc.key_positions) <= set(doc.positions)
    assert len(doc.positions) == 15


def test_mark_falls_back_to_nearest_ancestor() -> None:
    doc = load(ROUTINE)
    assert doc.mark(("points", 1, "timing", "missing", 3)) == Mark(8, 13)
    assert doc.mark(("nope",)) == Mark(1, 1)
    assert doc.mark(()) == Mark(1, 1)


def test_document_problem() -> None:
    doc = load(ROUTINE)
    path = ("points", 0, "timing", "hold_s")
    assert str(doc.problem(path, "too long")) == "card.yaml:5:15: points[0].timing.hold_s: too long"
    assert str(doc.problem(path, "unknown field", key=True)) == "card.yaml:5:7: points[0].timing.hold_s: unknown field"
    # key=True on a list item (no key) falls back to the value mark
    assert str(doc.problem(("points", 1), "bad", key=True)) == "card.yaml:7:5: points[1]: bad"
    assert str(doc.problem(("points", 1, "colour"), "missing")) == "card.yaml:7:5: points[1].colour: missing"
    assert str(doc.problem((), "whole file")) == "card.yaml:1:1: whole file"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("title",), "title"),
        (("points", 0, "timing", "hold_s"), "points[0].timing.hold_s"),
        ((0, "a"), "[0].a"),
        (("a", "my key"), "a['my key']"),
        (("a", "x.y"), "a['x.y']"),
        (("a", "1"), "a.1"),
        (("hold-s",), "hold-s"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


# --------------------------------------------------------------------------- files


def test_load_yaml_file(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    target.write_bytes(b"title: x\n")
    doc = load_yaml_file(target, "shown.yaml")
    assert doc.data == {"title": "x"} and doc.file == "shown.yaml"
    assert load_yaml_file(target).file == str(target)  # outside cwd: shown as given


def test_load_yaml_file_default_display_is_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.yaml").write_bytes(b"a: [\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        load_yaml_file(tmp_path / "sub" / "r.yaml")
    assert str(info.value).startswith(os.path.join("sub", "r.yaml") + ":2:1: ")


def file_error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_yaml_file(path, "x.yaml")
    (problem,) = info.value.problems
    assert problem.file == "x.yaml"
    return str(problem)


def test_missing_file(tmp_path: Path) -> None:
    assert file_error(tmp_path / "nope.yaml") == "x.yaml: no such file"
    assert file_error(tmp_path / "nope" / "deeper.yaml") == "x.yaml: no such file"


def test_folder(tmp_path: Path) -> None:
    assert file_error(tmp_path) == "x.yaml: is a folder, expected a .yaml file"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions, non-root")
def test_unreadable_file(tmp_path: Path) -> None:
    target = tmp_path / "locked.yaml"
    target.write_bytes(b"a: 1\n")
    target.chmod(0)
    try:
        assert file_error(target).startswith("x.yaml: permission denied")
    finally:
        target.chmod(0o600)


def test_too_large_file_not_read(tmp_path: Path) -> None:
    target = tmp_path / "big.yaml"
    with target.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: cheap to make
    assert file_error(target) == f"x.yaml: file is too large ({MAX_BYTES + 1:,} bytes; the limit is {MAX_BYTES:,} bytes)"


def test_file_content_errors_are_located(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    target.write_bytes(b"a: 1\na: 2\n")
    assert file_error(target) == "x.yaml:2:1: a: duplicate key 'a' (first at line 1)"


# --------------------------------------------------------------------------- robustness

YAMLISH = st.lists(
    st.sampled_from(
        list("ab1 :-[]{},'\"\n\t#&*!|>?%@.\\") + ["\r", "---", "...", "\ufeff", "é", "\x00", "!!str", "<<: ", "0x", "~"]
    ),
    max_size=40,
).map(lambda parts: "".join(parts).encode("utf-8"))


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=120), YAMLISH))
def test_arbitrary_bytes_load_or_raise_input_error(raw: bytes) -> None:
    try:
        doc = load_yaml_bytes(raw, NAME)
    except InputError as exc:
        for problem in exc.problems:
            assert problem.file == NAME
            assert problem.line is not None and problem.line >= 1
            assert problem.column is not None and problem.column >= 1
    else:
        assert () in doc.positions


def test_os_errors_become_input_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs as root too: simulate the OS refusing the read."""
    target = tmp_path / "r.yaml"
    target.write_bytes(b"a: 1\n")

    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)
    assert file_error(target).startswith("x.yaml: permission denied")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "open", broken)
    assert file_error(target) == "x.yaml: cannot read the file: Input/output error"
