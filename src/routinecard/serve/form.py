"""The Customise form <-> the patient file a person would write.

The form is only ever turned into one thing: the text of a patient file (`to_yaml`).
Previews and downloads build that text; Save writes it; Open reads a patient file back
into the form (`from_patient`). So what the clinician sees, what is saved and what
`routinecard build` makes from the saved file are the same card, byte for byte.

`to_yaml` also remembers which line of the text each form field wrote, so a `Problem`
the pipeline reports (file:line:col: field: message) is shown beside the field that
caused it (`place_problems`).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from routinecard.errors import Problem
from routinecard.serve.library import Library, NotInLibrary, Routine, Translation

Range = tuple[int, int]
DOSE_FIELDS = ("amount", "repeats", "often")  # the form's three dose columns
DOSE_LABELS = {"amount": "How long", "repeats": "Repeats", "often": "How often"}
FIELD_LABELS = {  # a Timing field as the form names it
    "hold_s": "Hold (seconds)", "hold_min": "Hold (minutes)", "roll_s": "Roll (seconds)",
    "roll_min": "Roll (minutes)", "stroke_s": "Stroke (seconds)", "stroke_min": "Stroke (minutes)",
    "rolls": "Rolls", "strokes": "Strokes", "repeats": "Repeats", "per_day": "Times a day",
    "per_week": "Times a week", "every_other_day": "Every other day",
}
SIDES = ("right", "left", "both")
_SET_DOSE = re.compile(r"^points\.([a-z0-9]+(?:-[a-z0-9]+)*)\.timing\.([a-z_]+)$")
_SET_SIDE = re.compile(r"^points\.([a-z0-9]+(?:-[a-z0-9]+)*)\.side$")
_PLAIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ0-9 .,'()/-]*$")
_WORDS_YAML_READS_OTHERWISE = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}
_FIELD_PATH = re.compile(r"^points\[(\d+)\]\.(?:timing\.([a-z_]+)|(side))")


@dataclass
class PointForm:
    """One point's row in the form: kept or not, its dose and side."""

    id: str
    name: str
    keep: bool
    fields: dict[str, str]  # dose column -> the card's Timing field ("" when the form cannot change it)
    dose: dict[str, Range | None]
    side: str
    card_dose: dict[str, Range | None]
    card_side: str

    def label(self, column: str) -> str:
        return FIELD_LABELS.get(self.fields[column], DOSE_LABELS[column])

    def column_of(self, timing_field: str) -> str | None:
        return next((c for c, f in self.fields.items() if f and f == timing_field), None)


@dataclass
class FormState:
    """Everything the Customise form holds."""

    routine: str
    language: str
    patient: str = ""
    clinician: str = ""
    date: str = ""
    clinic: str = ""
    layout: str = ""
    notes: str = ""
    urgent: list[str] = field(default_factory=list)
    soon: list[str] = field(default_factory=list)
    points: list[PointForm] = field(default_factory=list)
    file_name: str = ""
    opened: str = ""  # the patient file this form was opened from, if any
    kept: dict[str, Any] = field(default_factory=dict)  # what the form has no field for, kept as written
    card_ref: str = ""
    languages: tuple[str, ...] = ("en",)  # the routine's languages: with a choice, the file names its pick

    def point(self, point_id: str) -> PointForm | None:
        return next((p for p in self.points if p.id == point_id), None)


# -- building a form -----------------------------------------------------------------------


def _points_of(translation: Translation) -> list[PointForm]:
    rows = []
    for p in translation.points:
        often = p.often_field if p.often_field != "every_other_day" else ""
        dose: dict[str, Range | None] = {"amount": p.amount, "repeats": p.repeats, "often": p.often}
        rows.append(PointForm(
            id=p.id, name=p.name, keep=True, fields={"amount": p.amount_field, "repeats": "repeats", "often": often},
            dose=dict(dose), side=p.side, card_dose=dose, card_side=p.side,
        ))
    return rows


def new_form(routine: Routine, language: str | None = None, *, clinic: str = "") -> FormState:
    """A fresh form for `routine`: every point kept, the card's own dose, today's date."""
    language = language if language in routine.translations else routine.languages[0]
    translation = routine.translation(language)
    return FormState(
        routine=routine.id, language=language, date=_dt.date.today().isoformat(), clinic=clinic,
        points=_points_of(translation), card_ref=translation.card_id, languages=tuple(routine.languages),
    )


def _range(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"\d{1,4}", text) else None


