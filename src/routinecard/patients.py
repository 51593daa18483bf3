"""Patient files: a base card adapted for one person, without copying it.

A patient file names a card (an id from the card library, or a path) and changes it:
keep `only` some points or `skip` some, `set` values by dotted path, add notes and extra
warning signs. The result is validated exactly like a card; every problem points at the
file and line that wrote the value (the patient file for what it changed, the card for
the rest). The same overlay serves the command line's `--only` and `--set`.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routinecard.errors import InputError, Problem, display_path
from routinecard.loader import Document, FieldPath, format_path
from routinecard.model import Card, Log, Patient
from routinecard import library
from routinecard.validate import model_at

LOCKED = ("medical_attention",)  # `set` may not touch the red flags; they can only be added to


@dataclass
class Override:
    """Where a value of the adapted card came from, if not from the base card."""

    doc: Document
    path: FieldPath
    file: Path | None  # the real file, for resolving relative image paths
    typed: str | None = None  # a `set` path as the user wrote it (with `*` resolved to the point's id)


@dataclass
class CardSource:
    """The adapted card's data, and where each part of it was written.

    Duck-types `loader.Document` for validation: `data` and `problem()`.
    """

    data: dict[str, Any]
    base: Document
    base_file: Path
    index_map: list[int]  # point index on the adapted card -> index in the base card
    overrides: dict[FieldPath, Override] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while adapting; reported with validation's

    @property
    def file(self) -> str:
        return self.base.file

    def _override(self, path: FieldPath) -> tuple[Override, FieldPath] | None:
        for cut in range(len(path), 0, -1):
            found = self.overrides.get(tuple(path[:cut]))
            if found is not None:
                return found, tuple(path[cut:])
        return None

    def base_path(self, path: FieldPath) -> FieldPath:
        if len(path) >= 2 and path[0] == "points" and isinstance(path[1], int) and path[1] < len(self.index_map):
            return ("points", self.index_map[path[1]], *path[2:])
        return tuple(path)

    def problem(self, path: FieldPath, message: str, *, key: bool = False) -> Problem:
        found = self._override(tuple(path))
        if found is not None:
            override, rest = found
            located = override.doc.problem(override.path + rest, message, key=key)
            field = format_path(tuple(path))
            if override.typed is not None:  # the path the user typed, not points[0]
                tail = format_path(rest) if rest else ""
                field = override.typed + ("" if not tail else tail if tail.startswith("[") else "." + tail)
                if located.file == COMMAND_LINE:
                    return Problem(message, None, None, None, f"--set {field}")
                field = f"set: {field}"
            return Problem(message, located.file, located.line, located.column, field)
        return self.base.problem(self.base_path(tuple(path)), message, key=key)

    def file_of(self, path: FieldPath) -> Path:
        """The file a value was written in: relative file names resolve against it."""
        found = self._override(tuple(path))
        if found is not None and found[0].file is not None:
            return found[0].file
        return self.base_file


@dataclass(frozen=True)
class Personal:
    """What a patient file prints besides the card: who it is for, notes, the log."""

    patient: str | None = None
    clinician: str | None = None
    date: str | None = None
    notes: str | None = None
    log: Log | None = None
    source: Document | None = None  # for locating glyph problems in these strings

    def printed(self) -> dict[FieldPath, str]:
        """The texts printed on the card, by their path in the patient file: the one list
        that the glyph check, the page and --verify all use."""
        texts: dict[FieldPath, str | None] = {("patient", "name"): self.patient, ("clinician",): self.clinician,
                                              ("date",): self.date, ("notes",): self.notes}
        return {path: text for path, text in texts.items() if text}


def plain_source(doc: Document, file: Path) -> CardSource:
    points = doc.data.get("points") if isinstance(doc.data, dict) else None
    count = len(points) if isinstance(points, list) else 0
    return CardSource(doc.data, doc, file, list(range(count)))


# -- finding the base card ---------------------------------------------------------------


def library_folders(near: Path | None) -> list[Path]:
    """Where card ids are looked up (see `routinecard.library`)."""
    return library.library_folders(near)


def find_card(reference: str, near: Path | None, language: str | None = None) -> Path | None:
    """A card file by path (relative to `near`) or by id in the library."""
    found = library.find(reference, near, language)
    return found.path if found is not None else None


def known_card_ids(near: Path | None) -> list[str]:
    return library.known_ids(near)


# -- applying the changes -----------------------------------------------------------------


def _point_ids(data: dict[str, Any]) -> list[str]:
    points = data.get("points")
    if not isinstance(points, list):
        return []
    return [p["id"] for p in points if isinstance(p, dict) and isinstance(p.get("id"), str)]


def adapt(
    source: CardSource,
    *,
    only: list[str] | None,
    skip: list[str],
    sets: dict[str, Any],
    where: Document,
    where_path: FieldPath,
    where_file: Path | None,
    extra_urgent: Sequence[str] = (),
    extra_soon: Sequence[str] = (),
    video: str | None = None,
) -> CardSource:
    """Return a new source with the points filtered and the values set.

    `where` is the document that asked for the changes (a patient file, or the command
    line), `where_path` the prefix of its `only`/`skip`/`set` keys in that document.
    """
    problems: list[Problem] = []
    data = copy.deepcopy(source.data)
    ids = _point_ids(data)
    known = ", ".join(ids)

    def check_ids(names: list[str], key: str) -> None:
        for index, name in enumerate(names):
            if name not in ids:
                message = f"no point {name!r} on this card; its points are: {known}"
                if where.file == COMMAND_LINE:
                    problems.append(Problem(message, None, None, None, f"--{key}"))
                else:
                    problems.append(where.problem(where_path + (key, index), message))

    if only is not None:
        check_ids(only, "only")
    check_ids(skip, "skip")
    keep = [i for i, pid in enumerate(ids) if (only is None or pid in only) and pid not in skip]
    if not keep:
        if not problems:
            key = "only" if only is not None else "skip"
            problems.append(Problem("leaves no points on the card", None, None, None, f"--{key}") if where.file == COMMAND_LINE
                            else where.problem(where_path + (key,), "leaves no points on the card"))
        keep = list(range(len(ids)))  # go on with every point, so every other problem is listed too

    index_map = [source.index_map[i] for i in keep]
    data["points"] = [data["points"][i] for i in keep]
    new_ids = [ids[i] for i in keep]
    overrides = {}
    for path, override in source.overrides.items():
        if path[:1] == ("points",) and len(path) > 1 and isinstance(path[1], int):
            if path[1] in keep:
                overrides[("points", keep.index(path[1]), *path[2:])] = override
        else:
            overrides[path] = override
    result = CardSource(data, source.base, source.base_file, index_map, overrides, list(source.problems))

    for dotted, value in sets.items():
        located = where_path + ("set", dotted)
        every = dotted.startswith("points.*.") or dotted == "points.*"
        for typed in ([dotted.replace("points.*", f"points.{pid}", 1) for pid in new_ids] if every else [dotted]):
            try:
                card_path = resolve_set_path(typed, data, new_ids, ids)
            except ValueError as error:
                problem = where.problem(located, str(error).replace(typed, dotted) if every else str(error), key=True)
                if where.file == COMMAND_LINE:
                    problem = Problem(problem.message, None, None, None, f"--set {dotted}")
                problems.append(problem)
                break  # one message for a `*` path, not one per point
            _assign(data, card_path, copy.deepcopy(value))
            result.overrides[card_path] = Override(where, located, where_file, typed)

    attention = data.get("medical_attention")
    for tier, extra, key in (("urgent", extra_urgent, "urgent"), ("soon", extra_soon, "soon")):
        if not extra:
            continue
        if isinstance(attention, dict) and isinstance(attention.get(tier), dict):
            items = attention[tier].setdefault("items", [])
            if isinstance(items, list):
                for index, item in enumerate(extra):
                    result.overrides[("medical_attention", tier, "items", len(items))] = Override(
                        where, where_path + ("medical_attention", key, index), where_file
                    )
                    items.append(item)
    if video is not None:
        data["video"] = video
        result.overrides[("video",)] = Override(where, where_path + ("video",), where_file)
    result.problems.extend(problems)
    return result


def resolve_set_path(dotted: str, data: dict[str, Any], ids: list[str], all_ids: list[str]) -> FieldPath:
    """'points.piriformis.timing.hold_s' -> ('points', 0, 'timing', 'hold_s'), checked
    against the card's fields; unknown names are errors listing the valid ones."""
    parts = dotted.split(".")
    if not dotted or any(not p for p in parts):
        raise ValueError(f"{dotted!r} is not a dotted path like points.piriformis.timing.hold_s")
    if parts[0] in LOCKED:
        raise ValueError(
            "the medical-attention box cannot be changed with set; add warning signs under "
            "medical_attention: {urgent: [...], soon: [...]} instead"
        )
    if parts[0] == "id":
        raise ValueError("a card's id cannot be changed")
    path: list[str | int] = []
    value: Any = data
    index = 0
    while index < len(parts):
        part = parts[index]
        if isinstance(value, list) and part.isdigit():
            position = int(part)
            if position >= len(value):
                raise ValueError(f"{'.'.join(parts[:index])} has {len(value)} items; {part} is past the end")
            path.append(position)
            value = value[position]
            index += 1
            continue
        if path == ["points"]:
            if part not in ids:
                why = " (left out by only/skip)" if part in all_ids else ""
                raise ValueError(f"no point {part!r} on this card{why}; its points are: {', '.join(ids)}")
            position = ids.index(part)
            path.append(position)
            value = value[position]
            index += 1
            continue
        parent = model_at(Card, tuple(path))
        if parent is None:
            raise ValueError(f"{'.'.join(parts[: index + 1])!r} is not a field that can be set")
        fields = list(parent.model_fields)
        if part not in fields:
            close = difflib.get_close_matches(part, fields, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"unknown field {part!r} in {'.'.join(parts[:index]) or 'the card'}; {hint}fields: {', '.join(fields)}")
        path.append(part)
        value = value.get(part) if isinstance(value, dict) else None
        index += 1
    return tuple(path)


