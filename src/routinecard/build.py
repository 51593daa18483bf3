"""The pipeline: load -> validate -> fit -> render -> write, and the public Python API.

`build_pdf` is a pure function from data to PDF bytes: nothing it does leaks into the
next call except process-wide caches of things that never change (fonts, the tool
library, built-in layouts, locale catalogs).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Union

from routinecard.assets import IMAGE_SUFFIXES, AssetError, CardAssets, resolve_asset
from routinecard.compose import Extras, PagePlan, fit
from routinecard.errors import InputError, Problem, RoutineCardError, display_path
from routinecard.inputs import expand_inputs
from routinecard.figures.bodymap import map_problems
from routinecard.fonts import FontSet, font_set
from routinecard.layouts import Layout, load_layout
from routinecard.loader import Document, FieldPath, load_yaml_file, require_mapping
from routinecard.locale import Locale, load_locale
from routinecard.model import Card, Clinic, Patient, semantic_problems
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
    notices: tuple[str, ...] = ()  # e.g. a clinic's language preference that could not be met
    language_requested: bool = False  # --lang, language=, or the patient file chose the language

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
    """Validate the (possibly adapted) card data and everything that depends on it; every
    problem the file has is listed at once (checks that need a valid card run when it is)."""
    from routinecard.safety import safety_problems

    require_mapping(source.base, "card")
    problems = list(source.problems)
    card: Card | None = None
    try:
        card = validate_document(Card, source, source.data)  # type: ignore[arg-type]
    except InputError as error:
        problems += error.problems
    data = source.data
    problems += [source.problem(path, message) for path, message in semantic_problems(data, builtin_tools())]
    problems += [source.problem(path, message) for path, message in safety_problems(data)]
    problems += glyph_problems(data, source, font_set())
    if personal is not None and personal.source is not None:
        texts = {"patient": {"name": personal.patient}, "clinician": personal.clinician,
                 "date": personal.date, "notes": personal.notes}
        problems += glyph_problems(texts, personal.source, font_set())
    if card is None:
        raise InputError(_unique(problems))
    problems += [source.problem(path, message) for path, message in map_problems(card)]
    assets, asset_problems = resolve_assets(card, source, allow)
    problems += asset_problems
    if problems:
        raise InputError(_unique(problems))
    return LoadedCard(card, source, assets, input_file, personal, patient)


def _unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once, in the order found."""
    return list(dict.fromkeys(problems))


def load_input(
    path: Path | tuple[Document, Path] | None,
    *,
    allow: tuple[Path, ...] = (),
    only: list[str] | None = None,
    sets: dict[str, Any] | None = None,
    base: tuple[Document, Path] | None = None,
    language: str | None = None,
    preferred: str | None = None,
) -> LoadedCard:
    """A card file or a patient file, in the language chosen by the language rule (see
    `routinecard.library`), with the command line's --only/--set applied.

    `base` (a card's document and file) replaces the card a patient file names: the API's
    `build_pdf(card, patient=...)` applies a patient file to a card it was given; with
    `path=None` it is the card itself. `language` is a language asked for (an error when
    the routine has no such version); `preferred` a clinic's preference (a notice).
    """
    plan: PatientPlan | None = None
    if path is None:
        if base is None:
            raise TypeError("load_input needs a file or a base card")
        base_doc, base_file = base
        input_file = Path(base_doc.file) if base_doc.file.startswith("<") else base_file
    else:
        if isinstance(path, tuple):
            doc, path = path  # data standing for a file (the API's patient=mapping)
        else:
            doc = load_yaml_file(path)
        input_file = path
        refuse_other_kinds(doc)
        if is_patient_file(doc):
            plan = read_patient(doc, path, find=base is None)
            base_doc, base_file = base if base is not None else (load_yaml_file(plan.card_file), plan.card_file)
        elif base is not None:
            raise InputError(doc.problem((), "expected a patient file (with a `card:` field)"))
        else:
            base_doc, base_file = doc, path
    base_doc, base_file, notice = _language_version(base_doc, base_file, language, preferred, plan, input_file)
    requested = language is not None or (plan is not None and plan.language is not None)
    if plan is not None:
        validate_source(plain_source(base_doc, base_file), base_file, allow=allow)  # the base card first
        source = apply_patient(plain_source(base_doc, base_file), plan)
    else:
        source = plain_source(base_doc, base_file)
    if only is not None or sets:
        source = adapt(source, only=only, skip=[], sets=sets or {}, where=command_line_document(only, sets or {}),
                       where_path=(), where_file=None)
    loaded = validate_source(source, input_file, allow=allow, personal=plan.personal if plan else None, patient=plan)
    return dataclasses.replace(loaded, notices=(notice,) if notice else (), language_requested=requested)