def from_request(data: Mapping[str, str], lists: Mapping[str, list[str]], library: Library) -> FormState:
    """The posted form (field name -> value; `lists` for repeated names) as a FormState.

    Values a browser can send but the form never offers (an unknown routine, clinic or
    language) raise NotInLibrary.
    """
    routine = library.routine(data.get("routine", ""))
    language = data.get("language") or routine.languages[0]
    translation = routine.translation(language)
    clinic = data.get("clinic", "")
    if clinic:
        library.clinic(clinic)
    state = FormState(
        routine=routine.id,
        language=language,
        patient=data.get("patient", "").strip(),
        clinician=data.get("clinician", "").strip(),
        date=data.get("date", "").strip(),
        clinic=clinic,
        layout=data.get("layout", ""),
        notes=data.get("notes", "").strip().replace("\r\n", "\n"),
        urgent=_lines(data.get("urgent", "")),
        soon=_lines(data.get("soon", "")),
        points=_points_of(translation),
        file_name=data.get("file_name", "").strip(),
        opened=data.get("opened", ""),
        card_ref=translation.card_id,
        languages=tuple(routine.languages),
    )
    kept = data.get("kept", "")
    if kept:
        try:
            loaded = json.loads(kept)
        except ValueError:
            loaded = {}
        state.kept = loaded if isinstance(loaded, dict) else {}
    ticked = set(lists.get("keep", []))
    for point in state.points:
        point.keep = point.id in ticked
        for name in DOSE_FIELDS:
            if point.fields[name]:
                point.dose[name] = _posted(data, f"{name}.{point.id}", point.dose[name])
        side = data.get(f"side.{point.id}", point.card_side)
        point.side = side if side in SIDES else point.card_side
    if data.get("apply_all") and state.points:
        first = state.points[0]
        for name in DOSE_FIELDS:
            value = _posted(data, f"all.{name}", None)
            if value is None:
                continue
            for point in state.points:  # only points that count in the same unit
                if point.fields[name] and point.fields[name] == first.fields[name]:
                    point.dose[name] = value
    return state


def _posted(data: Mapping[str, str], name: str, unchanged: Range | None) -> Range | None:
    """A range from its two boxes: one box filled means that one number; both empty
    means "not given" (the card's own value stays, or an optional field stays out)."""
    if f"{name}.min" not in data and f"{name}.max" not in data:
        return unchanged
    low = _range(data.get(f"{name}.min", ""))
    high = _range(data.get(f"{name}.max", ""))
    if low is None and high is None:
        return None
    return (low if low is not None else high or 0, high if high is not None else low or 0)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def suggested_file_name(state: FormState) -> str:
    """`patients/maria-lopez.yaml` for Maria Lopez (accents dropped), else the routine's id."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", state.patient).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60]
    return f"{slug or state.routine}.yaml"


# -- the patient file ------------------------------------------------------------------------


def _scalar(text: str) -> str:
    """A string as YAML: plain when it cannot be read as anything else, else quoted."""
    if _PLAIN.match(text) and text.lower() not in _WORDS_YAML_READS_OTHERWISE and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def _range_yaml(value: Range) -> str:
    return str(value[0]) if value[0] == value[1] else f"[{value[0]}, {value[1]}]"


def _value_yaml(value: Any) -> str:
    if isinstance(value, str):
        return _scalar(value)
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class PatientText:
    """A patient file's text, and which form field wrote each line (1-based)."""

    text: str
    lines: dict[int, str]


def to_yaml(state: FormState) -> PatientText:
    """The patient file a person would write for this form: only what differs from the card."""
    out: list[str] = []
    lines: dict[int, str] = {}

    def emit(text: str, field_name: str = "") -> None:
        out.append(text)
        if field_name:
            lines[len(out)] = field_name

    emit("# A patient file: the routine below, adapted for one patient.")
    emit(f"# Build it with: routinecard build patients/{state.file_name or suggested_file_name(state)}")
    emit(f"card: {state.card_ref}", "routine")
    if state.patient:
        emit(f"patient: {_scalar(state.patient)}", "patient")
    if state.clinician:
        emit(f"clinician: {_scalar(state.clinician)}", "clinician")
    if state.date:
        plain = re.fullmatch(r"\d{4}-\d{2}-\d{2}", state.date)
        emit(f"date: {state.date if plain else _scalar(state.date)}", "date")
    if state.clinic:
        emit(f"clinic: ../clinics/{state.clinic}", "clinic")
    if state.language != "en" or len(state.languages) > 1:
        # Said even for English when there is a choice: a clinic's language preference
        # must not turn the card the clinician previewed into another language.
        emit(f"language: {state.language}", "language")
    if state.layout:
        emit(f"layout: {state.layout}", "layout")
    kept_points = [p.id for p in state.points if p.keep]
    if len(kept_points) != len(state.points):
        emit(f"only: [{', '.join(kept_points)}]", "points")
    changes: list[tuple[str, str, str]] = []
    for point in state.points:
        if not point.keep:
            continue
        for name in DOSE_FIELDS:
            value = point.dose[name]
            if point.fields[name] and value is not None and value != point.card_dose[name]:
                changes.append((f"points.{point.id}.timing.{point.fields[name]}", _range_yaml(value), f"{name}.{point.id}"))
        if point.side != point.card_side:
            changes.append((f"points.{point.id}.side", point.side, f"side.{point.id}"))
    kept_sets = state.kept.get("set", {}) if isinstance(state.kept.get("set"), dict) else {}
    for dotted, kept_value in kept_sets.items():
        changes.append((str(dotted), _value_yaml(kept_value), "kept"))
    if changes:
        emit("set:")
        for dotted, text, field_name in changes:
            emit(f"  {dotted}: {text}", field_name)
    if state.notes:
        note_lines = state.notes.split("\n")
        if len(note_lines) == 1 or any(line != line.strip() or not line for line in note_lines):
            emit(f"notes: {_scalar(state.notes) if len(note_lines) == 1 else json.dumps(state.notes, ensure_ascii=False)}", "notes")
        else:
            emit("notes: |-", "notes")
            for line in note_lines:
                emit(f"  {line}", "notes")
    if state.urgent or state.soon:
        emit("medical_attention:                     # warning signs added for this patient")
        for tier, items in (("urgent", state.urgent), ("soon", state.soon)):
            if items:
                emit(f"  {tier}:", tier)
                for item in items:
                    emit(f"    - {_scalar(item)}", tier)
    for key, value in state.kept.items():
        if key != "set":
            emit(f"{key}: {_value_yaml(value)}", "kept")
    return PatientText("\n".join(out) + "\n", lines)


