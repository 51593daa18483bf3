"""Clinicians adapt a routine: patient files, clinic files, languages, log and video."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, SCIATICA, card_data, page_count, page_text, render, squash, write_card
from routinecard import build_pdf
from routinecard.cli import app
from routinecard.errors import InputError
from routinecard.locale import available, load_locale

JANE = ROOT / "patients" / "example-jane.yaml"
CLINIC = ROOT / "clinics" / "example-clinic.yaml"
SPANISH = ROOT / "cards" / "sciatica-trigger-points.es.yaml"


def patient_file(folder: Path, text: str, name: str = "patient.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_patient_card(tmp_path: Path) -> None:
    pdf = build_pdf(JANE)
    assert page_count(pdf) == 1
    text = page_text(pdf)
    flat = squash(text)
    # exactly the two chosen points, in the card's order
    assert "Piriformis" in text and "Gluteus minimus" in text
    assert "Gluteus medius" not in text and "Hamstrings" not in text
    assert text.index("Piriformis") < text.index("Gluteus minimus")
    # the overridden hold time, and the untouched one
    assert squash("Hold 30 to 45 seconds") in flat and squash("Hold 15 to 30 seconds") in flat
    # patient, clinician, date, notes, the extra warning sign, the log
    for expected in ("Jane Doe", "A. Patel, DPT", "2026-11-23", "Stop if the tingling in your left foot increases.",
                     "The tingling in your foot spreads or gets stronger", "Exercise log", "Session 2"):
        assert squash(expected) in flat, expected
    # the clinic, its phone and its emergency number in the red box
    assert "Riverside Physiotherapy" in text and "(555) 010-2040" in text
    assert squash("Call 911 or go to the ER now") in flat and "A&E" not in text  # a US clinic
    assert squash("Back view \u00b7 left side") in flat


def test_without_a_clinic_the_card_is_neutral_and_names_no_country_number(sciatica_pdf: bytes) -> None:
    flat = squash(page_text(sciatica_pdf))
    assert squash("Call emergency services or go to the hospital now") in flat
    assert "999" not in flat and "911" not in flat and "A&E" not in flat
    assert "Riverside" not in flat and "{emergency}" not in page_text(sciatica_pdf)


def test_clinic_on_the_command_line(runner, tmp_path: Path) -> None:
    out = tmp_path / "card.pdf"
    result = runner.invoke(app, ["build", str(SCIATICA), "--clinic", str(CLINIC), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = page_text(out)
    assert "Riverside Physiotherapy" in text and "(555) 010-2040" in text
    assert squash("Call 911 or") in squash(text)


def test_card_id_and_path_references(tmp_path: Path) -> None:
    by_path = patient_file(tmp_path, f"card: {SCIATICA}\nonly: [hamstrings]\n")
    text = page_text(build_pdf(by_path))
    assert "Hamstrings" in text and "Piriformis" not in text
    unknown = patient_file(tmp_path, "card: neck-stretches\n", "unknown.yaml")
    with pytest.raises(InputError, match=r"unknown\.yaml:1:7: card: no card 'neck-stretches' in the card library; known cards: .*sciatica-trigger-points"):
        build_pdf(unknown)


@pytest.mark.parametrize(
    ("text", "line_col", "field", "message"),
    [
        ("card: sciatica-trigger-points\nonly: [piriformis, glutes]\n", "2:20", "only[1]",
         "no point 'glutes' on this card; its points are: piriformis, gluteus-medius, gluteus-minimus, hamstrings"),
        ("card: sciatica-trigger-points\nskip: [piriformis, gluteus-medius, gluteus-minimus, hamstrings]\n", "2:7", "skip",
         "leaves no points on the card"),
        ("card: sciatica-trigger-points\nset:\n  points.piriformis.timing.hold: 40\n", "3:3", "set['points.piriformis.timing.hold']",
         "unknown field 'hold' in points.piriformis.timing; did you mean 'hold_s'?"),
        ("card: sciatica-trigger-points\nset:\n  points.sciatic.name: X\n", "3:3", "set['points.sciatic.name']",
         "no point 'sciatic' on this card; its points are: piriformis"),
        ("card: sciatica-trigger-points\nset:\n  points.piriformis.timing.hold_s: [45, 30]\n", "3:36", "set: points.piriformis.timing.hold_s",
         "the range is backwards: write [30, 45], smaller number first"),
        ("card: sciatica-trigger-points\nset:\n  points.piriformis.pressure.max: eleven\n", "3:35", "set: points.piriformis.pressure.max",
         "expected a whole number, found text 'eleven'"),
        ("card: sciatica-trigger-points\nonly: [hamstrings]\nset:\n  points.piriformis.name: X\n", "4:3", "set['points.piriformis.name']",
         "no point 'piriformis' on this card (left out by only/skip)"),
        ("card: sciatica-trigger-points\nset:\n  medical_attention.urgent.items: []\n", "3:3", "set['medical_attention.urgent.items']",
         "the medical-attention box cannot be changed with set"),
        ("card: sciatica-trigger-points\nset:\n  medical_attention: {}\n", "3:3", "set.medical_attention",
         "the medical-attention box cannot be changed with set"),
        ("card: sciatica-trigger-points\npatient: [Jane]\n", "2:10", "patient", "expected a mapping of fields"),
        ("card: sciatica-trigger-points\nnotse: hello\n", "2:1", "notse", "unknown field 'notse'; did you mean 'notes'?"),
        ("card: sciatica-trigger-points\nlanguage: tlh\n", "2:11", "language", "the routine 'sciatica-trigger-points' has no 'tlh' version; its languages: en, es"),
        ("card: sciatica-trigger-points\nvideo: youtube\n", "2:8", "video", "'youtube' is not a web address"),
    ],
)
def test_invalid_overrides_are_rejected_with_their_line(tmp_path: Path, text: str, line_col: str, field: str, message: str) -> None:
    path = patient_file(tmp_path, text)
    with pytest.raises(InputError) as caught:
        build_pdf(path)
    errors = str(caught.value).splitlines()
    expected = f"{path}:{line_col}: {field}: {message}"
    assert any(e.startswith(expected) for e in errors), "\n".join(errors)


def test_red_flags_can_be_added_but_never_removed(tmp_path: Path) -> None:
    path = patient_file(
        tmp_path,
        "card: sciatica-trigger-points\nmedical_attention:\n  urgent: [Sudden weakness in one foot]\n",
    )
    text = squash(page_text(build_pdf(path)))
    assert squash("Sudden weakness in one foot") in text
    for item in card_data()["medical_attention"]["urgent"]["items"]:
        assert squash(item) in text


def test_command_line_only_and_set(runner, tmp_path: Path) -> None:
    out = tmp_path / "card.pdf"
    result = runner.invoke(
        app,
        ["build", str(SCIATICA), "--only", "hamstrings,piriformis", "--set", "points.hamstrings.timing.per_day=4",
         "--set", "title=My routine", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    text = page_text(out)
    assert "My routine" in text and "Gluteus" not in text
    assert squash("4 sessions a day") in squash(text)
    bad = runner.invoke(app, ["check", str(SCIATICA), "--set", "points.hamstrings.timing.per_day=[3, 1]"])
    assert bad.exit_code == 1
    # the path as typed, not points[3]
    assert "--set points.hamstrings.timing.per_day: the range is backwards" in bad.stderr
    bad = runner.invoke(app, ["check", str(SCIATICA), "--set", "nonsense"])
    assert bad.exit_code == 1 and "write PATH=VALUE" in bad.stderr


def test_locales_have_the_same_keys() -> None:
    english = load_locale("en")
    assert available() == ["en", "es"]
    for code in available():
        other = load_locale(code)
        assert set(other.labels) == set(english.labels), code
        assert set(other.formats) == set(english.formats), code
        assert len(other.weekdays) == 7


def test_spanish_labels_with_lang_es(runner, tmp_path: Path) -> None:
    out = tmp_path / "card.pdf"
    result = runner.invoke(app, ["build", str(SCIATICA), "--lang", "es", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = page_text(out)
    spanish = load_locale("es")
    assert spanish.label("before_you_start") in text
    assert spanish.label("medical_attention").upper() in text
    assert squash("Mantén de 15 a 30 segundos · Repite de 2 a 3 veces · De 2 a 3 sesiones al día") in squash(text)
    assert "Before you start" not in text
    assert "Piriforme" in text and "Deep in the mid-buttock" not in text  # the Spanish version, not labels only
    assert (tmp_path / "card.pdf").is_file()


def test_spanish_card_prints_in_spanish_and_is_marked_for_review() -> None:
    pdf = build_pdf(SPANISH)
    assert page_count(pdf) == 1
    text = page_text(pdf)
    spanish = load_locale("es")
    assert spanish.label("before_you_start") in text
    assert squash(spanish.label("review")) in squash(text)


def test_number_formats_per_language() -> None:
    assert load_locale("en").out_of_ten(4, 6) == "4\u20136 out of 10"
    assert load_locale("es").out_of_ten(5, 5) == "5 de 10"


def test_a_language_the_fonts_cannot_print_is_refused(tmp_path: Path) -> None:
    data = card_data()
    data["language"] = "ja"
    data["title"] = "\u5750\u9aa8\u795e\u7d4c\u75db\u306e\u30bb\u30eb\u30d5\u30de\u30c3\u30b5\u30fc\u30b8"
    with pytest.raises(InputError) as caught:
        build_pdf(write_card(tmp_path, data))
    message = str(caught.value)
    assert ": title: no bundled font can print '\u5750' (U+5750)" in message


def test_video_qr_code_decodes_to_the_url(tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    data = card_data()
    data["video"] = "https://example.org/videos/sciatica-self-massage"
    pdf = build_pdf(write_card(tmp_path, data))
    assert page_count(pdf) == 1
    assert data["video"] in page_text(pdf).replace("\r\n", "")
    results = zxingcpp.read_barcodes(render(pdf, dpi=200))
    assert [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode] == [data["video"]]


def test_log_switched_on_by_the_layout(tmp_path: Path) -> None:
    layout = tmp_path / "with-log.yaml"
    layout.write_text("extends: letter\nlog: true\n", encoding="utf-8")
    data = card_data()
    data["points"] = data["points"][:2]
    pdf = build_pdf(write_card(tmp_path, data), layout=layout)
    text = page_text(pdf)
    assert "Exercise log" in text and "Mon" in text and "Sun" in text and "Session 3" in text


def test_patient_file_builds_by_name_through_the_cli(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build", str(JANE)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "example-jane.pdf").is_file()


def test_clinic_and_patient_choose_layout_and_language(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: Clínica Sol\nphone: 900 000 000\nemergency_number: '112'\nlanguage: es\nlayout: a4\n", encoding="utf-8")
    # a routine named by id: the clinic's language picks its Spanish version, labels and content
    patient = patient_file(tmp_path, "card: sciatica-trigger-points\nclinic: clinic.yaml\nonly: [piriformis]\n")
    pdf = build_pdf(patient)
    from conftest import page_size

    assert page_size(pdf) == (595.3, 841.9)  # the clinic's a4
    text = page_text(pdf)
    assert load_locale("es").label("before_you_start") in text and "Clínica Sol" in text
    assert "Piriforme" in text and "Before you start" not in text and "Deep in" not in text
    assert squash("Llama al 112 o ve a urgencias") in squash(text)
    # the patient file's own choices win over the clinic's
    patient = patient_file(tmp_path, f"card: {SCIATICA}\nclinic: clinic.yaml\nlayout: letter\nlanguage: en\nonly: [piriformis]\n", "p2.yaml")
    pdf = build_pdf(patient)
    assert page_size(pdf) == (612.0, 792.0)
    assert "Before you start" in page_text(pdf)
