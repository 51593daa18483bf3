"""The routine library: every routine in every language on every built-in layout, graded,
with red flags and sources; the catalogue lists them all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import CARDS, page_count, page_size, page_text, squash
from routinecard import build_pdf, load_card
from routinecard.catalogue import catalogue
from routinecard.cli import app
from routinecard.errors import FitError
from routinecard.layouts import builtin_layouts
from routinecard.readability import assess, is_english

CARD_FILES = sorted(CARDS.glob("*.yaml"))
LAYOUTS = sorted(builtin_layouts())
SHEETS = {"letter": (612.0, 792.0), "a4": (595.3, 841.9), "large-print": (792.0, 1224.0), "half-letter-2up": (792.0, 612.0)}


def _data(card: Path) -> dict:
    return yaml.safe_load(card.read_text(encoding="utf-8"))


@pytest.mark.parametrize("card", CARD_FILES, ids=lambda p: p.name)
def test_every_routine_reads_at_grade_8_or_below(card: Path) -> None:
    """English cards at grade 8 or below (Flesch-Kincaid), Spanish ones at 55 or more on
    the INFLESZ scale ("normal" or easier); no sentence over 20 words in either."""
    report = assess(load_card(card))
    assert report.measured, card.name
    if is_english(report.language):
        assert report.grade is not None and report.grade <= 8, (card.name, report.grade)
    else:
        assert report.language == "es" and report.ease >= 55, (card.name, report.ease)
    assert not report.above_limit
    assert not report.long_sentences, [s.text for s in report.long_sentences]


@pytest.mark.parametrize("card", CARD_FILES, ids=lambda p: p.name)
def test_every_routine_has_red_flags_and_sources(card: Path) -> None:
    model = load_card(card)
    assert model.medical_attention.urgent.items and model.medical_attention.soon.items
    assert model.sources
    assert any("NHS" in source or "NICE" in source for source in model.sources), model.sources
    assert model.body_regions, "the catalogue lists every routine's body regions"


def test_the_catalogue_lists_every_routine_and_language(runner) -> None:
    routines = {routine.id: routine for routine in catalogue([CARDS])}
    expected: dict[str, set[str]] = {}
    for card in CARD_FILES:
        data = _data(card)
        expected.setdefault(data["id"], set()).add(data.get("language", "en"))
    assert {rid: set(r.languages) for rid, r in routines.items()} == expected
    result = runner.invoke(app, ["library", "--json"])
    assert result.exit_code == 0, result.output
    listed = {entry["id"]: entry for entry in json.loads(result.stdout)}
    for rid, languages in expected.items():
        assert set(listed[rid]["languages"]) == languages
        assert listed[rid]["points"] and listed[rid]["body_regions"]
    text = runner.invoke(app, ["library"]).stdout
    for rid in expected:
        assert rid in text


def test_a_user_card_joins_the_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner) -> None:
    (tmp_path / "cards").mkdir()
    data = _data(CARDS / "sciatica-trigger-points.yaml")
    data["id"] = "my-own-routine"
    (tmp_path / "cards" / "mine.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "cards" / "notes.yaml").write_text("just: notes\n", encoding="utf-8")  # not a card: skipped
    monkeypatch.chdir(tmp_path)
    listed = json.loads(runner.invoke(app, ["library", "--json"]).stdout)
    mine = [entry for entry in listed if entry["id"] == "my-own-routine"]
    assert len(mine) == 1 and mine[0]["builtin"] is False
    assert any(entry["id"] == "sciatica-trigger-points" and entry["builtin"] for entry in listed)


def test_library_docs_page_shows_every_routine(tmp_path: Path, runner) -> None:
    from routinecard.librarydocs import library_page

    routines = catalogue([CARDS])
    page = library_page(routines)
    for routine in routines:
        assert f"## {routine.id}" in page
        for version in routine.versions:
            assert f"library/{routine.id}.{version.language}.png" in page


def test_library_docs_build_thumbnails(tmp_path: Path) -> None:
    from PIL import Image

    from routinecard.librarydocs import library_docs

    routines = [r for r in catalogue([CARDS]) if r.id == "sciatica-trigger-points"]
    files = {item.name: item.data for item in library_docs(routines)}
    assert set(files) == {"library.md", *(f"library/sciatica-trigger-points.{v.language}.png" for v in routines[0].versions)}
    png = tmp_path / "thumb.png"
    png.write_bytes(files["library/sciatica-trigger-points.en.png"])
    with Image.open(png) as image:
        assert image.size == (340, 440)  # Letter at 40 dpi
        assert len(files["library/sciatica-trigger-points.en.png"]) < 60_000