def _language_version(doc: Document, file: Path, language: str | None, preferred: str | None,
                      plan: PatientPlan | None, input_file: Path) -> tuple[Document, Path, str | None]:
    """The routine's version in the language asked for (or preferred); see the rule in
    `routinecard.library`. Returns the card's document and file, and a notice."""
    from routinecard import library

    data = doc.data if isinstance(doc.data, dict) else {}
    card_id, own = data.get("id"), data.get("language", library.DEFAULT_LANGUAGE)
    if not isinstance(card_id, str) or not isinstance(own, str):
        return doc, file, None  # validation will say what is wrong with the card
    asked = language if language is not None else (plan.language if plan is not None else None)
    near = plan.file if plan is not None else file
    choice = library.choose_version(card_id, own, requested=asked, preferred=preferred,
                                    folders=library.library_folders(near), own_file=file)
    if choice.error is not None:
        if language is None and plan is not None:
            raise InputError(plan.document.problem(plan.language_field, choice.error))
        raise InputError(Problem(choice.error, file=display_path(input_file), field="language"))
    if choice.path is None or choice.path.resolve() == file.resolve():
        return doc, file, choice.notice
    return load_yaml_file(choice.path), choice.path, choice.notice


def refuse_other_kinds(doc: Document) -> None:
    """A clinic or layout file given where a card or patient file belongs: say what it is
    and which option takes it, instead of a list of missing card fields."""
    data = doc.data
    if not isinstance(data, dict) or "points" in data or "card" in data:
        return
    keys = set(data)
    if "name" in keys and keys & {"address", "phone", "website", "emergency_number", "country"} and "title" not in keys:
        raise InputError(doc.problem((), "this is a clinic file, not a card: give it with --clinic FILE "
                                         "(or `clinic:` in a patient file)"))
    if keys & {"page", "extends", "type", "colours", "figures", "columns"} and not keys & {"title", "id"}:
        raise InputError(doc.problem((), "this is a layout file, not a card: give it with --layout FILE "
                                         "(or `layout:` in a patient or clinic file)"))


def load_card(path: str | Path) -> Card:
    """Read and validate a card file. Raises `InputError` listing every problem."""
    return load_input(Path(path)).card


def load_clinic(path: Path, *, allow: tuple[Path, ...] = ()) -> LoadedClinic:
    """Read and validate a clinic file; its logo is relative to it."""
    doc = load_yaml_file(path)
    require_mapping(doc, "clinic")
    clinic = validate_document(Clinic, doc)
    problems = glyph_problems(clinic.model_dump(), doc, font_set())
    from routinecard.emergency import country_problem

    unknown_country = country_problem(clinic.country) if clinic.emergency_number is None else None
    if unknown_country:
        problems.append(doc.problem(("country",), unknown_country))
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
        return _layout_near(loaded.patient.patient.layout, loaded.patient.file)
    if clinic is not None and clinic.clinic.layout:
        return _layout_near(clinic.clinic.layout, clinic.file)
    return load_layout(None)


def _layout_near(reference: str, named_in: Path) -> Layout:
    if reference.endswith((".yaml", ".yml")) or "/" in reference:
        return load_layout((named_in.resolve().parent / reference))
    return load_layout(reference)


def choose_locale(loaded: LoadedCard, clinic: LoadedClinic | None = None, asked: str | None = None) -> Locale:
    """The labels are always in the card's own language (the language rule chose the card's
    version already; see `routinecard.library`): never a mix. A card in a language with no
    label catalog is an error, not English labels around it."""
    try:
        return load_locale(loaded.card.language)
    except InputError as error:
        raise InputError(loaded.source.problem(("language",), error.problems[0].message)) from None