def from_patient(data: dict[str, Any], library: Library, opened: str) -> FormState:
    """A saved patient file (its parsed, validated data) back in the form.

    Only files the form can stand behind are opened: the card must be a routine in the
    library and the clinic a file in clinics/; anything else raises NotInLibrary.
    """
    reference = str(data.get("card", ""))
    found = library.routine_for_card(reference)
    if found is None:
        raise NotInLibrary(Problem(f"card: {reference!r} is not a routine in this library", field="routine"))
    routine, language = found
    language = str(data.get("language") or language)
    state = new_form(routine, language)
    state.date = ""
    state.opened = opened
    state.file_name = opened
    patient = data.get("patient")
    if isinstance(patient, dict):
        state.patient = str(patient.get("name", ""))
    elif isinstance(patient, str):
        state.patient = patient
    state.clinician = str(data.get("clinician") or "")
    state.date = str(data.get("date") or "")
    clinic = str(data.get("clinic") or "")
    if clinic:
        name = clinic.removeprefix("../clinics/")
        if name == clinic or "/" in name:
            raise NotInLibrary(Problem(f"clinic: {clinic!r} is not a file in clinics/", field="clinic"))
        library.clinic(name)
        state.clinic = name
    state.layout = str(data.get("layout") or "")
    state.notes = str(data.get("notes") or "")
    extra = data.get("medical_attention") or {}
    if isinstance(extra, dict):
        state.urgent = [str(x) for x in extra.get("urgent", [])]
        state.soon = [str(x) for x in extra.get("soon", [])]
    only = data.get("only")
    skip = data.get("skip") or []
    for row in state.points:
        row.keep = (only is None or row.id in only) and row.id not in skip
    sets = data.get("set") or {}
    kept_sets: dict[str, Any] = {}
    for dotted, value in sets.items():
        dose = _SET_DOSE.match(dotted)
        side = _SET_SIDE.match(dotted)
        named = dose or side
        point = state.point(named.group(1)) if named else None
        column = point.column_of(dose.group(2)) if point is not None and dose else None
        if point is not None and column is not None and isinstance(value, (int, list)):
            pair = (value, value) if isinstance(value, int) else tuple(value)
            if len(pair) == 2 and all(isinstance(v, int) for v in pair):
                point.dose[column] = (int(pair[0]), int(pair[1]))
                continue
        if point is not None and side and value in SIDES:
            point.side = str(value)
            continue
        kept_sets[dotted] = value
    if kept_sets:
        state.kept["set"] = kept_sets
    for key in ("log", "video"):
        if key in data and data[key] not in (None, False):
            state.kept[key] = data[key]
    return state


# -- problems beside their fields --------------------------------------------------------------


def place_problems(problems: tuple[Problem, ...] | list[Problem], state: FormState, text: PatientText,
                   draft_file: str) -> tuple[dict[str, list[str]], list[str]]:
    """Each problem under the form field that caused it; the rest (problems of the card
    itself, a card that does not fit) in a general list. Messages are the CLI's."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    kept_ids = [p.id for p in state.points if p.keep]
    for problem in problems:
        target = ""
        if problem.file == draft_file and problem.line is not None:
            target = text.lines.get(problem.line, "")
        if (not target or target == "kept") and problem.field:
            match = _FIELD_PATH.match(problem.field)
            if match and int(match.group(1)) < len(kept_ids):
                point = state.point(kept_ids[int(match.group(1))])
                column = "side" if match.group(3) else (point.column_of(match.group(2)) if point else None)
                if point is not None and column is not None:
                    target = f"{column}.{point.id}"
        if target in ("urgent", "soon", "notes", "patient", "clinician", "date", "clinic", "layout", "language",
                      "points", "routine") or "." in target:
            messages = by_field.setdefault(target, [])
            if problem.message not in messages:  # [80, 80]: one message, not one per number
                messages.append(problem.message)
        else:
            general.append(str(problem) if problem.file != draft_file else (
                f"{problem.field}: {problem.message}" if problem.field else problem.message))
    return by_field, general