def _assign(data: Any, path: FieldPath, value: Any) -> None:
    target = data
    for part in path[:-1]:
        if isinstance(part, int):
            target = target[part]
        else:
            if not isinstance(target.get(part), (dict, list)):
                target[part] = {}
            target = target[part]
    target[path[-1]] = value


# -- patient files --------------------------------------------------------------------------


def is_patient_file(doc: Document) -> bool:
    return isinstance(doc.data, dict) and "card" in doc.data and "points" not in doc.data


@dataclass(frozen=True)
class PatientPlan:
    """A validated patient file, its base card file, and what it adds.

    `language` is the language the patient file asked for: its `language:` field, else the
    language of the card version it named by path (or by an old `<id>-<lang>` id); None
    when it named the routine by id only. `language_field` locates that request."""

    patient: Patient
    document: Document
    file: Path
    card_file: Path
    personal: Personal
    language: str | None = None
    language_field: FieldPath = ("language",)


def read_patient(doc: Document, file: Path, *, find: bool = True) -> PatientPlan:
    """Validate a patient file and find its base card (unless `find` is False: the caller
    supplies the card)."""
    from routinecard.validate import validate_document

    patient = validate_document(Patient, doc)
    language: str | None = patient.language
    field_path: FieldPath = ("language",)
    card_file: Path | None = file
    if find:
        found = library.find(patient.card, file, patient.language)
        if found is None and patient.language is not None:
            found = library.find(patient.card, file)  # the routine exists; the language is checked later
        card_file = found.path if found is not None else None
        if found is not None and language is None and found.language is not None:
            language, field_path = found.language, ("card",)
    if card_file is None:
        ids = known_card_ids(file)
        raise InputError(
            doc.problem(("card",), f"no card {patient.card!r} in the card library; known cards: {', '.join(ids) or 'none'}")
        )
    log = patient.log if isinstance(patient.log, Log) else (Log() if patient.log else None)
    personal = Personal(
        patient=patient.patient.name if patient.patient else None,
        clinician=patient.clinician,
        date=patient.date,
        notes=patient.notes,
        log=log,
        source=doc,
    )
    return PatientPlan(patient, doc, file, card_file, personal, language, field_path)


def apply_patient(source: CardSource, plan: PatientPlan) -> CardSource:
    patient = plan.patient
    extra = patient.medical_attention
    return adapt(
        source,
        only=patient.only,
        skip=patient.skip,
        sets=patient.set,
        where=plan.document,
        where_path=(),
        where_file=plan.file,
        extra_urgent=list(extra.urgent) if extra else [],
        extra_soon=list(extra.soon) if extra else [],
        video=patient.video,
    )


COMMAND_LINE = "command line"


def command_line_document(only: list[str] | None, sets: dict[str, Any]) -> Document:
    """The command line's --only/--set as a document, so problems read `--set PATH: ...`."""
    data: dict[str, Any] = {}
    if only is not None:
        data["only"] = only
    data["set"] = sets
    return Document(data=data, file=COMMAND_LINE, positions={}, key_positions={})


__all__ = ["CardSource", "Personal", "PatientPlan", "adapt", "apply_patient", "read_patient", "find_card",
           "is_patient_file", "plain_source", "command_line_document", "display_path"]
