"""The command line, through typer's runner: exact messages and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SCIATICA, card_data, page_count, write_card
from routinecard import __version__
from routinecard.cli import app


def invoke(runner, *args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_version(runner) -> None:
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"routinecard {__version__}"


def test_help_lists_commands(runner) -> None:
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    assert "build" in result.stdout and "check" in result.stdout


def test_build_one_card_to_a_file(runner, tmp_path: Path) -> None:
    out = tmp_path / "card.pdf"
    result = invoke(runner, "build", SCIATICA, "-o", out)
    assert result.exit_code == 0, result.output
    assert page_count(out) == 1
    assert f"wrote {out}" in result.stdout
    assert "fits at" in result.stdout


def test_build_defaults_to_build_folder_named_by_card_id(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "build", SCIATICA)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "sciatica-trigger-points.pdf").is_file()


def test_build_a_folder_into_a_folder(runner, tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    first = card_data()
    second = card_data()
    second["id"] = "second-card"
    write_card(cards, first, "a.yaml")
    write_card(cards, second, "b.yaml")
    result = invoke(runner, "build", cards, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == ["sciatica-trigger-points.pdf", "second-card.pdf"]


def test_check_reports_the_fit(runner) -> None:
    result = invoke(runner, "check", SCIATICA)
    assert result.exit_code == 0, result.output
    assert "sciatica-trigger-points.yaml: letter: fits one page at " in result.stdout


@pytest.mark.parametrize("layout", ["letter", "a4"])
def test_python_m_routinecard_runs(layout: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "card.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "routinecard", "build", str(SCIATICA), "-o", str(out), "--layout", layout],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert page_count(out) == 1


def test_layouts_lists_built_ins_with_descriptions(runner) -> None:
    result = invoke(runner, "layouts")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["a4", "half-letter-2up", "large-print-a4", "large-print-tabloid", "large-print", "letter"]
    assert any(line.startswith("letter") and line.endswith("(default)") for line in lines)
    assert all(len(line.split(maxsplit=1)[1]) > 20 for line in lines)


def test_build_several_layouts_names_files_by_layout(runner, tmp_path: Path) -> None:
    result = invoke(runner, "build", SCIATICA, "--layout", "letter", "--layout", "a4", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "sciatica-trigger-points-a4.pdf",
        "sciatica-trigger-points-letter.pdf",
    ]


def test_check_all_layouts_reports_each(runner) -> None:
    result = invoke(runner, "check", SCIATICA, "--layout", "all")
    assert result.exit_code == 0, result.output
    for name in ("a4", "letter", "large-print-tabloid"):
        assert f": {name}: " in result.stdout
    for name in ("a4", "letter"):
        assert f": {name}: fits one page at " in result.stdout
    # too long for one pocket card or one large-print Letter page: a set of whole cards
    for name in ("half-letter-2up", "large-print", "large-print-a4"):
        assert f": {name}: a set of " in result.stdout
    assert "of the layout's full size" in result.stdout


def test_layout_from_a_file(runner, tmp_path: Path) -> None:
    layout = tmp_path / "clinic.yaml"
    layout.write_text("extends: a4\ncolours:\n  accent: '#004d40'\n", encoding="utf-8")
    out = tmp_path / "card.pdf"
    result = invoke(runner, "build", SCIATICA, "--layout", layout, "-o", out)
    assert result.exit_code == 0, result.output
    assert "(1 page, clinic," in result.stdout


def test_check_reports_the_reading_grade(runner, tmp_path: Path) -> None:
    result = invoke(runner, "check", SCIATICA)
    assert result.exit_code == 0
    assert "sciatica-trigger-points.yaml: reading grade " in result.stdout and "(limit 8)" in result.stdout
    data = card_data()
    data["summary"] = (
        "Myofascial trigger points, hyperirritable loci within taut bands of skeletal musculature, "
        "characteristically generate referred nociceptive phenomena whose distribution frequently "
        "simulates radiculopathy originating from lumbosacral nerve root compression."
    )
    card = write_card(tmp_path, data)
    result = invoke(runner, "check", card)
    assert result.exit_code == 0  # a warning, not a failure
    assert "is above 8" in result.stderr or "over 20 words" in result.stderr
    assert "summary (" in result.stderr


def test_a_reader_that_goes_away_is_not_an_error_message() -> None:
    """`routinecard library | head`: the pipe closes before the list is written. Nothing is
    printed about it (it once said "cannot use this path: broken pipe"), no traceback."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "routinecard", "library"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1])
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # long before the process has started up and written anything
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert err == ""
