"""Issue 16: sets of whole one-page cards, large print on home paper, and the capacity
card (the most a Letter or A4 card must hold at 8.5 pt)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import CARDS, ROOT, SCIATICA, page_count, page_size, page_text, pdf_document, squash
from routinecard import build_pdf
from routinecard.api import build_prepared
from routinecard.cli import app
from routinecard.errors import FitError
from routinecard.prepare import prepare
from routinecard.split import Part, card_blocks, pack
from tagged import structure, untagged
from test_fit import text_sizes

CAPACITY = ROOT / "tests" / "fixtures" / "capacity"
JANE = ROOT / "patients" / "example-jane.yaml"
ROUTINES = sorted(CARDS.glob("*.yaml")) + sorted((ROOT / "patients").glob("*.yaml"))


def pages_text(pdf: bytes) -> list[str]:
    document = pdf_document(pdf)
    return [squash(document[i].get_textpage().get_text_range()) for i in range(len(document))]


# -- the capacity card --------------------------------------------------------------------


def test_the_capacity_card_is_what_the_issue_asks() -> None:
    card = yaml.safe_load((CAPACITY / "card.yaml").read_text(encoding="utf-8"))
    patient = yaml.safe_load((CAPACITY / "patient.yaml").read_text(encoding="utf-8"))
    assert len(card["points"]) == 4
    assert len(card["medical_attention"]["urgent"]["items"]) == 7
    assert len(card["medical_attention"]["soon"]["items"]) == 7
    assert len(card["sources"]) == 5
    assert len(patient["notes"].split()) == 40
    assert patient["clinic"]


@pytest.mark.parametrize(("layout", "size"), [("letter", (612.0, 792.0)), ("a4", (595.3, 841.9))])
def test_the_capacity_card_fits_one_page_at_8_5pt(layout: str, size: tuple[float, float]) -> None:
    """Four points, 7 + 7 red flags, five sources, a clinic header and a 40-word note."""
    prepared = prepare(CAPACITY / "patient.yaml", layout=layout)
    built = build_prepared(prepared, verify=True)
    assert len(built.plans) == 1
    assert page_count(built.pdf) == 1 and page_size(built.pdf) == size
    small = [(round(s, 2), t) for s, t in text_sizes(built.pdf) if s < 8.5 - 0.01 and t.strip() not in ("", "!")]
    assert small == []
    text = squash(page_text(built.pdf))
    card = yaml.safe_load((CAPACITY / "card.yaml").read_text(encoding="utf-8"))
    flags = card["medical_attention"]["urgent"]["items"] + card["medical_attention"]["soon"]["items"]
    assert [f for f in flags if squash(f.replace("{emergency}", "911")) not in text] == []  # never dropped
    assert "RiversidePhysiotherapy" in text and squash("Bring this card.") in text


# -- sets of cards ------------------------------------------------------------------------


def test_packing_is_greedy_in_order_and_never_drops_a_block() -> None:
    blocks = card_blocks(4, notes=True, log=True)
    assert blocks[:3] == [("summary", 0), ("overview", 0), ("before", 0)]
    sizes = {"summary": 2, "overview": 4, "before": 3, "notes": 1, "point": 3, "log": 2}

    def fits(part: Part) -> bool:
        return sum(sizes[kind] for kind, _ in part.blocks) <= 7

    parts = pack(blocks, fits)
    assert [b for part in parts for b in part.blocks] == blocks  # all, in order, once
    assert [len(p.blocks) for p in parts] == [2, 3, 2, 2]
    assert all(p.count == len(parts) for p in parts) and [p.number for p in parts] == [1, 2, 3, 4]


def test_sciatica_in_large_print_on_letter_is_a_set_of_whole_cards() -> None:
    data = yaml.safe_load(SCIATICA.read_text(encoding="utf-8"))
    pdf = build_pdf(SCIATICA, layout="large-print")
    pages = pages_text(pdf)
    count = len(pages)
    assert count >= 2
    assert all(page_size(pdf, i) == (612.0, 792.0) for i in range(count))
    for number, page in enumerate(pages, start=1):
        assert squash(f"Card {number} of {count}") in page
        assert squash(data["title"]) in page
        assert squash(data["medical_attention"]["urgent"]["items"][2]) in page  # the whole box
        assert squash(data["medical_attention"]["soon"]["items"][-1]) in page
        assert squash(data["sources"][-1]) in page
    # every point on exactly one card, whole (its first and last step on the same page)
    for point in data["points"]:
        holding = [i for i, page in enumerate(pages) if squash(point["where"]) in page]
        assert len(holding) == 1, point["id"]
        assert squash(point["steps"][-1]) in pages[holding[0]]
    # type never below 16 pt on any page
    assert [s for s, t in text_sizes(pdf) if s < 16 - 0.01 and t.strip() not in ("", "!")] == []


def test_a_set_is_tagged_card_by_card() -> None:
    pdf = build_pdf(SCIATICA, layout="large-print")
    assert untagged(pdf) == []
    tree = structure(pdf)
    h1 = [n for n in tree.walk() if n.role == "H1"]
    assert len(h1) == page_count(pdf)  # each card starts with its title
    figures = [n for n in tree.walk() if n.role == "Figure"]
    assert figures and all(f.alt for f in figures)


def test_pocket_set_prints_one_card_per_half_sheet() -> None:
    built = build_prepared(prepare(SCIATICA, layout="half-letter-2up"))
    pdf = built.pdf
    pages = pages_text(pdf)
    count = len(built.plans)
    assert count >= 2
    assert page_count(pdf) == (count + 1) // 2
    assert all(page_size(pdf, i) == (792.0, 612.0) for i in range(page_count(pdf)))
    joined = "".join(pages)
    for number in range(1, count + 1):
        assert joined.count(squash(f"Card {number} of {count}")) == 1


def test_letter_splits_only_when_asked(runner, tmp_path: Path) -> None:
    long_card = CAPACITY / "long-patient.yaml"
    with pytest.raises(FitError, match="print it as a set of 2 one-page cards"):
        build_pdf(long_card, layout="letter")
    refused = runner.invoke(app, ["check", str(long_card), "--layout", "letter"])
    assert refused.exit_code == 1
    assert "On the command line: --split or --only POINT,POINT." in refused.stderr
    out = tmp_path / "set.pdf"
    result = runner.invoke(app, ["build", str(long_card), "--layout", "letter", "--split", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert page_count(out.read_bytes()) == 2
    assert "a set of 2 one-page cards, fits at " in result.stdout
    assert "of the layout's full size" in result.stdout


def test_sets_are_deterministic() -> None:
    assert build_pdf(JANE, layout="large-print") == build_pdf(JANE, layout="large-print")


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda p: p.stem)
def test_check_all_layouts_passes_on_every_shipped_routine(runner, routine: Path) -> None:
    result = runner.invoke(app, ["check", str(routine), "--layout", "all"])
    assert result.exit_code == 0, result.output