def output_stem(loaded: LoadedCard) -> str:
    """The PDF's file name without `.pdf`: the card's id (the patient file's name for a
    patient file), then `.<language>` for any language but English, so the language
    versions of one routine never overwrite each other (`x.pdf`, `x.es.pdf`)."""
    from routinecard.library import output_stem as with_language

    stem = loaded.input_file.stem if loaded.patient is not None else loaded.card.id
    return with_language(stem, loaded.card.language)


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
    card, extras = printed(loaded, clinic, layout, locale)
    plan = fit(card, layout, font_set(), loaded.assets, card_name=loaded.name, locale=locale, extras=extras)
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
        expected = expected_strings(card, locale, emergency=extras.emergency, tool_names=tool_names, extra=extra)
        verify_pdf(pdf, expected, card_name=loaded.name)
    return BuiltCard(pdf, plan, layout, loaded.card)


def printed(loaded: LoadedCard, clinic: LoadedClinic | None, layout: Layout, locale: Locale) -> tuple[Card, Extras]:
    """The card as it prints (its `{emergency}` words filled in for the clinic's or the
    routine's country) and what prints around it."""
    from routinecard.emergency import fill_card, wording

    words = wording(loaded.card, clinic.clinic if clinic else None, locale)
    return fill_card(loaded.card, words), dataclasses.replace(extras_for(loaded, clinic, layout), emergency=words.number)


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

    @property
    def notices(self) -> tuple[str, ...]:
        """Things the user should know that are not errors (shown unless --quiet)."""
        return self.loaded.notices

    def build(self, *, verify: bool | None = None) -> BuiltCard:
        return build_loaded(self.loaded, self.layout, clinic=self.clinic, locale=self.locale, verify=verify)


def prepare(
    source: Path | tuple[Document, Path] | LoadedCard | None,
    *,
    layout: Layout | str | Path | None = None,
    clinic: Path | LoadedClinic | None = None,
    language: str | None = None,
    only: list[str] | None = None,
    sets: dict[str, Any] | None = None,
    allow: tuple[Path, ...] = (),
    base: tuple[Document, Path] | None = None,
) -> Prepared:
    """Load a card or patient file (unless already loaded) and choose what prints it.

    `language` is asked for: the routine's version in it, or an error. Without it, a clinic's
    language is a preference: its version when there is one, else the card's own with a
    notice. `base` is a card to use instead of the one a patient file names (or, with
    `source=None`, the card itself)."""
    if isinstance(source, LoadedCard):
        loaded = source
    else:
        loaded = load_input(source, allow=allow, only=only, sets=sets, base=base, language=language)
    given = load_clinic(clinic, allow=allow) if isinstance(clinic, Path) else clinic
    chosen_clinic = clinic_for(loaded, given, allow)
    preferred = chosen_clinic.clinic.language if chosen_clinic is not None else None
    if preferred is not None and not loaded.language_requested and not isinstance(source, LoadedCard):
        from routinecard.library import same_language

        if not same_language(preferred, loaded.card.language):
            loaded = load_input(source, allow=allow, only=only, sets=sets, base=base, preferred=preferred)
    return Prepared(
        loaded,
        choose_layout(loaded, chosen_clinic, layout),
        chosen_clinic,
        choose_locale(loaded, chosen_clinic, language),
    )


PatientInput = Union[str, Path, Mapping[str, Any], "Patient"]


