"""Safe by default for a clinic: emergency wording by country, starter files that parse,
the CLI and the API agreeing. (Most CLI cases are data: tests/cases/.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SCIATICA, page_text, squash
from routinecard import build_pdf
from routinecard.cli import app
from routinecard.loader import load_yaml_file


def clinic(folder: Path, text: str) -> Path:
    path = folder / "clinic.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "clinic_text, expected, never",
    [
        ("name: Riverside\ncountry: US\n", "Call 911 or go to the ER now", ("A&E", "999")),
        ("name: Riverside\nemergency_number: '911'\ncountry: US\n", "Call 911 or go to the ER now", ("A&E",)),
        ("name: Thames Physio\ncountry: GB\n", "Call 999 or go to A&E now", ("911", "the ER")),
        ("name: Harbour Physio\ncountry: AU\n", "Call 000 or go to the hospital now", ("A&E", "911", "999")),
        ("name: Lakeside\nemergency_number: '112'\n", "Call 112 or go to the hospital now", ("A&E", "911", "999")),
    ],
)
def test_emergency_wording_follows_the_clinic_country(tmp_path: Path, clinic_text: str, expected: str,
                                                      never: tuple[str, ...]) -> None:
    text = page_text(build_pdf(SCIATICA, clinic=clinic(tmp_path, clinic_text)))
    assert squash(expected) in squash(text)
    for word in never:
        assert word not in text


def test_emergency_wording_follows_the_routine_country_without_a_clinic(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(SCIATICA.read_text(encoding="utf-8").replace("language: en\n", "language: en\ncountry: GB\n"),
                    encoding="utf-8")
    assert squash("Call 999 or go to A&E now") in squash(page_text(build_pdf(card)))
    # a US clinic still wins over the routine's country
    text = page_text(build_pdf(card, clinic=clinic(tmp_path, "name: Riverside\ncountry: US\n")))
    assert squash("Call 911 or go to the ER now") in squash(text) and "A&E" not in text


def test_the_draft_translation_notice_is_a_banner_under_the_title() -> None:
    from conftest import CARDS

    text = page_text(build_pdf(CARDS / "sciatica-trigger-points.es.yaml"))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = next(i for i, line in enumerate(lines) if line.startswith("Automasaje"))
    banner = next(i for i, line in enumerate(lines) if "pendiente de revisión clínica" in line)
    assert banner <= title + 3, lines[: title + 5]  # right under the title, not in the small print


def test_build_card_with_patient_applies_the_patient_like_the_api(runner, tmp_path: Path) -> None:
    patient = tmp_path / "ana.yaml"
    patient.write_text("card: some-other-card\npatient: Ana Ruiz\nonly: [piriformis]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(SCIATICA), "--patient", str(patient), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.pdf")) == ["ana.pdf"]  # one PDF: the patient's card, not two
    cli_text = page_text(out / "ana.pdf")
    assert "Ana Ruiz" in cli_text and "Hamstrings" not in cli_text
    assert page_text(build_pdf(SCIATICA, patient=patient)) == cli_text


def test_preview_open_without_a_display_says_so(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    result = runner.invoke(app, ["preview", str(SCIATICA), "-o", str(tmp_path / "card.png"), "--open"])
    assert result.exit_code == 2
    assert "--open needs a desktop picture viewer" in result.stderr
    assert not (tmp_path / "card.png").exists()


def test_quiet_check_prints_nothing_but_errors(runner) -> None:
    for args in (["-q", "check", str(SCIATICA)], ["check", str(SCIATICA), "--quiet"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and result.stdout == "" and result.stderr == "", args
    loud = runner.invoke(app, ["check", str(SCIATICA)])
    assert "fits one page at" in loud.stdout


def test_help_shows_words_not_python_types(runner) -> None:
    for command in (["build"], ["check"], ["preview"], ["new", "routine"], ["new", "patient"], ["schema"]):
        text = runner.invoke(app, [*command, "--help"]).stdout
        for python in ("<list", "<int", "<Path", "<path", "{card}", "{kind}", "<text>"):
            assert python not in text, (command, python)


def test_check_grades_the_clinicians_notes(runner, tmp_path: Path) -> None:
    patient = tmp_path / "p.yaml"
    long_note = ("Notwithstanding considerable improvement, continue performing the aforementioned "
                 "self-administered myofascial interventions, discontinuing immediately if paraesthesia "
                 "intensifies or radiates distally beyond the popliteal fossa.")
    patient.write_text(f"card: sciatica-trigger-points\nonly: [piriformis]\nnotes: {long_note}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(patient)])
    assert result.exit_code == 0, result.output
    assert "Notwithstanding considerable improvement" in result.stderr  # named among the sentences to shorten


def test_new_files_always_parse_and_name_files_plainly(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "routine", "Knee: #1 after surgery"])
    assert result.exit_code == 0, result.output
    card = load_yaml_file(tmp_path / "cards" / "knee-1-after-surgery.yaml").data
    assert card["title"] == "Knee: #1 after surgery" and "marker" not in card["points"][0]
    for name, file in (("Lopez, Maria", "lopez-maria.yaml"), ("José Núñez", "jose-nunez.yaml"), ("# Ann: \"A\"", "ann-a.yaml")):
        result = runner.invoke(app, ["new", "patient", name, "--card", "sciatica-trigger-points"])
        assert result.exit_code == 0, result.output
        written = tmp_path / "patients" / file
        data = load_yaml_file(written).data
        assert data["patient"] == name and data["card"] == "sciatica-trigger-points"
        text = written.read_text(encoding="utf-8")
        assert "# only: [piriformis, gluteus-medius, gluteus-minimus, hamstrings]" in text  # the card's real ids
        assert "# language: es" in text and "languages: en, es" in text
        assert "$schema" not in text  # outside the repository there is no schema/ folder to point at
    spanish = runner.invoke(app, ["new", "patient", "Ana", "--card", "sciatica-trigger-points", "--lang", "es"])
    assert spanish.exit_code == 0, spanish.output
    assert load_yaml_file(tmp_path / "patients" / "ana.yaml").data["language"] == "es"
    assert runner.invoke(app, ["build", "patients", "--verify"]).exit_code == 0
    missing = runner.invoke(app, ["new", "patient", "Bo", "--card", "sciatica-trigger-points", "--lang", "fr"])
    assert missing.exit_code == 1 and "has no 'fr' version; its languages: en, es" in missing.stderr


def test_new_files_in_the_repository_point_at_its_schemas(runner, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "card.schema.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["new", "routine", "Neck"]).exit_code == 0
    first = (tmp_path / "cards" / "neck.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/card.schema.json"


def test_builtin_example_clinic_ships_and_builds_by_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = page_text(build_pdf("sciatica-trigger-points", clinic="example-clinic"))
    assert "Riverside Physiotherapy" in text and squash("Call 911") in squash(text)


def test_making_the_bold_fallback_font_says_so(tmp_path: Path, monkeypatch, caplog) -> None:
    """The first card that needs Noto Sans Bold waits ~20 s while it is cut: never silently."""
    import logging

    from fontTools.varLib import instancer

    from routinecard import fonts

    monkeypatch.setenv("ROUTINECARD_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(fonts.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    monkeypatch.setattr(instancer, "instantiateVariableFont", lambda font, axes, **kw: font)  # fast stand-in
    with caplog.at_level(logging.INFO, logger="routinecard.notes"):
        made = fonts._bold_noto_instance()
    assert made.is_file()
    assert any("making the Noto Sans Bold fallback font once" in r.getMessage() for r in caplog.records)


def test_make_cards_installs_routinecard_without_the_test_extras() -> None:
    from conftest import ROOT

    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = {}
    for block in text.split("\n\n"):
        for line in block.splitlines():
            if ":" in line and not line.startswith(("\t", "#", " ")) and "=" not in line.split(":")[0]:
                target, _, deps = line.partition(":")
                rules[target.strip()] = (deps.split(), block)
    cards_deps = rules["cards"][0]
    assert cards_deps == ["$(BASE_STAMP)"]
    base_recipe = rules["$(BASE_STAMP)"][1]
    assert "pip install --quiet -e ." in base_recipe and "[test" not in base_recipe
    assert "fallback(bold=True)" in base_recipe  # the slow font is made at install, not mid-build
