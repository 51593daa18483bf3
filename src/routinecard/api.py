"""The public Python API, and the one path every front end takes:
prepare -> fit (compose) -> render [-> verify].

`build_pdf` is a pure function from data to PDF bytes: nothing it does leaks into the
next call except process-wide caches of things that never change (fonts, the tool
library, built-in layouts, locale catalogs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from routinecard.errors import RoutineCardError
from routinecard.fit import PagePlan, fit_pages
from routinecard.fonts import font_set
from routinecard.inputs import expand_inputs
from routinecard.layouts import Layout
from routinecard.model import Card
from routinecard.prepare import LoadedCard, Prepared, load_input, prepare, prepare_model
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
    `clinic` a clinic file; `language` the labels' language; `verify` read the PDF back
    (default: the ROUTINECARD_VERIFY environment variable). Raises `RoutineCardError`
    (`InputError` for bad input, `FitError` when it cannot fit one page).
    """
    clinic_file = Path(clinic) if clinic is not None else None
    patient_file = Path(patient) if patient is not None else None
    if isinstance(card, Card):
        prepared = prepare_model(card, patient=patient_file, layout=layout, clinic=clinic_file, language=language)
    else:
        source: Path | LoadedCard
        if patient_file is not None and card is not None:
            from routinecard.loader import load_yaml_file

            source = load_input(patient_file, base=(load_yaml_file(Path(card)), Path(card)))
        elif patient_file is not None:
            source = patient_file
        elif card is not None:
            source = Path(card)
        else:
            raise TypeError("build_pdf needs a card, a patient file, or both")
        prepared = prepare(source, layout=layout, clinic=clinic_file, language=language)
    return build_prepared(prepared, verify=verify_default() if verify is None else verify).pdf


__all__ = [
    "build_pdf",
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
