"""JSON Schemas for editors: committed copies in sync with the models, every shipped file
valid and pointing at its schema, and wrong documents refused by the schema *and* the app."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from routinecard.errors import InputError
from routinecard.layouts import load_layout
from routinecard.loader import load_yaml_file
from routinecard.model import Card, Clinic, Patient
from routinecard.cli import schema_main as main
from routinecard.schema import DRAFT, KINDS, schema_for, schema_text, write_schemas

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
FOLDERS = {"card": "cards", "patient": "patients", "clinic": "clinics", "layout": "layouts"}
SHIPPED = [(kind, path) for kind, folder in FOLDERS.items() for path in sorted((ROOT / folder).glob("*.yaml"))]
REGENERATE = "run `PYTHONPATH=src python -m routinecard.schema` (writes schema/) and commit the result"


def committed(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(committed(kind))


def schema_errors(kind: str, data: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator(kind).iter_errors(data)]


def shipped_data(relative: str) -> dict[str, Any]:
    """A shipped file as our loader reads it (YAML 1.2: dates stay text), safe to change."""
    return copy.deepcopy(load_yaml_file(ROOT / relative).data)


# -- the committed files ------------------------------------------------------------------


def test_kinds_match_the_folders() -> None:
    assert KINDS == tuple(FOLDERS)


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_is_up_to_date(kind: str) -> None:
    path = SCHEMA_DIR / f"{kind}.schema.json"
    assert path.is_file(), f"schema/{path.name} is missing: {REGENERATE}"
    assert schema_text(kind) == path.read_text(encoding="utf-8"), f"schema/{path.name} is out of date: {REGENERATE}"


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_a_valid_2020_12_schema_that_forbids_unknown_keys(kind: str) -> None:
    schema = committed(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT
    assert schema["title"] == f"routinecard {kind}" and schema["description"]
    for name, model in [("(top)", schema), *schema.get("$defs", {}).items()]:
        assert model["additionalProperties"] is False, f"{kind} {name} lets unknown keys through"


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_has_hover_help(kind: str) -> None:
    schema = committed(kind)
    for name, model in [("(top)", schema), *schema.get("$defs", {}).items()]:
        assert model.get("description"), f"{kind}: {name} has no description"
        for field, spec in model["properties"].items():
            assert spec.get("description"), f"{kind}: {name}.{field} has no description (Field(description=...))"
            assert "title" not in spec, f"{kind}: {name}.{field} has a generated title"


def test_output_is_stable_and_plain_json() -> None:
    for kind in KINDS:
        text = schema_text(kind)
        assert text == schema_text(kind)
        assert text.endswith("}\n") and "\r" not in text
        assert json.loads(text) == schema_for(kind)


def test_write_schemas_and_module_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    written = write_schemas(tmp_path / "a")
    assert [p.name for p in written] == [f"{kind}.schema.json" for kind in KINDS]
    assert all(p.read_text(encoding="utf-8") == schema_text(kind) for p, kind in zip(written, KINDS))
    assert main([str(tmp_path / "b")]) == 0
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(p.name for p in written)
    assert str(tmp_path / "b" / "card.schema.json") in capsys.readouterr().out


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind 'poster'; one of: card, patient, clinic, layout"):
        schema_for("poster")


# -- the shipped YAML files ---------------------------------------------------------------


def test_every_folder_ships_files() -> None:
    assert {kind for kind, _ in SHIPPED} == set(KINDS)


@pytest.mark.parametrize(("kind", "path"), SHIPPED, ids=[f"{p.parent.name}/{p.name}" for _, p in SHIPPED])
def test_shipped_file_is_valid(kind: str, path: Path) -> None:
    assert schema_errors(kind, load_yaml_file(path).data) == []


@pytest.mark.parametrize(("kind", "path"), SHIPPED, ids=[f"{p.parent.name}/{p.name}" for _, p in SHIPPED])
def test_shipped_file_names_its_schema_on_the_first_line(kind: str, path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    relative = f"../schema/{kind}.schema.json"
    assert first == f"# yaml-language-server: $schema={relative}"
    assert (path.parent / relative).resolve() == (SCHEMA_DIR / f"{kind}.schema.json").resolve()


# -- schema and app agree -----------------------------------------------------------------

Change = Callable[[dict[str, Any]], None]


def _set(*path: str | int, value: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(*path: str | int) -> Change:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _rename(*path: str | int, to: str) -> Change:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[to] = target.pop(path[-1])

    return change


BASE = {
    "card": "cards/sciatica-trigger-points.yaml",
    "patient": "patients/example-jane.yaml",
    "clinic": "clinics/example-clinic.yaml",
    "layout": "layouts/letter.yaml",
}


def app_accepts(kind: str, data: dict[str, Any], tmp_path: Path) -> bool:
    """Does routinecard itself accept `data` (the model; for layouts, the file loader)?"""
    if kind == "layout":
        path = tmp_path / "layout.yaml"
        path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
        try:
            load_layout(str(path))
        except InputError:
            return False
        return True
    model = {"card": Card, "patient": Patient, "clinic": Clinic}[kind]
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


WRONG: list[tuple[str, str, Change]] = [
    ("card", "unknown key", _rename("title", to="titel")),
    ("card", "unknown nested key", _rename("points", 0, "refers_to", to="refer_to")),
    ("card", "pressure 11", _set("points", 0, "pressure", "max", value=11)),
    ("card", "pressure as text", _set("points", 0, "pressure", "min", value="3")),
    ("card", "three numbers in a range", _set("points", 0, "timing", "hold_s", value=[20, 30, 40])),
    ("card", "range below 1", _set("points", 0, "timing", "repeats", value=0)),
    ("card", "range as text", _set("points", 0, "timing", "per_day", value="2")),
    ("card", "marker x as yes/no", _set("points", 0, "marker", value={"view": "back", "x": True, "y": 500})),
    ("card", "marker off the map", _set("points", 0, "marker", value={"view": "back", "x": 400, "y": 2500})),
    ("card", "unknown view", _set("points", 0, "marker", value={"view": "posterior", "x": 400, "y": 500})),
    ("card", "unknown site", _set("points", 0, "site", value="piriformus")),
    ("card", "blank title", _set("title", value="   ")),
    ("card", "missing summary", _drop("summary")),
    ("card", "no points", _set("points", value=[])),
    ("card", "bad point id", _set("points", 0, "id", value="Piriformis Muscle")),
    ("card", "bad tool key", _set("tools", value={"Big Ball": {"name": "Ball", "icon": "ball.svg"}})),
    ("card", "video without https", _set("video", value="youtube.com/watch?v=x")),
    ("card", "language as a word", _set("language", value="English")),
    ("card", "number as a step", _set("points", 0, "steps", value=[1])),
    ("patient", "unknown key", _rename("card", to="cards")),
    ("patient", "log with 7 sessions", _set("log", value={"sessions": 7})),
    ("patient", "bad point id in only", _set("only", value=["Piriformis"])),
    ("patient", "set as a list", _set("set", value=["points.piriformis.side"])),
    ("clinic", "unknown key", _set("fax", value="123")),
    ("clinic", "missing name", _drop("name")),
    ("clinic", "emergency number as a number", _set("emergency_number", value=911)),
    ("layout", "unknown key", _rename("page", "size", to="sise")),
    ("layout", "length without unit", _set("gap", value="7")),
    ("layout", "bare number length", _set("type", "body", value=11)),
    ("layout", "unknown unit", _set("page", "margin", value="10px")),
    ("layout", "negative length", _set("gap", value="-2pt")),
    ("layout", "margin side without unit", _set("page", "margin", value={"top": "1in", "right": "1in", "bottom": "1in", "left": "1"})),
    ("layout", "colour as a word", _set("colours", "accent", value="red")),
    ("layout", "short colour", _set("colours", "text", value="#111")),
    ("layout", "unknown paper", _set("page", "size", value="a2")),
    ("layout", "5 columns", _set("columns", value=5)),
    ("layout", "sections without medical_attention", _set("sections", value=["header", "points"])),
    ("layout", "a section twice", _set("sections", value=["header", "medical_attention", "header"])),
    ("layout", "figure size as yes", _set("figures", "icon", value=True)),
    ("layout", "figure size as no (not 0)", _set("figures", "closeup", value=False)),
]


@pytest.mark.parametrize(("kind", "why", "change"), WRONG, ids=[f"{k}: {w}" for k, w, _ in WRONG])
def test_wrong_document_is_refused_by_schema_and_app(kind: str, why: str, change: Change, tmp_path: Path) -> None:
    data = shipped_data(BASE[kind])
    change(data)
    assert schema_errors(kind, data), f"the {kind} schema accepts a document with {why}"
    assert not app_accepts(kind, data, tmp_path), f"routinecard accepts a {kind} with {why}: not a real error"


RIGHT: list[tuple[str, str, Change]] = [
    ("card", "one number for a range", _set("points", 0, "timing", "hold_s", value=30)),
    ("card", "whole-number marker", _set("points", 0, "marker", value={"view": "back", "x": 410, "y": 540})),
    ("card", "a site on another view", _set("points", 0, "site", value="gluteus-medius")),
    ("card", "a card tool", _set("tools", value={"massage-stick": {"name": "Stick", "icon": "stick.svg"}})),
    ("card", "a video", _set("video", value="https://example.org/routine")),
    ("card", "a step over two lines", _set("points", 0, "steps", value=["Lie down.\nBreathe out."])),
    ("patient", "log as a mapping", _set("log", value={"sessions": 2, "lines": 0})),
    ("patient", "any value in set", _set("set", value={"points.piriformis.timing": {"hold_s": 30}, "title": "Mine"})),
    ("patient", "skip and notes", _set("notes", value="Left side only.")),
    ("clinic", "only a name", lambda data: [data.pop(k) for k in list(data) if k != "name"]),
    ("layout", "one margin of 0", _set("page", "margin", value=0)),
    ("layout", "four margins", _set("page", "margin", value={"top": "1cm", "right": "10mm", "bottom": "0.5in", "left": 0})),
    ("layout", "spaces around a length", _set("gap", value=" 6 pt ")),
    ("layout", "upper-case colour", _set("colours", "accent", value="#1F4E79")),
    ("layout", "close-ups left out", _set("figures", "closeup", value="0pt")),
    ("layout", "a partial file", lambda data: (data.clear(), data.update({"extends": "letter", "type": {"body": "12pt"}}))),
    ("layout", "a pocket sheet", _set("page", value={"size": "half-letter", "sheet": {"size": "letter"}})),
]


@pytest.mark.parametrize(("kind", "why", "change"), RIGHT, ids=[f"{k}: {w}" for k, w, _ in RIGHT])
def test_right_document_is_accepted_by_schema_and_app(kind: str, why: str, change: Change, tmp_path: Path) -> None:
    data = shipped_data(BASE[kind])
    change(data)
    assert app_accepts(kind, data, tmp_path), f"routinecard refuses a {kind} with {why}"
    assert schema_errors(kind, data) == [], f"the {kind} schema refuses a document with {why}"
