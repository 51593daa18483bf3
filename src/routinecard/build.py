"""The pipeline: load -> validate -> fit -> render -> write, and the public Python API.

`build_pdf` is a pure function from data to PDF bytes: nothing it does leaks into the
next call except process-wide caches of things that never change (fonts, the tool
library, built-in layouts, locale catalogs).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from routinecard.assets import IMAGE_SUFFIXES, AssetError, CardAssets, resolve_asset
from routinecard.compose import Extras, PagePlan, fit
from routinecard.errors import InputError, Problem, RoutineCardError, display_path
from routinecard.inputs import expand_inputs
from routinecard.figures.bodymap import map_problems
from routinecard.fonts import FontSet, font_set
from routinecard.layouts import Layout, load_layout
from routinecard.loader import Document, FieldPath, load_referenced_file, load_yaml_file, require_mapping
from routinecard.locale import Locale, load_locale
from routinecard.model import Card, Clinic, semantic_problems
from routinecard.patients import (
    CardSource,
    PatientPlan,
    Personal,
    adapt,
    apply_patient,
    command_line_document,
    is_patient_file,
    plain_source,
    read_patient,
)
from routinecard.render import Metadata, render_pdf
from routinecard.tools import Tool, builtin_tools
from routinecard.validate import validate_document


@dataclass(frozen=True)
class LoadedClinic:
    """A validated clinic file and its resolved logo."""

    clinic: Clinic
    document: Document
    file: Path
    logo: Path | None


@dataclass(frozen=True)
class LoadedCard:
    """A validated card (adapted for a patient, if a patient file was given), where each
    value was written, the files it names, and what the patient file adds."""

    card: Card
    source: CardSource
    assets: CardAssets
    input_file: Path
    personal: Personal | None = None
    patient: PatientPlan | None = None

    @property
    def name(self) -> str:
        """The file the user gave, as they should see it."""
        return display_path(self.input_file)

    @property
    def document(self) -> Document:
        return self.source.base


def _strings(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


def glyph_problems(value: Any, locate: Any, fonts: FontSet, prefix: FieldPath = ()) -> list[Problem]:
    """Every character that no bundled font can print, named with its field.

    `locate` is anything with `problem(path, message)`: a Document or a CardSource.
    """
    problems = []
    for path, text in _strings(value, prefix):
        missing = fonts.missing(text)
        if missing:
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            problems.append(
                locate.problem(
                    path,
                    f"no bundled font can print {shown}{more}; the card's fonts cover Latin, "
                    f"Greek and Cyrillic scripts",
                )
            )
    return problems


def resolve_assets(card: Card, source: CardSource, allow: tuple[Path, ...]) -> tuple[CardAssets, list[Problem]]:
    """Tool icons, logo and photos, each relative to the file that named it."""
    problems: list[Problem] = []

    def resolve(reference: str, path: FieldPath, suffixes: tuple[str, ...] = IMAGE_SUFFIXES) -> Path | None:
        try:
            return resolve_asset(reference, source.file_of(path), allowed=allow, suffixes=suffixes)
        except AssetError as error:
            problems.append(source.problem(path, str(error)))
            return None

    tools = dict(builtin_tools())
    for tool_id, definition in card.tools.items():
        icon = resolve(definition.icon, ("tools", tool_id, "icon"))
        if icon is not None:
            tools[tool_id] = Tool(tool_id, definition.name, icon)
    logo = resolve(card.logo, ("logo",)) if card.logo else None
    photos: dict[str, Path] = {}
    for index, point in enumerate(card.points):
        if point.photo:
            photo = resolve(point.photo, ("points", index, "photo"), (".png", ".jpg", ".jpeg"))
            if photo is not None:
                photos[point.id] = photo
    return CardAssets(tools, logo, photos), problems


def validate_source(source: CardSource, input_file: Path, *, allow: tuple[Path, ...] = (),
                    personal: Personal | None = None, patient: PatientPlan | None = None) -> LoadedCard:
    """Validate the (possibly adapted) card data and everything that depends on it."""
    require_mapping(source.base, "card")
    card = validate_document(Card, source, source.data)  # type: ignore[arg-type]
    problems = [source.problem(path, message) for path, message in semantic_problems(card, builtin_tools())]
    problems += [source.problem(path, message) for path, message in map_problems(card)]
    problems += glyph_problems(card.model_dump(), source, font_set())
    if personal is not None and personal.source is not None:
        texts = {"patient": {"name": personal.patient}, "clinician": personal.clinician,
                 "date": personal.date, "notes": personal.notes}
        problems += glyph_problems(texts, personal.source, font_set())
    assets, asset_problems = resolve_assets(card, source, allow)
    problems += asset_problems
    if problems:
        raise InputError(problems)
    return LoadedCard(card, source, assets, input_file, personal, patient)


def load_input(
    path: Path,
    *,
    allow: tuple[Path, ...] = (),
    only: list[str] | None = None,
    sets: dict[str, Any] | None = None,
    base: tuple[Document, Path] | None = None,
) -> LoadedCard:
    """A card file or a patient file, with the command line's --only/--set applied.

    `base` (a card's document and file) replaces the card a patient file names: the API's
    `build_pdf(card, patient=...)` applies a patient file to a card it was given.
    """
    doc = load_yaml_file(path)
    plan: PatientPlan | None = None
    if is_patient_file(doc):
        plan = read_patient(doc, path, find=base is None)
        base_doc, base_file = base if base is not None else (_load_card_file(plan.card_file), plan.card_file)
        validate_source(plain_source(base_doc, base_file), base_file, allow=allow)  # the base card first
        source = apply_patient(plain_source(base_doc, base_file), plan)
    elif base is not None:
        raise InputError(doc.problem((), "expected a patient file (with a `card:` field)"))
    else:
        source = plain_source(doc, path)
    if only is not None or sets:
        source = adapt(source, only=only, skip=[], sets=sets or {}, where=command_line_document(only, sets or {}),
                       where_path=(), where_file=None)
    return validate_source(source, path, allow=allow, personal=plan.personal if plan else None, patient=plan)


def _load_card_file(path: Path) -> Document:
    """The card a patient file names: any path, so nothing is quoted until it is a card."""
    return load_referenced_file(path, "card", frozenset(Card.model_fields), required=frozenset({"id"}))


def load_card(path: str | Path) -> Card:
    """Read and validate a card file. Raises `InputError` listing every problem."""
    return load_input(Path(path)).card


def load_clinic(path: Path, *, allow: tuple[Path, ...] = ()) -> LoadedClinic:
    """Read and validate a clinic file; its logo is relative to it."""
    doc = load_referenced_file(path, "clinic", frozenset(Clinic.model_fields))
    require_mapping(doc, "clinic")
    clinic = validate_document(Clinic, doc)
    problems = glyph_problems(clinic.model_dump(), doc, font_set())
    logo = None
    if clinic.logo:
        try:
            logo = resolve_asset(clinic.logo, path, allowed=allow)
        except AssetError as error:
            problems.append(doc.problem(("logo",), str(error)))
    if problems:
        raise InputError(problems)
    return LoadedClinic(clinic, doc, path, logo)


def clinic_for(loaded: LoadedCard, clinic: LoadedClinic | Path | None, allow: tuple[Path, ...] = ()) -> LoadedClinic | None:
    """The clinic to print: the one given, else the one the patient file names."""
    if isinstance(clinic, LoadedClinic):
        return clinic
    if clinic is not None:
        return load_clinic(Path(clinic), allow=allow)
    if loaded.patient is not None and loaded.patient.patient.clinic:
        # A clinic file is data, not a picture: it may live anywhere (usually ../clinics/);
        # its own logo must stay inside the clinic file's folder.
        reference = loaded.patient.patient.clinic
        path = (loaded.patient.file.resolve().parent / reference).resolve()
        if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
            raise InputError(loaded.patient.document.problem(("clinic",), f"no clinic file {reference!r} (looked in {path.parent})"))
        return load_clinic(path, allow=allow)
    return None


def choose_layout(loaded: LoadedCard, clinic: LoadedClinic | None, asked: Layout | str | Path | None) -> Layout:
    """--layout, else the patient file's, else the clinic's, else letter."""
    if isinstance(asked, Layout):
        return asked
    if asked is not None:
        return load_layout(asked)
    if loaded.patient is not None and loaded.patient.patient.layout:
        return _layout_near(loaded.patient.patient.layout, loaded.patient.file, loaded.patient.document)
    if clinic is not None and clinic.clinic.layout:
        return _layout_near(clinic.clinic.layout, clinic.file, clinic.document)
    return load_layout(None)


def _layout_near(reference: str, named_in: Path, document: Document) -> Layout:
    """A layout a patient or clinic file names, relative to that file. A problem that has
    no file of its own (an unknown name, a missing file) is said at that file's `layout:`."""
    try:
        if reference.endswith((".yaml", ".yml")) or "/" in reference or "\\" in reference:
            path = named_in.resolve().parent / reference
            if not path.is_file():
                raise InputError(Problem(f"no layout file {reference!r} (looked in {path.parent})"))
            return load_layout(path)
        return load_layout(reference)
    except InputError as error:
        if all(problem.file is None for problem in error.problems):
            raise InputError([document.problem(("layout",), problem.message) for problem in error.problems]) from None
        raise


def choose_locale(loaded: LoadedCard, clinic: LoadedClinic | None, asked: str | None) -> Locale:
    """--lang, else the patient file's language, else the clinic's, else the card's."""
    if asked:
        return load_locale(asked)
    if loaded.patient is not None and loaded.patient.patient.language:
        try:
            return load_locale(loaded.patient.patient.language)
        except InputError as error:
            raise InputError(loaded.patient.document.problem(("language",), error.problems[0].message)) from None
    if clinic is not None and clinic.clinic.language:
        try:
            return load_locale(clinic.clinic.language)
        except InputError as error:
            raise InputError(clinic.document.problem(("language",), error.problems[0].message)) from None
    try:
        return load_locale(loaded.card.language)
    except InputError:
        return load_locale("en")  # content in a language we have no labels for: English labels


@dataclass(frozen=True)
class BuiltCard:
    pdf: bytes
    plan: PagePlan
    layout: Layout
    card: Card


def build_loaded(
    loaded: LoadedCard,
    layout: Layout,
    *,
    clinic: LoadedClinic | None = None,
    locale: Locale | None = None,
    verify: bool | None = None,
) -> BuiltCard:
    """Fit and render one card. With `verify` (default: the ROUTINECARD_VERIFY
    environment variable), the PDF is read back and must show every word of the input."""
    locale = locale or choose_locale(loaded, clinic, None)
    extras = extras_for(loaded, clinic, layout)
    plan = fit(loaded.card, layout, font_set(), loaded.assets, card_name=loaded.name, locale=locale, extras=extras)
    author = clinic.clinic.name if clinic else (loaded.personal.clinician if loaded.personal and loaded.personal.clinician else "routinecard")
    metadata = Metadata(
        title=loaded.card.title,
        author=author,
        subject=loaded.card.summary,
        language=loaded.card.language,
    )
    pdf = render_pdf(plan, layout, metadata)
    if verify is None:
        verify = os.environ.get("ROUTINECARD_VERIFY", "") not in ("", "0")
    if verify:
        from routinecard.verify import expected_strings, verify_pdf

        clinic_info = clinic.clinic if clinic else None
        extra = {
            "patient.name": extras.patient,
            "clinician": extras.clinician,
            "date": extras.date,
            "notes": extras.notes,
            "clinic.name": clinic_info.name if clinic_info else None,
            "clinic.address": clinic_info.address if clinic_info else None,
            "clinic.phone": clinic_info.phone if clinic_info else None,
            "clinic.website": clinic_info.website if clinic_info else None,
        }
        tool_names = {tool_id: tool.name_in(locale.code) for tool_id, tool in loaded.assets.tools.items()}
        expected = expected_strings(loaded.card, locale, emergency=extras.emergency, tool_names=tool_names, extra=extra)
        verify_pdf(pdf, expected, card_name=loaded.name)
    return BuiltCard(pdf, plan, layout, loaded.card)


def extras_for(loaded: LoadedCard, clinic: LoadedClinic | None, layout: Layout) -> Extras:
    """What is printed besides the card itself: clinic, patient, notes, log, emergency number."""
    personal = loaded.personal or Personal()
    emergency = loaded.card.medical_attention.emergency_number
    if clinic is not None and clinic.clinic.emergency_number:
        emergency = clinic.clinic.emergency_number
    log = personal.log
    if log is None and layout.log:
        from routinecard.model import Log

        log = Log()
    return Extras(
        clinic=clinic.clinic if clinic else None,
        clinic_logo=clinic.logo if clinic else None,
        patient=personal.patient,
        clinician=personal.clinician,
        date=personal.date,
        notes=personal.notes,
        log=log,
        emergency=emergency or "",
    )


@dataclass(frozen=True)
class Prepared:
    """Everything one PDF is made from: the card, and the layout, clinic and language
    chosen for it (the command line's, else the patient file's, else the clinic's)."""

    loaded: LoadedCard
    layout: Layout
    clinic: LoadedClinic | None
    locale: Locale

    def build(self, *, verify: bool | None = None) -> BuiltCard:
        return build_loaded(self.loaded, self.layout, clinic=self.clinic, locale=self.locale, verify=verify)


def prepare(
    source: Path | LoadedCard,
    *,
    layout: Layout | str | Path | None = None,
    clinic: Path | LoadedClinic | None = None,
    language: str | None = None,
    only: list[str] | None = None,
    sets: dict[str, Any] | None = None,
    allow: tuple[Path, ...] = (),
) -> Prepared:
    """Load a card or patient file (unless already loaded) and choose what prints it."""
    loaded = source if isinstance(source, LoadedCard) else load_input(source, allow=allow, only=only, sets=sets)
    given = load_clinic(clinic, allow=allow) if isinstance(clinic, Path) else clinic
    chosen_clinic = clinic_for(loaded, given, allow)
    return Prepared(
        loaded,
        choose_layout(loaded, chosen_clinic, layout),
        chosen_clinic,
        choose_locale(loaded, chosen_clinic, language),
    )


def build_pdf(
    card: Card | str | Path | None,
    *,
    layout: Layout | str | Path | None = None,
    patient: str | Path | None = None,
    clinic: str | Path | None = None,
    language: str | None = None,
    verify: bool | None = None,
) -> bytes:
    """Build one card into PDF bytes.

    `card` is a validated `Card` (e.g. `Card.model_validate(data)`), or the path of a card
    file or of a patient file; `patient` a patient file to apply to `card` (with
    `card=None`, to the card the patient file names); `layout` a `Layout`, a built-in
    layout name or a layout file (default: the patient's, the clinic's, or letter);
    `clinic` a clinic file; `language` the labels' language. Raises `RoutineCardError`
    (`InputError` for bad input, `FitError` when it cannot fit one page).
    """
    base: tuple[Document, Path] | None = None
    if isinstance(card, Card):
        import json

        from routinecard.loader import load_yaml_bytes

        # Through the document path, so glyph, tool and map checks apply too.
        doc = load_yaml_bytes(json.dumps(card.model_dump(mode="json", exclude_none=True)).encode(), "<card>")
        base = (doc, Path.cwd() / "card.yaml")
    elif card is not None and patient is not None:
        base = (load_yaml_file(Path(card)), Path(card))
    source: Path | LoadedCard
    if patient is not None:
        source = load_input(Path(patient), base=base)
    elif base is not None:
        source = validate_source(plain_source(*base), Path("<card>"))
    elif card is not None:
        source = Path(card)
    else:
        raise TypeError("build_pdf needs a card, a patient file, or both")
    prepared = prepare(source, layout=layout, clinic=Path(clinic) if clinic is not None else None, language=language)
    return prepared.build(verify=verify).pdf


def write_atomic(target: Path, data: bytes, *, inputs: Iterable[Path] = ()) -> None:
    """Write `data` to `target` via a temporary file and a rename: never a half-written
    file, never over one of the inputs, never over a folder or a device. Any failure is an
    `OutputError` naming the path, with no temporary file left behind."""
    from routinecard.write import write_file

    write_file(target, data, protect=tuple(inputs))


__all__ = [
    "build_pdf",
    "load_card",
    "load_input",
    "load_clinic",
    "RoutineCardError",
    "BuiltCard",
    "LoadedCard",
    "write_atomic",
    "expand_inputs",
]