def build_pdf(
    card: Card | str | Path | Mapping[str, Any] | None,
    *,
    layout: Layout | str | Path | None = None,
    patient: PatientInput | None = None,
    clinic: str | Path | None = None,
    language: str | None = None,
    verify: bool | None = None,
) -> bytes:
    """Build one card into PDF bytes.

    `card` is a validated `Card` (see `validate_card`), a mapping of card data, the path of a
    card file or of a patient file, or the id of a routine in the library
    (`build_pdf("sciatica-trigger-points", language="es")`). `patient` is applied to
    `card` (with `card=None`, to the card it names): a patient file's path, a mapping of
    patient-file data, or a `Patient` model. `layout` is a `Layout`, a built-in layout
    name or a layout file (default: the patient's, the clinic's, or letter); `clinic` a
    clinic file; `language` the language asked for: the routine's version in it, or an
    `InputError` listing the routine's languages. Relative paths are relative to the
    working folder. Raises `RoutineCardError` (`InputError` for bad input, `FitError`
    when it cannot fit one page).
    """
    base = _card_base(card) if card is not None else None
    source: Path | tuple[Document, Path] | None
    if patient is not None:
        source = _patient_file(patient)
        if card is not None and base is None:
            card_file = _card_path(card)
            base = (load_yaml_file(card_file), card_file)
    elif card is None:
        raise TypeError("build_pdf needs a card, a patient file, or both")
    elif base is not None:
        source = None
    else:
        source = _card_path(card)
    prepared = prepare(source, layout=layout, clinic=Path(clinic) if clinic is not None else None,
                       language=language, base=base if (patient is not None or source is None) else None)
    return prepared.build(verify=verify).pdf


def _card_path(card: object) -> Path:
    """A card given as text: a file, or else a routine id from the library."""
    from routinecard import library

    path = Path(str(card))
    if path.exists() or library.looks_like_path(str(card)):
        return path
    found = library.find(str(card))
    if found is None:
        known = ", ".join(library.known_ids()) or "none"
        raise InputError(Problem(f"no card file or routine id {str(card)!r}; routines in the library: {known}"))
    return found.path


def _card_base(card: object) -> tuple[Document, Path] | None:
    """A card given as data (a model or a mapping) as a document to validate and print;
    None for a card given by path or id."""
    import json

    if isinstance(card, Card):
        data: Any = card.model_dump(mode="json", exclude_none=True)
    elif isinstance(card, Mapping):
        data = dict(card)
    else:
        return None
    # Through the document path, so glyph, tool and map checks apply too.
    try:
        raw = json.dumps(data).encode()
    except (TypeError, ValueError) as error:
        raise InputError(Problem(f"the card data cannot be read: {error}", file="<card>")) from None
    return _data_document(raw, "<card>"), Path.cwd() / "card.yaml"


def _patient_file(patient: object) -> Path | tuple[Document, Path]:
    """A patient given as a path, a mapping or a `Patient` model. Data stands for a file
    `patient.yaml` in the working folder: paths in it are relative to the working folder."""
    import json

    from routinecard.model import Patient

    if isinstance(patient, (str, Path)):
        return Path(patient)
    if isinstance(patient, Patient):
        data: Any = patient.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        data["card"] = patient.card
    elif isinstance(patient, Mapping):
        data = dict(patient)
    else:
        raise TypeError("patient= takes a patient file's path, a mapping of its fields, or a Patient")
    try:
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise InputError(Problem(f"the patient data cannot be read: {error}", file="<patient>")) from None
    return _data_document(raw, "<patient>"), Path.cwd() / "patient.yaml"


def _data_document(raw: bytes, name: str) -> Document:
    """Data handed to the API as a document without lines: problems name `name` and the
    field path (`<card>: points[0].tool: ...`)."""
    import json

    return Document(data=json.loads(raw), file=name, positions={}, key_positions={})


def validate_card(data: Mapping[str, Any] | Card) -> Card:
    """Card data you already hold (a row from a database, a parsed JSON body) as a
    validated, frozen `Card`. Raises `InputError` whose `.problems` name each field
    (`<card>: points[0].timing.hold_s: the range is backwards...`), like the CLI's."""
    base = _card_base(data)
    assert base is not None
    return validate_source(plain_source(*base), base[1]).card


def write_atomic(target: Path, data: bytes, *, inputs: Iterable[Path] = ()) -> None:
    """Write `data` to `target` via a temporary file and a rename: never a half-written PDF,
    and never over one of the inputs."""
    resolved = target.resolve()
    for source in inputs:
        if source.resolve() == resolved:
            raise InputError(Problem(f"refusing to write the PDF over an input file: {display_path(target)}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a PDF is for sharing
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


__all__ = [
    "build_pdf",
    "validate_card",
    "load_card",
    "load_input",
    "load_clinic",
    "RoutineCardError",
    "BuiltCard",
    "LoadedCard",
    "write_atomic",
    "expand_inputs",
]
