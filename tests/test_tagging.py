"""Rule 10: every card is a tagged PDF. Read back with pikepdf (the tree), pdfium (the text
of each marked-content sequence) and the `pdfua` checker."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
import yaml

from conftest import CARDS, ROOT, SCIATICA, card_data, page_text, squash, write_card
from routinecard import build_pdf
from tagged import artifact_texts, structure, untagged, untagged_text

JANE = ROOT / "patients" / "example-jane.yaml"
CAPACITY = ROOT / "tests" / "fixtures" / "capacity" / "patient.yaml"


@pytest.fixture(scope="module")
def tagged(sciatica_pdf: bytes) -> bytes:
    return sciatica_pdf


def test_the_catalog_says_tagged_language_and_title(tagged: bytes) -> None:
    with pikepdf.open(io.BytesIO(tagged)) as pdf:
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert str(pdf.Root.Lang) == "en"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert "/StructTreeRoot" in pdf.Root
        for page in pdf.pages:
            assert page.obj.Tabs == pikepdf.Name.S
            assert "/StructParents" in page.obj
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "Self-massage for sciatica trigger points"
        assert meta["pdfuaid:part"] == "1"
        assert str(pdf.docinfo.Title) == meta["dc:title"]


def test_spanish_card_declares_spanish() -> None:
    pdf = build_pdf(CARDS / "sciatica-trigger-points.es.yaml")
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == "es"


def test_every_text_is_in_the_tree_or_an_artifact(tagged: bytes) -> None:
    assert untagged_text(tagged) == []
    assert untagged(tagged) == []  # paths, pictures and forms too
    # the only text drawn as an artifact is the "!" of the warning triangle (the heading
    # beside it says it); text inside a picture is in the picture's element
    assert {t.strip() for t in artifact_texts(tagged) if t.strip()} == {"!"}


def test_headings_lists_and_paragraphs(tagged: bytes) -> None:
    nodes = structure(tagged).walk()
    roles = [n.role for n in nodes]
    assert roles[0] == "Document"
    assert roles.count("H1") == 1
    h1 = next(n for n in nodes if n.role == "H1")
    assert h1.text == "Self-massage for sciatica trigger points"
    data = yaml.safe_load(SCIATICA.read_text(encoding="utf-8"))
    h2 = [n.text for n in nodes if n.role == "H2"]
    for number, point in enumerate(data["points"], start=1):
        assert f"{number} {point['name']}" in h2  # the badge's number is part of the heading
    assert "WHEN TO SEEK MEDICAL ATTENTION" in h2
    # lists: every LI has a label and a body; the before-you-start items are one list
    items = [n for n in nodes if n.role == "LI"]
    assert items and all([k.role for k in li.kids] == ["Lbl", "LBody"] for li in items)
    lists = [n for n in nodes if n.role == "L"]
    first = [li.kids[1].text for li in lists[0].kids]
    assert [squash(t) for t in first] == [squash(t) for t in data["before_you_start"]]
    urgent = next(lst for lst in lists if squash(lst.kids[0].kids[1].text) == squash(data["medical_attention"]["urgent"]["items"][0]))
    assert len(urgent.kids) == len(data["medical_attention"]["urgent"]["items"])


def test_reading_order_follows_the_card(tagged: bytes) -> None:
    """Title, summary, before you start, each point in order, medical attention, sources."""
    data = yaml.safe_load(SCIATICA.read_text(encoding="utf-8"))
    text = squash(structure(tagged).all_text())
    wanted = [
        data["title"],
        data["summary"],
        "Before you start",
        *(point["name"] + point["where"][:20] for point in []),  # (names are checked below)
        "WHEN TO SEEK MEDICAL ATTENTION",
        "Sources:",
    ]
    positions = [text.find(squash(w)) for w in wanted]
    assert -1 not in positions, list(zip(wanted, positions))
    assert positions == sorted(positions)
    # each point's heading, then its words, then the next point
    position = positions[2]
    for point in data["points"]:
        heading = text.find(squash(point["name"]), position)
        last_step = text.find(squash(point["steps"][-1]), heading)
        assert position < heading < last_step, point["id"]
        position = last_step
    assert position < positions[3]


def test_every_figure_has_alternative_text(tagged: bytes) -> None:
    figures = [n for n in structure(tagged).walk() if n.role == "Figure"]
    assert len(figures) >= 5  # the body map and a close-up for each point
    assert all(f.alt and len(f.alt) > 10 for f in figures), [f.alt for f in figures]
    body_map = figures[0].alt
    assert body_map is not None and "Piriformis" in body_map and "Hamstrings" in body_map


def test_pocket_copies_are_read_once(tmp_path: Path) -> None:
    data = card_data()
    data["points"] = data["points"][:1]
    pdf = build_pdf(write_card(tmp_path, data), layout="half-letter-2up")
    tree = structure(pdf)
    assert untagged(pdf) == []
    title = "Self-massage for sciatica trigger points"
    assert page_text(pdf).count(title) == 2  # printed twice on the sheet
    assert [n.text.strip() for n in tree.walk() if n.role == "H1"] == [title]  # read once


@pytest.mark.parametrize("source", [SCIATICA, JANE], ids=["sciatica", "jane"])
def test_the_pdfua_checker_finds_nothing(source: Path, tmp_path: Path) -> None:
    from pdfua import validate

    path = tmp_path / "card.pdf"
    path.write_bytes(build_pdf(source))
    report = validate(str(path))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    skipped = [o.rule_id for o in report.outcomes if o.skipped_reason]
    assert skipped == []


def test_header_reads_after_the_title() -> None:
    """The letterhead (clinic, patient, date) is read after the title and summary."""
    text = squash(structure(build_pdf(JANE)).all_text())
    assert text.find(squash("Self-massage for sciatica")) < text.find("RiversidePhysiotherapy")
    assert re.search(r"Name:JaneDoe", text)
