"""JSON Schemas for the YAML files people write: cards, patients, clinics and layouts.

The schemas are generated from the pydantic models, so they cannot drift from what
`routinecard check` accepts, and they describe the YAML *as written* (lengths like
'0.5in', ranges like [20, 30] or 20, colours like '#1f4e79'), not the parsed values.
Editors use them for completion, hover help (the field descriptions) and red squiggles:
each shipped YAML file starts with

    # yaml-language-server: $schema=../schema/card.schema.json

The committed copies in `schema/` at the top of the repository are regenerated with
`python -m routinecard.schema [FOLDER]`; a test fails when they are out of date.

The schema is a helper for editors, not the judge: a few checks need Python (min <= max
in a range, colour contrast, unique point ids, known tools, files that exist), so
`routinecard check` can still refuse a file the schema accepts. The reverse should not
happen for files our YAML loader reads (YAML 1.2 core schema: `2026-11-23` is text).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from routinecard.layouts import Layout
from routinecard.model import Card, Clinic, Patient
from routinecard.write import write_atomic

KINDS = ("card", "patient", "clinic", "layout")
DRAFT = "https://json-schema.org/draft/2020-12/schema"

_MODELS: dict[str, type[BaseModel]] = {"card": Card, "patient": Patient, "clinic": Clinic, "layout": Layout}

_DESCRIPTIONS = {
    "card": "A routinecard card (cards/*.yaml): one self-care routine, printed as a one-page card. "
    "Unknown keys are errors.",
    "patient": "A routinecard patient file (patients/*.yaml): a card from the library adapted for one "
    "person, without copying it. Unknown keys are errors.",
    "clinic": "A routinecard clinic file (clinics/*.yaml): who hands out the cards, shown in the header. "
    "Unknown keys are errors.",
    "layout": "A routinecard layout file (layouts/*.yaml): how a card is printed, never what it says. "
    "A file may set only some values: `extends` names the layout it starts from, and nested sections "
    "merge key by key. Lengths take a unit: pt, in, mm or cm ('0.5in', '12mm', '10pt'); 0 needs none. "
    "Unknown keys are errors.",
}

_EXTENDS = {
    "type": "string",
    "minLength": 1,
    "description": "The layout this file starts from: a built-in name (e.g. letter, a4) or a .yaml file "
    "relative to this one. Values written here replace the parent's.",
}

# pydantic writes numeric bounds it cannot attach to the number schema itself (a number
# behind a BeforeValidator, e.g. Marker.x) under their Python names; JSON Schema has its own.
_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}

_SCHEMA_MAPS = ("$defs", "properties", "patternProperties", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMAS = ("additionalProperties", "contains", "else", "if", "items", "not", "propertyNames", "then")


class _AsWritten(GenerateJsonSchema):
    """pydantic's generator without the auto-made property titles ('Hold S', 'Refers To').

    Editors show a title before the description in hover help; the key itself says it
    better. Model titles in `$defs` are kept.
    """

    def field_title_should_be_set(self, schema: Any) -> bool:  # a core schema or field
        return False


def _walk(schema: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    """Call `visit` on every (sub)schema, never on a mapping of property names."""
    if not isinstance(schema, dict):
        return
    visit(schema)
    for key in _SCHEMA_MAPS:
        for sub in schema.get(key, {}).values():
            _walk(sub, visit)
    for key in _SCHEMA_LISTS:
        for sub in schema.get(key, []):
            _walk(sub, visit)
    for key in _SCHEMAS:
        _walk(schema.get(key), visit)


def _tidy(schema: dict[str, Any]) -> None:
    for python_name, json_name in _BOUNDS.items():
        if python_name in schema:
            schema[json_name] = schema.pop(python_name)
    # dict[Id, X]: pydantic writes {patternProperties: {ID: X}}, which lets any other key
    # through unchecked; the models refuse such keys, so say "every key matches ID".
    patterns = schema.get("patternProperties")
    if patterns and len(patterns) == 1 and "additionalProperties" not in schema:
        (pattern, value), = patterns.items()
        schema["propertyNames"] = {**schema.get("propertyNames", {}), "pattern": pattern}
        schema["additionalProperties"] = value
        del schema["patternProperties"]


def _partial(schema: dict[str, Any]) -> None:
    """Layout files are merged over their parent, so no key is required and no default
    holds: a key left out takes the parent's value, not the model's default."""
    schema.pop("required", None)
    schema.pop("default", None)


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of file: card, patient, clinic or layout."""
    if kind not in _MODELS:
        raise ValueError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    generated = _MODELS[kind].model_json_schema(schema_generator=_AsWritten)
    _walk(generated, _tidy)
    if kind == "layout":
        _walk(generated, _partial)
        generated["properties"] = {"extends": dict(_EXTENDS), **generated["properties"]}
    generated["title"] = f"routinecard {kind}"
    generated["description"] = _DESCRIPTIONS[kind]
    return {"$schema": DRAFT, **generated}


def schema_text(kind: str) -> str:
    """The schema as committed in schema/<kind>.schema.json (stable: sorted keys, 2 spaces)."""
    return json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def write_schemas(folder: Path) -> list[Path]:
    """Write every kind's schema into `folder` (created if needed); returns the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = folder / schema_file_name(kind)
        write_atomic(path, schema_text(kind).encode("utf-8"))
        written.append(path)
    return written


def default_folder() -> Path:
    """schema/ at the top of a source checkout; else ./schema."""
    top = Path(__file__).resolve().parents[2]
    if (top / "pyproject.toml").is_file() and (top / "src" / "routinecard").is_dir():
        return top / "schema"
    return Path("schema")


if __name__ == "__main__":  # `python -m routinecard.schema [FOLDER]`; the CLI does the printing
    from routinecard.cli import schema_main

    raise SystemExit(schema_main())
