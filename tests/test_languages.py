"""One language per card: a routine's translations share its id, a requested language
picks the translation or is an error, a clinic's language is a preference."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CARDS, SCIATICA, page_text, squash
from routinecard import build_pdf, validate_card
from routinecard.errors import InputError
from routinecard.library import entries, find, library_folders, output_stem, versions

SPANISH = CARDS / "sciatica-trigger-points.es.yaml"
ENGLISH_ONLY = "Deep in the mid-buttock"  # words of the English card that the Spanish one never has


def spanish_only(text: str) -> bool:
    return "Piriforme" in text and "Antes de empezar" in text and "Before you start" not in text and ENGLISH_ONLY not in text


def test_the_library_is_indexed_by_id_and_language() -> None:
    found = {(e.id, e.language) for e in entries(library_folders(None))}
    assert ("sciatica-trigger-points", "en") in found and ("sciatica-trigger-points", "es") in found
    assert [e.language for e in versions("sciatica-trigger-points", library_folders(None))] == ["en", "es"]


def test_a_bare_id_names_the_original_and_a_language_picks_the_version() -> None:
    original = find("sciatica-trigger-points")
    assert original is not None and original.path.name == "sciatica-trigger-points.yaml" and original.language is None
    spanish = find("sciatica-trigger-points", language="es")
    assert spanish is not None and spanish.path.name == "sciatica-trigger-points.es.yaml"
    # the old id of the Spanish card still works, and chooses Spanish
    alias = find("sciatica-trigger-points-es")
    assert alias is not None and alias.path.name == "sciatica-trigger-points.es.yaml" and alias.language == "es"


def test_build_pdf_by_id_in_each_language() -> None:
    english = page_text(build_pdf("sciatica-trigger-points"))
    assert "Before you start" in english and "Piriforme" not in english
    assert spanish_only(page_text(build_pdf("sciatica-trigger-points", language="es")))


def test_requested_language_without_a_translation_is_an_error_listing_the_languages() -> None:
    with pytest.raises(InputError) as caught:
        build_pdf(SCIATICA, language="fr")
    assert "the routine 'sciatica-trigger-points' has no 'fr' version; its languages: en, es" in str(caught.value)


def test_lang_on_the_english_card_prints_the_spanish_version(tmp_path: Path) -> None:
    assert spanish_only(page_text(build_pdf(SCIATICA, language="es")))
    # and the other way round: the Spanish card asked for in English
    text = page_text(build_pdf(SPANISH, language="en"))
    assert "Before you start" in text and "Piriforme" not in text


def test_patient_language_picks_the_translation(tmp_path: Path) -> None:
    patient = tmp_path / "maria.yaml"
    patient.write_text("card: sciatica-trigger-points\npatient: Maria Lopez\nlanguage: es\nonly: [piriformis]\n", encoding="utf-8")
    text = page_text(build_pdf(patient))
    assert spanish_only(text) and "Maria Lopez" in text


def test_the_spanish_card_named_by_a_patient_stays_spanish_in_an_english_clinic(tmp_path: Path) -> None:
    """The example clinic says `language: en`; a patient on the Spanish card must not get
    English labels around Spanish instructions."""
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: Riverside\nphone: '555'\nemergency_number: '911'\nlanguage: en\n", encoding="utf-8")
    for reference in ("sciatica-trigger-points-es", str(SPANISH)):
        patient = tmp_path / "p.yaml"
        patient.write_text(f"card: {reference}\nclinic: clinic.yaml\nonly: [piriformis]\n", encoding="utf-8")
        assert spanish_only(page_text(build_pdf(patient))), reference


def test_a_clinic_preference_without_a_translation_falls_back_with_a_notice(tmp_path: Path) -> None:
    from routinecard.prepare import prepare

    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: Clinique\nphone: '15'\nlanguage: fr\n", encoding="utf-8")
    prepared = prepare(SCIATICA, clinic=clinic)
    assert prepared.loaded.card.language == "en" and prepared.locale.code == "en"
    assert prepared.notices == (
        "the clinic prefers 'fr', but the routine 'sciatica-trigger-points' has no 'fr' version; printed in 'en' "
        "(its languages: en, es)",
    )
    # and a clinic preference that has a translation picks it
    clinic.write_text("name: Clínica\nphone: '112'\nlanguage: es\n", encoding="utf-8")
    assert prepare(SCIATICA, clinic=clinic).loaded.card.language == "es"


def test_a_card_in_a_language_without_labels_is_an_error_not_english_labels(tmp_path: Path) -> None:
    text = SCIATICA.read_text(encoding="utf-8").replace("language: en", "language: fr")
    card = tmp_path / "card.yaml"
    card.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"card\.yaml:\d+:\d+: language: no labels for language 'fr'; available: en, es"):
        build_pdf(card)


def test_output_names_of_language_versions_do_not_collide() -> None:
    assert output_stem("sciatica-trigger-points", "en") == "sciatica-trigger-points"
    assert output_stem("sciatica-trigger-points", "es") == "sciatica-trigger-points.es"
    assert output_stem("jane", "pt-BR") == "jane.pt-BR"


def test_patient_mapping_and_model_are_accepted() -> None:
    from routinecard.model import Patient

    data = {"card": "sciatica-trigger-points", "patient": "Ana Ruiz", "only": ["piriformis"]}
    from_mapping = build_pdf(None, patient=data)
    assert "Ana Ruiz" in page_text(from_mapping)
    assert build_pdf(None, patient=Patient.model_validate(data)) == from_mapping
    # applied to a card given by path, like the CLI's `build CARD --patient P`
    assert "Ana Ruiz" in page_text(build_pdf(SCIATICA, patient={"card": "x", "patient": "Ana Ruiz"}))


def test_validate_card_raises_located_input_errors() -> None:
    import yaml

    data = yaml.safe_load(SCIATICA.read_text(encoding="utf-8"))
    assert validate_card(data).id == "sciatica-trigger-points"
    data["points"][0]["timing"]["hold_s"] = [30, 15]
    data["points"][1]["tool"] = "spoon"
    with pytest.raises(InputError) as caught:
        validate_card(data)
    lines = [str(p) for p in caught.value.problems]
    assert "<card>: points[0].timing.hold_s: the range is backwards: write [15, 30], smaller number first" in lines
    assert any(line.startswith("<card>: points[1].tool: unknown tool 'spoon'") for line in lines)


def test_built_in_cards_come_from_the_library_not_the_patient_folder(tmp_path: Path) -> None:
    """A patient file's own folder is not a card library: patient names are not card ids."""
    (tmp_path / "bob.yaml").write_text("card: sciatica-trigger-points\n", encoding="utf-8")
    patient = tmp_path / "ann.yaml"
    patient.write_text("card: bob\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build_pdf(patient)
    message = str(caught.value)
    assert "no card 'bob' in the card library" in message and "bob," not in message.split("known cards:")[1]


def test_the_spanish_draft_says_it_needs_review_under_the_title() -> None:
    text = page_text(build_pdf(SPANISH))
    assert squash("pendiente de revisión clínica") in squash(text)
