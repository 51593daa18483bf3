"""The clinic's workflow and the Python ecosystem: preview, scaffold, API, doctor,
completion, and a real wheel installed into a fresh virtual environment."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, SCIATICA, page_count
from routinecard import build_pdf, load_card
from routinecard.cli import app
from routinecard.model import Card


def test_preview_writes_a_png_of_the_page(runner, tmp_path: Path) -> None:
    out = tmp_path / "card.png"
    result = runner.invoke(app, ["preview", str(SCIATICA), "-o", str(out), "--dpi", "72"])
    assert result.exit_code == 0, result.output
    image = Image.open(out)
    assert image.size == (612, 792)
    grey = image.convert("L")
    histogram = grey.histogram()
    assert sum(histogram[:100]) > 5000  # plenty of dark pixels: text and figures, not a blank page
    assert sum(histogram[250:]) > 0.4 * image.width * image.height  # and paper


def test_preview_of_a_bad_card_is_a_clear_error(runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    result = runner.invoke(app, ["preview", str(bad), "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert "missing required field 'title'" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_new_routine_is_refused_until_its_placeholders_are_replaced(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["new", "routine", "Neck stretches"]).exit_code == 0
    card = tmp_path / "cards" / "neck-stretches.yaml"
    assert card.is_file()
    result = runner.invoke(app, ["new", "patient", "Jane Roe", "--card", "neck-stretches"])
    assert result.exit_code == 0, result.output
    # the starter parses, but its placeholder red flags and sources never print
    refused = runner.invoke(app, ["build", "cards", "patients"])
    assert refused.exit_code == 1
    assert "medical_attention.urgent.items[0]: looks like placeholder text" in refused.stderr
    assert "sources[0]: looks like placeholder text" in refused.stderr
    assert not (tmp_path / "build" / "neck-stretches.pdf").exists()
    text = card.read_text(encoding="utf-8")
    for placeholder, real in (
        ("TODO: replace with the emergency warning signs from your sources", "Weakness in both arms"),
        ("TODO: replace with the signs to stop and call, from your sources", "The pain gets worse"),
        ("TODO: replace with the guideline or source this routine follows", "NHS: Neck pain"),
    ):
        text = text.replace(placeholder, real)
    card.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["build", "cards", "patients", "--verify"])
    assert result.exit_code == 0, result.output
    assert page_count(tmp_path / "build" / "neck-stretches.pdf") == 1
    assert page_count(tmp_path / "build" / "jane-roe.pdf") == 1
    again = runner.invoke(app, ["new", "routine", "Neck stretches"])
    assert again.exit_code == 1 and "already exists" in again.stderr
    unknown = runner.invoke(app, ["new", "patient", "X", "--card", "no-such-card"])
    assert unknown.exit_code == 1 and "known cards:" in unknown.stderr


def test_build_example_from_any_folder(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build", "--example", "sciatica"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "sciatica-trigger-points.pdf").is_file()
    assert runner.invoke(app, ["build", "--example", "knee"]).exit_code == 2


def test_doctor_lists_fonts_layouts_and_versions(runner) -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0
    for expected in ("routinecard 0.1.0", "reportlab", "AtkinsonHyperlegible-Regular.ttf", "letter", "large-print", "languages: en, es"):
        assert expected in result.stdout


def test_completion_can_be_installed(runner) -> None:
    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.stdout


def test_api_loads_and_builds() -> None:
    card = load_card(SCIATICA)
    assert isinstance(card, Card) and card.id == "sciatica-trigger-points"
    from_model = build_pdf(card)
    assert page_count(from_model) == 1
    assert build_pdf(SCIATICA, layout="a4") == build_pdf(str(SCIATICA), layout="a4")


def _build(layout: str) -> bytes:
    from routinecard import build_pdf as build

    return build(SCIATICA, layout=layout)


def test_api_is_safe_in_threads_and_processes() -> None:
    layouts = ["letter", "a4", "letter", "large-print", "a4", "letter"]
    expected = {name: build_pdf(SCIATICA, layout=name) for name in set(layouts)}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(_build, layouts))
    assert threaded == [expected[name] for name in layouts]
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        processed = list(pool.map(_build, layouts))
    assert processed == [expected[name] for name in layouts]


@pytest.mark.skipif(os.environ.get("ROUTINECARD_SKIP_WHEEL") == "1", reason="wheel test switched off")
def test_wheel_installs_and_works_outside_the_repository(tmp_path: Path) -> None:
    """Build the wheel, install it (without dependencies) into a fresh venv that borrows
    this environment's dependencies, and build a card from an empty folder."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(dist.glob("routinecard-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # the dependencies come from this environment; routinecard itself only from the wheel
    (Path(site) / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(python), "-c", "import routinecard; print(routinecard.__file__)"], cwd=work, env=env,
                           check=True, capture_output=True, text=True).stdout
    assert str(venv) in where
    done = subprocess.run([str(venv / "bin" / "routinecard"), "build", "--example", "sciatica", "--layout", "a4", "--verify"],
                          cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert page_count(work / "build" / "sciatica-trigger-points.pdf") == 1
    layouts = subprocess.run([str(venv / "bin" / "routinecard"), "layouts"], cwd=work, env=env, capture_output=True, text=True)
    assert "large-print" in layouts.stdout
    # every routine of the library ships in the wheel and builds by id, in each language
    import json

    import yaml

    shipped = {}
    for card in sorted((ROOT / "cards").glob("*.yaml")):
        data = yaml.safe_load(card.read_text(encoding="utf-8"))
        shipped.setdefault(data["id"], set()).add(data.get("language", "en"))
    listed = subprocess.run([str(venv / "bin" / "routinecard"), "library", "--json"], cwd=work, env=env,
                            capture_output=True, text=True, check=True)
    assert {entry["id"]: set(entry["languages"]) for entry in json.loads(listed.stdout)} == shipped
    routine = sorted(rid for rid, languages in shipped.items() if "es" in languages)[-1]
    by_id = subprocess.run([str(venv / "bin" / "routinecard"), "build", routine, "--lang", "es", "-o", "es.pdf"],
                           cwd=work, env=env, capture_output=True, text=True)
    assert by_id.returncode == 0, by_id.stderr
    assert page_count(work / "es.pdf") == 1
    # the example clinic ships too, and the README's Python API examples run outside the clone
    clinic = subprocess.run([str(venv / "bin" / "routinecard"), "check", "sciatica-trigger-points", "--clinic",
                             "example-clinic"], cwd=work, env=env, capture_output=True, text=True)
    assert clinic.returncode == 0, clinic.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    api = readme.split("## Python API", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    (work / "cards").mkdir()
    (work / "cards" / "my-routine.yaml").write_text(
        (ROOT / "cards" / "sciatica-trigger-points.yaml").read_text(encoding="utf-8").replace(
            "id: sciatica-trigger-points", "id: my-routine"), encoding="utf-8")
    (work / "patients").mkdir()
    (work / "patients" / "jane.yaml").write_text("card: my-routine\npatient: Jane Doe\nonly: [piriformis]\n",
                                                 encoding="utf-8")
    preamble = ("import yaml\nfrom routinecard.resources import data_dir\nrow_from_your_database = yaml.safe_load("
                "(data_dir('cards') / 'sciatica-trigger-points.yaml').read_text(encoding='utf-8'))\n")
    (work / "api_example.py").write_text(preamble + api + "\nassert pdf.startswith(b'%PDF')\n", encoding="utf-8")
    ran = subprocess.run([str(python), "api_example.py"], cwd=work, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr


def test_schema_command_prints_the_committed_schema(runner) -> None:
    for kind in ("card", "patient", "clinic", "layout"):
        result = runner.invoke(app, ["schema", kind])
        assert result.exit_code == 0
        assert result.stdout == (ROOT / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert runner.invoke(app, ["schema", "poster"]).exit_code == 2


def test_api_applies_a_patient_file_to_a_given_card(tmp_path: Path) -> None:
    import yaml

    from routinecard.model import Card

    patient = tmp_path / "p.yaml"
    patient.write_text("card: some-card-the-api-replaces\npatient: {name: Ann Lee}\nonly: [hamstrings]\n", encoding="utf-8")
    data = yaml.safe_load(SCIATICA.read_text(encoding="utf-8"))
    data["title"] = "From a database"
    card = Card.model_validate(data)
    from conftest import page_text

    text = page_text(build_pdf(card, patient=patient))
    assert "From a database" in text and "Ann Lee" in text and "Hamstrings" in text and "Piriformis" not in text
    text = page_text(build_pdf(SCIATICA, patient=patient))
    assert "Self-massage for sciatica trigger points" in text and "Ann Lee" in text
    jane = ROOT / "patients" / "example-jane.yaml"
    assert build_pdf(None, patient=jane) == build_pdf(jane)


def test_a_card_model_is_checked_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """build_pdf(Card): the model is printed as it is, after the checks the schema cannot
    make (glyphs, tools, sites, pictures): no second schema validation, no text round trip."""
    import routinecard.prepare as prepare

    card = load_card(SCIATICA)
    validated: list[str] = []
    real = prepare.validate_document

    def spy(model, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        validated.append(model.__name__)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(prepare, "validate_document", spy)
    assert build_pdf(card) == build_pdf(SCIATICA)
    assert validated.count("Card") == 1  # the file's, for build_pdf(SCIATICA); none for the model
