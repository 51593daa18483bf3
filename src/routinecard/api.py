"""The public Python API, and the one path every front end takes:
prepare -> fit (compose) -> render [-> verify].

`build_pdf` is a pure function from data to PDF bytes: nothing it does leaks into the
next call except process-wide caches of things that never change (fonts, the tool
library, built-in layouts, locale catalogs).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from typing import Any, TypeVar, Union

from routinecard.errors import InputError, Problem, RoutineCardError
from routinecard.fit import PagePlan, fit_pages
from routinecard.fonts import font_set
from routinecard.inputs import expand_inputs
from routinecard.layouts import Layout
from routinecard.loader import Document, load_yaml_file
from routinecard.model import Card, Patient
from routinecard.patients import plain_source
from routinecard.prepare import LoadedCard, Prepared, load_input, model_document, prepare, validate_source
from routinecard.render import Metadata, render_pdf
from routinecard.write import write_atomic


@dataclass(frozen=True)
class BuiltCard:
    pdf: bytes
    plans: list[PagePlan]  # one per card: one, or a set of whole one-page cards
    layout: Layout
    card: Card

    @property
    def plan(self) -> PagePlan:
        """The first (usually the only) card's plan."""
        return self.plans[0]


def fit_prepared(prepared: Prepared) -> list[PagePlan]:
    """The page plans: the prepared card fitted to one page of its layout, or (when the
    layout splits) to a set of whole one-page cards."""
    loaded = prepared.loaded
    return fit_pages(loaded.card, prepared.layout, font_set(), loaded.assets, card_name=loaded.name,
                     locale=prepared.locale, extras=prepared.extras, alternatives=prepared.alternatives)


def build_prepared(prepared: Prepared, *, verify: bool = False) -> BuiltCard:
    """Fit and render one card. With `verify`, the PDF is read back and must show every
    word of the input."""
    loaded, layout, clinic, extras = prepared.loaded, prepared.layout, prepared.clinic, prepared.extras
    plans = fit_prepared(prepared)
    author = clinic.clinic.name if clinic else (loaded.personal.clinician if loaded.personal and loaded.personal.clinician else "routinecard")
    metadata = Metadata(
        title=loaded.card.title,
        author=author,
        subject=loaded.card.summary,
        language=loaded.card.language,
    )
    pdf = render_pdf(plans, layout, metadata)
    if verify:
        from routinecard.loader import format_path
        from routinecard.verify import expected_strings, verify_pdf

        clinic_info = clinic.clinic if clinic else None
        extra: dict[str, str | None] = {format_path(path): text for path, text in extras.personal.printed().items()}
        extra |= {
            "clinic.name": clinic_info.name if clinic_info else None,
            "clinic.address": clinic_info.address if clinic_info else None,
            "clinic.phone": clinic_info.phone if clinic_info else None,
            "clinic.website": clinic_info.website if clinic_info else None,
        }
        tool_names = {tool_id: tool.name_in(prepared.locale.code) for tool_id, tool in loaded.assets.tools.items()}
        expected = expected_strings(loaded.card, prepared.locale, emergency=extras.emergency, tool_names=tool_names, extra=extra)
        verify_pdf(pdf, expected, card_name=loaded.name)
    return BuiltCard(pdf, plans, layout, loaded.card)


def verify_default() -> bool:
    """The API's default for `verify`: the ROUTINECARD_VERIFY environment variable, read
    once at the API's entry (the tests set it, so every build they make is read back)."""
    return os.environ.get("ROUTINECARD_VERIFY", "") not in ("", "0")


def load_card(path: str | Path) -> Card:
    """Read and validate a card file. Raises `InputError` listing every problem."""
    return load_input(Path(path)).card


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
                       language=language, base=base if (patient is not None or source is None) else None,
                       model=card if isinstance(card, Card) else None)
    return build_prepared(prepared, verify=verify_default() if verify is None else verify).pdf


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
        # The model's own data, never re-read as text; glyph, tool and map checks apply.
        return model_document(card), Path.cwd() / "card.yaml"
    if not isinstance(card, Mapping):
        return None
    data: Any = dict(card)
    # A mapping from a caller must be plain data: copied through JSON, so it is.
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


__all__ = [
    "build_pdf",
    "validate_card",
    "load_card",
    "load_input",
    "build_prepared",
    "fit_prepared",
    "RoutineCardError",
    "BuiltCard",
    "LoadedCard",
    "Prepared",
    "prepare",
    "write_atomic",
    "expand_inputs",
]
