"""Prepare: the user's inputs -> one validated, resolved job (`Prepared`).

A card file or a patient file (with its base card), the command line's --only/--set, a
clinic file, the layout and the labels' language are read here, once, and checked
together: schema, cross-field rules, body-map sites, glyphs no font can print, and the
pictures they name. Everything after this stage (compose, fit, render, write) works on
the `Prepared` job and never reads an input file again.

Why one long module: it is the whole prepare stage (inputs -> one checked job), and its parts are
called in one order; the file format details live in loader, validate, patients, library and safety.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routinecard.assets import IMAGE_SUFFIXES, AssetError, CardAssets, resolve_asset
from routinecard.errors import InputError, Problem, display_path
from routinecard.placement import map_problems
from routinecard.fonts import FontSet, font_set
from routinecard.layouts import Layout, builtin_layout_list, load_layout
from routinecard.loader import Document, FieldPath, Located, load_referenced_file, load_yaml_file, require_mapping, walk_strings
from routinecard.locale import Locale, load_locale
from routinecard.model import Card, Clinic, Log, semantic_problems
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
from routinecard.resources import looks_like_path
from routinecard.tools import Tool, builtin_tools
from routinecard.validate import validate_document


@dataclass(frozen=True)
class Extras:
    """What is printed besides the card's own content: the clinic, who the card is for,
    the exercise log and the emergency number (compose reads it)."""

    clinic: Clinic | None = None
    clinic_logo: Path | None = None
    personal: Personal = field(default_factory=Personal)  # who the card is for, notes
    log: Log | None = None  # the patient file's, or the layout's
    emergency: str = ""


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
    name: str = field(init=False)  # the file the user gave, as they should see it

    def __post_init__(self) -> None:
        # Worked out here, once: later stages only read the job, they never call back into it.
        object.__setattr__(self, "name", display_path(self.input_file))

    @property
    def document(self) -> Document:
        return self.source.base


def glyph_problems(value: Any, locate: Located, fonts: FontSet, prefix: FieldPath = ()) -> list[Problem]:
    """Every character that no bundled font can print, named with its field."""
    problems = []
    for path, text in walk_strings(value, prefix):
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


def check_card(card: Card | None, source: CardSource, input_file: Path, *, allow: tuple[Path, ...] = (),
               personal: Personal | None = None, patient: PatientPlan | None = None,
               found: list[Problem] | None = None) -> LoadedCard:
    """Everything the schema cannot check: cross-field rules, safety (placeholders,
    hard-coded emergency words), glyphs, body-map sites and the files it names. With
    `card=None` (the schema refused it) the checks that work on the data still run, so
    every problem of the file is listed at once, with the schema's (`found`)."""
    from routinecard.safety import safety_problems

    problems = list(source.problems) + list(found or [])
    data = source.data
    problems += [source.problem(path, message) for path, message in semantic_problems(data, builtin_tools())]
    problems += [source.problem(path, message) for path, message in safety_problems(data)]
    problems += glyph_problems(data, source, font_set())
    if personal is not None and personal.source is not None:
        for path, text in personal.printed().items():
            problems += glyph_problems(text, personal.source, font_set(), path)
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


def validate_source(source: CardSource, input_file: Path, *, allow: tuple[Path, ...] = (),
                    personal: Personal | None = None, patient: PatientPlan | None = None) -> LoadedCard:
    """Validate the (possibly adapted) card data and everything that depends on it; every
    problem the file has is listed at once."""
    require_mapping(source.base, "card")
    card: Card | None = None
    found: list[Problem] = []
    try:
        card = validate_document(Card, source, source.data)
    except InputError as error:
        found = error.problems
    return check_card(card, source, input_file, allow=allow, personal=personal, patient=patient, found=found)


def model_document(card: Card, file: str = "<card>") -> Document:
    """A card given as a model (the Python API), as plain data without positions:
    problems found later name the field, not a line."""
    return Document(data=card.model_dump(mode="json", exclude_none=True), file=file, positions={}, key_positions={})


