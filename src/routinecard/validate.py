"""Turn pydantic's validation errors into located, plain-words problems.

pydantic knows *what* is wrong and the path to it; the loader knows *where* each path is
in the file. This module joins the two and rewrites messages for people who write YAML,
not Python (e.g. "unknown field 'nmae'; did you mean 'name'?").
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from routinecard.errors import InputError, Problem
from routinecard.loader import Located

M = TypeVar("M", bound=BaseModel)


def validate_document(model: type[M], doc: Located, data: Any = None) -> M:
    """Validate `doc.data` (or `data`, already derived from it) as `model`, or raise InputError."""
    try:
        return model.model_validate(doc.data if data is None else data)
    except ValidationError as error:
        raise InputError(problems_from(error, model, doc)) from None


def problems_from(error: ValidationError, model: type[BaseModel], doc: Located) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[tuple[Any, ...], str]] = set()
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        kind = item["type"]
        if kind == "extra_forbidden":
            message = _unknown_field_message(model, loc)
            problem = doc.problem(loc, message, key=True)
        elif kind == "missing":
            problem = doc.problem(loc[:-1], f"missing required field {loc[-1]!r}")
            problem = Problem(problem.message, problem.file, problem.line, problem.column, _fmt(loc))
        else:
            problem = doc.problem(loc, _friendly(item))
        key = (loc, problem.message)
        if key not in seen:
            seen.add(key)
            problems.append(problem)
    return problems


def _fmt(loc: tuple[Any, ...]) -> str:
    from routinecard.loader import format_path

    return format_path(loc)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"text {text!r}"
    return repr(value)


def _friendly(item: Any) -> str:
    """pydantic's message, reworded where a YAML author would not understand it."""
    kind: str = item["type"]
    ctx = item.get("ctx") or {}
    value = item.get("input")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, found {_describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false (YAML 1.2: yes, no, on and off are text), found {_describe(value)}"
    if kind in ("string_type",):
        return f"expected text, found {_describe(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, found {_describe(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields, found {_describe(value)}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, found {value!r}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, found {value!r}"
    if kind == "too_short":
        if isinstance(value, (list, tuple)) and "tuple" in str(item.get("msg", "")).lower():
            return "needs two numbers: [smallest, largest]"
        need = ctx.get("min_length")
        return f"needs at least {need} item{'s' if need != 1 else ''}"
    if kind == "too_long":
        if "tuple" in str(item.get("msg", "")).lower():
            return "needs two numbers: [smallest, largest]"
        return f"has {ctx.get('actual_length')} items; at most {ctx.get('max_length')} are allowed"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "a-z]{2,3}" in pattern:
            return f"{_describe(value)} is not a language code: write a code like 'en', 'es' or 'pt-BR'"
        if "A-Z]{2}" in pattern:
            return f"{_describe(value)} is not a country code: write a two-letter code like 'US', 'GB' or 'ES'"
        if "a-z0-9" in pattern:
            return f"{_describe(value)} is not a valid id: use lowercase letters, digits and hyphens, like 'tennis-ball'"
        if "a-z]{2,3}" in pattern:
            return f"{_describe(value)} is not a language code like 'en' or 'es'"
        return f"{_describe(value)} does not have the expected form"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind == "value_error":
        message = str(item.get("msg", ""))
        return message.removeprefix("Value error, ")
    return str(item.get("msg", kind))


def _unknown_field_message(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    name = str(loc[-1])
    parent = model_at(model, loc[:-1])
    if parent is None:
        return f"unknown field {name!r}"
    fields = list(parent.model_fields)
    close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
    if close:
        return f"unknown field {name!r}; did you mean {close[0]!r}?"
    return f"unknown field {name!r}; known fields: {', '.join(fields)}"


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated, Optional and list[...] down to the model class, if any."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, tuple, dict):
            args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
            annotation = args[-1] if args else Any
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        else:
            return annotation


def model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # list index: the item type is already unwrapped
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _unwrap(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None
