"""The printed card: one page, right size, every word, embedded fonts, same bytes."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from conftest import (
    ROOT,
    SCIATICA,
    printed,
    all_strings,
    card_data,
    declared_fonts,
    fonts_used,
    page_count,
    page_size,
    page_text,
    render,
    squash,
    write_card,
)
from routinecard import build_pdf, load_card
from routinecard.errors import InputError
from routinecard.dose import dose_line
from routinecard.locale import load_locale

LETTER = (612.0, 792.0)
A4 = (595.3, 841.9)


def test_letter_card_is_one_letter_page(sciatica_pdf: bytes) -> None:
    assert sciatica_pdf.startswith(b"%PDF-")
    assert page_count(sciatica_pdf) == 1
    assert page_size(sciatica_pdf) == LETTER


def test_a4_card_is_one_a4_page(sciatica_a4_pdf: bytes) -> None:
    assert page_count(sciatica_a4_pdf) == 1
    assert page_size(sciatica_a4_pdf) == A4


@pytest.mark.parametrize("layout", ["letter", "a4"])
def test_every_word_of_the_card_is_on_the_page(layout: str) -> None:
    pdf = build_pdf(SCIATICA, layout=layout)
    text = squash(page_text(pdf))
    card = load_card(SCIATICA)
    expected = [card.title, card.summary, *card.before_you_start, *card.sources]
    for point in card.points:
        expected += [point.name, point.where, point.refers_to, point.position, point.pressure.words, *point.steps]
        expected.append(dose_line(point.timing, load_locale("en")))
    for tier in (card.medical_attention.urgent, card.medical_attention.soon):
        expected += [tier.title.replace("{emergency}", "emergency services").replace("{emergency_department}", "the hospital"), *tier.items]
    missing = [s for s in expected if squash(s) not in text]
    assert missing == []


def test_every_string_of_the_yaml_is_on_the_page(sciatica_pdf: bytes) -> None:
    """Nothing lost: every string the author wrote, except ids, reaches the page."""
    data = card_data()
    ids = {data["id"], data["language"], *data.get("body_regions", []), *(p["id"] for p in data["points"]), *(p["tool"] for p in data["points"])}
    ids |= {p["side"] for p in data["points"]} | {p["site"] for p in data["points"]}  # printed as words
    ids |= {s for p in data["points"] if "pose" in p for s in all_strings({"pose": p["pose"]})}  # drawn as a picture
    text = squash(page_text(sciatica_pdf))
    missing = [s for s in all_strings(data) if s not in ids and squash(printed(data, s)) not in text]
    assert missing == []


def test_timing_reads_as_plain_words(sciatica_pdf: bytes) -> None:
    line = "Hold 15 to 30 seconds \u00b7 Repeat 2 to 3 times \u00b7 2 to 3 sessions a day"
    assert squash(line) in squash(page_text(sciatica_pdf))


def test_body_map_caption_names_view_and_side(sciatica_pdf: bytes) -> None:
    assert squash("Back view \u00b7 right side") in squash(page_text(sciatica_pdf))


def test_medical_attention_heading_is_on_the_page(sciatica_pdf: bytes) -> None:
    assert "WHEN TO SEEK MEDICAL ATTENTION" in page_text(sciatica_pdf)


def test_all_fonts_are_embedded_and_nothing_else_is_referenced(sciatica_pdf: bytes) -> None:
    used = fonts_used(sciatica_pdf)
    assert used, "no text objects found"
    assert all(used.values()), used
    assert set(used) <= {"AtkinsonHyperlegible-Regular", "AtkinsonHyperlegible-Bold"}
    declared = declared_fonts(sciatica_pdf)
    assert declared and all(name.startswith(b"AAAAAA+") for name in declared), declared  # subset, no Helvetica


def test_two_builds_give_identical_bytes() -> None:
    assert build_pdf(SCIATICA) == build_pdf(SCIATICA)


def test_two_processes_give_identical_bytes(tmp_path: Path) -> None:
    """Same input, same bytes, across separate processes: nothing may hang on hash order,
    object ids, the cache's state or the working folder (the second process runs in
    another folder with another hash seed, and finds the disk caches already made)."""
    import subprocess
    import sys

    patient = ROOT / "patients" / "example-jane.yaml"
    outputs = []
    for run, seed in enumerate(("1", "4242")):
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "routinecard", "build", str(SCIATICA), str(patient), "-o", str(folder / "out"),
             "--jobs", "1", "--force"],
            cwd=folder, env=env, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted((folder / "out").glob("*.pdf"))})
    assert len(outputs[0]) == 2 and outputs[0] == outputs[1]
    assert outputs[0]["sciatica-trigger-points.pdf"] == build_pdf(SCIATICA)  # and the same as in this process


def test_source_date_epoch_sets_the_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    pdf = build_pdf(SCIATICA)
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:  # the Info dictionary may be in an object stream
        assert str(document.docinfo.CreationDate).startswith("D:20260101000000")
        assert str(document.docinfo.ModDate).startswith("D:20260101000000")
    assert pdf == build_pdf(SCIATICA)


def test_metadata_title_and_author(sciatica_pdf: bytes) -> None:
    from conftest import pdf_document

    meta = pdf_document(sciatica_pdf).get_metadata_dict()
    assert meta["Title"] == "Self-massage for sciatica trigger points"
    assert meta["Author"]
    assert meta["Creator"].startswith("routinecard")


def test_medical_attention_box_is_red_and_dark_in_greyscale(sciatica_pdf: bytes) -> None:
    """The heading bar is filled in the warning colour and still reads dark in black and white."""
    image = render(sciatica_pdf, dpi=50)
    grey = image.convert("L")
    width, height = image.size
    red = [
        (x, y)
        for y in range(height)
        for x in range(width)
        if (lambda px: px[0] > 150 and px[1] < 60 and px[2] < 80)(image.getpixel((x, y)))
    ]
    assert len(red) > 1500  # a solid bar, not a thin line
    assert max(grey.getpixel(xy) for xy in red) < 110  # prints dark grey in black and white


@pytest.mark.parametrize(
    "text",
    ['<b>bold?</b> & 5 < 7', '<img src="/etc/passwd"/>', "<font color=red>x</font> <br/> \"quoted\" back\\slash", "&amp; &lt;"],
)
def test_markup_in_user_text_prints_literally(tmp_path, text: str) -> None:
    data = card_data()
    data["summary"] = text
    pdf = build_pdf(write_card(tmp_path, data))
    assert squash(text) in squash(page_text(pdf))


def test_greek_and_cyrillic_use_the_fallback_font(tmp_path) -> None:
    data = card_data()
    data["summary"] = "Ελληνικά и русский текст, Zażółć gęślą jaźń."
    data["points"][0]["name"] = "Грушевидная мышца"
    pdf = build_pdf(write_card(tmp_path, data))
    text = page_text(pdf)
    assert "Ελληνικά и русский текст, Zażółć gęślą jaźń." in text.replace("\r\n", " ")
    assert "Грушевидная мышца" in text
    used = fonts_used(pdf)
    assert all(used.values())
    assert any(name.startswith("NotoSans") for name in used)


def test_a_character_no_font_has_is_refused_with_its_field(tmp_path) -> None:
    data = card_data()
    data["points"][1]["steps"][0] = "Press gently \u6309"
    path = write_card(tmp_path, data)
    with pytest.raises(InputError) as caught:
        build_pdf(path)
    message = str(caught.value)
    assert "points[1].steps[0]" in message
    assert "U+6309" in message


def test_the_sciatica_card_stays_small(sciatica_pdf: bytes) -> None:
    """A size budget (issue 19: a card no bigger than Typst's for the same content): the
    position pictures' outlines are simplified and rounded, the structure tree sits in a
    compressed object stream. 69 KB when this was written; Typst's is 46 KB."""
    assert len(sciatica_pdf) < 75_000, len(sciatica_pdf)