def load_input(
    path: Path | tuple[Document, Path] | None,
    *,
    allow: tuple[Path, ...] = (),
    only: list[str] | None = None,
    sets: dict[str, Any] | None = None,
    base: tuple[Document, Path] | None = None,
    language: str | None = None,
    preferred: str | None = None,
    model: Card | None = None,
) -> LoadedCard:
    """A card file or a patient file, in the language chosen by the language rule (see
    `routinecard.library`), with the command line's --only/--set applied.

    `base` (a card's document and file) replaces the card a patient file names: the API's
    `build_pdf(card, patient=...)` applies a patient file to a card it was given; with
    `path=None` it is the card itself. `language` is a language asked for (an error when
    the routine has no such version); `preferred` a clinic's preference (a notice).
    `model` is `base` as the validated `Card` it came from (the API's): while that card is
    the one printed, it is not validated a second time, only checked.
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
            base_doc, base_file = base if base is not None else (_load_card_file(plan.card_file), plan.card_file)
        elif base is not None:
            raise InputError(doc.problem((), "expected a patient file (with a `card:` field)"))
        else:
            base_doc, base_file = doc, path
    switched, given = base_file, base_doc
    base_doc, base_file, notice = _language_version(base_doc, base_file, language, preferred, plan, input_file)
    if plan is None and base_file is not switched and not input_file.name.startswith("<"):
        input_file = base_file  # a card file asked for in another language: messages name the version printed
    requested = language is not None or (plan is not None and plan.language is not None)
    if plan is not None:
        if model is None or base_doc is not given:
            require_mapping(base_doc, "card")
            validate_document(Card, base_doc)  # the base card's own mistakes, located in it
        source = apply_patient(plain_source(base_doc, base_file), plan)
    else:
        source = plain_source(base_doc, base_file)
    if only is not None or sets:
        source = adapt(source, only=only, skip=[], sets=sets or {}, where=command_line_document(only, sets or {}),
                       where_path=(), where_file=None)
    if model is not None and base_doc is given and plan is None and only is None and not sets:
        loaded = check_card(model, source, input_file, allow=allow)  # a validated model, printed as it is
    else:
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


def _load_card_file(path: Path) -> Document:
    """The card a patient file names: any path, so nothing is quoted until it is a card."""
    return load_referenced_file(path, "card", frozenset(Card.model_fields), required=frozenset({"id"}))


def clinic_file(reference: Path | str) -> Path:
    """A clinic file by path, or a built-in example clinic by name (`example-clinic`,
    shipped in the package so the README's examples work outside the repository)."""
    path = Path(reference)
    if path.exists() or looks_like_path(str(reference)):
        return path
    from routinecard.resources import data_dir

    try:
        builtin = data_dir("clinics") / f"{path.name}.yaml"
    except FileNotFoundError:
        return path
    return builtin if builtin.is_file() else path


def load_clinic(path: Path, *, allow: tuple[Path, ...] = (), named_by_file: bool = False) -> LoadedClinic:
    """Read and validate a clinic file (or a built-in example clinic by name); its logo is
    relative to it."""
    path = clinic_file(path)
    doc = load_referenced_file(path, "clinic", frozenset(Clinic.model_fields), redact=named_by_file)
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
        return load_clinic(path, allow=allow, named_by_file=True)
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
        if looks_like_path(reference):
            path = named_in.resolve().parent / reference
            if not path.is_file():
                raise InputError(Problem(f"no layout file {reference!r} (looked in {path.parent})"))
            return load_layout(path, named_by_file=True)
        return load_layout(reference)
    except InputError as error:
        if all(problem.file is None for problem in error.problems):
            raise InputError([document.problem(("layout",), problem.message) for problem in error.problems]) from None
        raise


def choose_locale(loaded: LoadedCard, clinic: LoadedClinic | None = None, asked: str | None = None) -> Locale:
    """The labels are always in the card's own language (the language rule chose the card's
    version already; see `routinecard.library`): never a mix. A card in a language with no
    label catalog is an error, not English labels around it."""
    try:
        return load_locale(loaded.card.language)
    except InputError as error:
        raise InputError(loaded.source.problem(("language",), error.problems[0].message)) from None


def output_stem(loaded: LoadedCard) -> str:
    """The PDF's file name without `.pdf`: the card's id (the patient file's name, as an
    id, for a patient file), then `.<language>` for any language but English, so the language
    versions of one routine never overwrite each other (`x.pdf`, `x.es.pdf`)."""
    from routinecard.library import output_stem as with_language

    stem = safe_stem(loaded.input_file.stem) if loaded.patient is not None else loaded.card.id
    return with_language(stem, loaded.card.language)


def safe_stem(name: str) -> str:
    """A file stem from a patient file's name: lowercase letters, digits and hyphens only,
    so no name can make a folder, climb out of one, or hide a file (`Jane Doe` -> `jane-doe`)."""
    import re

    cleaned = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return cleaned[:64].strip("-") or "card"


def extras_for(loaded: LoadedCard, clinic: LoadedClinic | None, layout: Layout) -> Extras:
    """What is printed besides the card itself: clinic, patient, notes, log, emergency number."""
    from routinecard.emergency import wording

    personal = loaded.personal or Personal()
    emergency = wording(loaded.card, clinic.clinic if clinic else None, load_locale(loaded.card.language)).number
    log = personal.log
    if log is None and layout.log:
        log = Log()
    return Extras(
        clinic=clinic.clinic if clinic else None,
        clinic_logo=clinic.logo if clinic else None,
        personal=personal,
        log=log,
        emergency=emergency,
    )


@dataclass(frozen=True)
class Prepared:
    """Everything one PDF is made from: the card, and the layout, clinic and language
    chosen for it (the command line's, else the patient file's, else the clinic's),
    what prints besides the card, and the layouts an overflow message may suggest."""

    loaded: LoadedCard
    layout: Layout
    clinic: LoadedClinic | None
    locale: Locale
    extras: Extras
    alternatives: tuple[Layout, ...] = ()
    notices: tuple[str, ...] = field(init=False)  # worth saying, not errors (shown unless --quiet)
    files: tuple[Path, ...] = field(init=False)  # every file this PDF is made from, for incremental builds

    def __post_init__(self) -> None:
        # Worked out here, once: later stages only read the job, they never call back into it.
        object.__setattr__(self, "notices", self.loaded.notices)
        object.__setattr__(self, "files", tuple(self._files()))

    def with_layout(self, layout: Layout) -> Prepared:
        """The same job on another layout (what prints besides the card may differ: a
        layout can ask for the exercise log)."""
        return Prepared(self.loaded, layout, self.clinic, self.locale,
                        extras_for(self.loaded, self.clinic, layout), self.alternatives)

    def splitting(self) -> Prepared:
        """The same job, allowed to print as a set of one-page cards (`--split`)."""
        layout = self.layout.model_copy(update={"split": True})
        layout._files = self.layout._files
        return Prepared(self.loaded, layout, self.clinic, self.locale, self.extras, self.alternatives)

    def _files(self) -> list[Path]:
        fonts = font_set()
        deps = [self.loaded.input_file, *self.layout.files, fonts.regular.path, fonts.bold.path]
        if self.loaded.patient is not None:
            deps.append(self.loaded.patient.card_file)
        if self.clinic is not None:
            deps.append(self.clinic.file)
            if self.clinic.logo:
                deps.append(self.clinic.logo)
        assets = self.loaded.assets
        deps += [assets.tools[p.tool].icon for p in self.loaded.card.points]
        deps += [p for p in [assets.logo, *assets.photos.values()] if p is not None]
        return deps


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
    model: Card | None = None,
) -> Prepared:
    """Load a card or patient file (unless already loaded) and choose what prints it.

    `language` is asked for: the routine's version in it, or an error. Without it, a clinic's
    language is a preference: its version when there is one, else the card's own with a
    notice (see `routinecard.library`). `base` is a card to use instead of the one a
    patient file names (or, with `source=None`, the card itself). The card's
    `{emergency}` words are filled in for the clinic's (or the routine's) country."""
    from routinecard.emergency import fill_card, wording
    from routinecard.library import same_language

    if isinstance(source, LoadedCard):
        loaded = source
    else:
        loaded = load_input(source, allow=allow, only=only, sets=sets, base=base, language=language, model=model)
    given = load_clinic(clinic, allow=allow) if isinstance(clinic, Path) else clinic
    chosen_clinic = clinic_for(loaded, given, allow)
    preferred = chosen_clinic.clinic.language if chosen_clinic is not None else None
    if (preferred is not None and not loaded.language_requested and not isinstance(source, LoadedCard)
            and not same_language(preferred, loaded.card.language)):
        loaded = load_input(source, allow=allow, only=only, sets=sets, base=base, preferred=preferred, model=model)
    locale = choose_locale(loaded, chosen_clinic, language)
    words = wording(loaded.card, chosen_clinic.clinic if chosen_clinic else None, locale)
    loaded = dataclasses.replace(loaded, card=fill_card(loaded.card, words))
    chosen_layout = choose_layout(loaded, chosen_clinic, layout)
    return Prepared(
        loaded,
        chosen_layout,
        chosen_clinic,
        locale,
        extras_for(loaded, chosen_clinic, chosen_layout),
        builtin_layout_list(),
    )
