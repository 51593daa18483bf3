"""Reading level lint: syllables, Flesch-Kincaid grade, what text of a card is measured."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routinecard import load_card
from routinecard.model import Card
from routinecard.readability import (
    EASE_LIMIT,
    GRADE_LIMIT,
    WORD_LIMIT,
    Report,
    Sentence,
    assess,
    card_texts,
    flesch_kincaid,
    grade_of,
    inflesz,
    inflesz_band,
    number_syllables,
    report_lines,
    spanish_syllables,
    split_sentences,
    syllables,
    words_of,
)

from conftest import CARDS, SCIATICA

SPANISH = CARDS / "sciatica-trigger-points.es.yaml"


# --------------------------------------------------------------------------- syllables

# Target: the first pronunciation in the CMU Pronouncing Dictionary, except where noted.
SYLLABLES = [
    ("the", 1),
    ("a", 1),
    ("breathe", 1),  # silent final e
    ("spine", 1),
    ("knots", 1),
    ("simple", 2),  # consonant + "le" is a syllable
    ("muscle", 2),
    ("muscles", 2),
    ("saddle", 2),
    ("buttock", 2),
    ("tender", 2),
    ("hamstrings", 2),
    ("numbness", 2),
    ("tingling", 2),  # CMU lists ting-ling (2) and ting-a-ling (3): 2 is how it is said
    ("comfortable", 4),  # CMU: com-for-ta-ble, the spelling's four vowel groups
    ("every", 3),  # CMU's first pronunciation ev-er-y (ev-ry, 2, is its variant)
    ("pressed", 1),  # -ed after a consonant other than t, d is silent
    ("rested", 2),
    ("tangled", 2),
    ("called", 1),
    ("shapes", 1),  # -es is silent ...
    ("places", 2),  # ... except after s, x, z, ch, sh, c, g
    ("boxes", 2),
    ("safely", 2),  # silent e before a suffix
    ("movement", 2),
    ("sometimes", 2),
    ("being", 2),  # vowel + ing
    ("going", 2),
    ("video", 3),  # vowel pairs said apart
    ("radio", 3),
    ("usual", 3),
    ("quiet", 2),
    ("nation", 2),  # but not -tion
    ("special", 2),
    ("union", 2),
    ("area", 3),
    ("fire", 2),
    ("layout", 2),
    ("unique", 2),
    ("people", 2),
    ("sciatica", 4),  # medical words of the shipped card
    ("piriformis", 4),
    ("gluteus", 3),
    ("medius", 3),
    ("minimus", 3),
    ("physio", 3),
    ("varicose", 3),
    ("genitals", 3),
    ("surgery", 3),
    ("isn't", 2),  # contractions
    ("don't", 1),
]


@pytest.mark.parametrize(("word", "count"), SYLLABLES)
def test_syllables_of_words(word: str, count: int) -> None:
    assert syllables(word) == count


@pytest.mark.parametrize(
    ("token", "count"),
    [
        ("15", 2),  # fif-teen
        ("30", 2),  # thir-ty
        ("7", 2),  # se-ven
        ("100", 3),  # one hun-dred
        ("2.5", 2),  # digits around the point: two, five
        ("911", 3),  # service numbers are said digit by digit
        ("999", 3),
        ("NHS", 3),  # abbreviations are spelled out: en-aitch-ess
        ("GP", 2),
        ("A&E", 2),
        ("NICE", 1),  # a pronounceable acronym is a word
        ("NG59", 5),  # en-gee fif-ty-nine
        ("e.g.", 2),
        ("half-turned", 2),
        ("Firm,", 1),
        ("(trigger", 2),
        ("\u2013", 0),
    ],
)
def test_syllables_of_numbers_abbreviations_and_punctuation(token: str, count: int) -> None:
    assert syllables(token) == count


def test_number_syllables_reads_counts_aloud() -> None:
    assert [number_syllables(n) for n in ("1", "11", "12", "20", "21", "77", "300", "1000", "0")] == [
        1, 3, 1, 2, 3, 5, 3, 3, 2
    ]
    # A phone number is read digit by digit, not as millions.
    assert number_syllables("01234567") == 2 + 1 + 1 + 1 + 1 + 1 + 1 + 2


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
def test_any_word_has_at_least_one_syllable_and_at_most_one_a_letter(word: str) -> None:
    assert 1 <= syllables(word) <= max(1, len(word))


# --------------------------------------------------------------------------- sentences


def test_sentences_split_on_end_punctuation_and_line_breaks() -> None:
    assert split_sentences("Go slowly and breathe. Hold on to something! Ready? Yes") == [
        "Go slowly and breathe.",
        "Hold on to something!",
        "Ready?",
        "Yes",
    ]
    assert split_sentences("Lie down\nBend your knees.") == ["Lie down", "Bend your knees."]


def test_sentences_do_not_split_inside_numbers_or_abbreviations() -> None:
    assert split_sentences("Use a ball, e.g. a tennis ball. Hold 2.5 minutes.") == [
        "Use a ball, e.g. a tennis ball.",
        "Hold 2.5 minutes.",
    ]
    assert split_sentences('Numbness in the "saddle" area.) Then rest.') == [
        'Numbness in the "saddle" area.)',
        "Then rest.",
    ]
    assert split_sentences("Sciatica in both legs") == ["Sciatica in both legs"]
    assert split_sentences(" ... ") == []


def test_words_count_ranges_as_two_numbers_and_ignore_lone_punctuation() -> None:
    assert words_of("Hold 15\u201330 s \u2013 then rest / breathe.") == [
        "Hold", "15", "30", "s", "then", "rest", "breathe."
    ]
    assert words_of("Go to A&E / the ER now") == ["Go", "to", "A&E", "the", "ER", "now"]
    assert words_of("Firm but comfortable.") == ["Firm", "but", "comfortable."]


# --------------------------------------------------------------------------- the formula


def test_formula() -> None:
    assert flesch_kincaid(10, 2, 15) == pytest.approx(0.39 * 5 + 11.8 * 1.5 - 15.59)
    assert math.isnan(flesch_kincaid(0, 0, 0))


# Grades worked out by hand with FKGL = 0.39 * words/sentences + 11.8 * syllables/words - 15.59
# and dictionary syllable counts:
#  "The cat sat on the mat.": 6 words, 1 sentence, 6 syllables -> 2.34 + 11.8 - 15.59 = -1.45
#  Platypus (an example of a hard sentence): 13 words, 25 syllables (The Aus-tral-ian pla-ty-pus
#    is seem-ing-ly a hy-brid of a mam-mal and rep-til-i-an crea-ture) -> 5.07 + 22.69 - 15.59 = 12.17
#  Gettysburg Address, first sentence: 30 words, 48 syllables -> 11.7 + 18.88 - 15.59 = 14.99
#  Green Eggs and Ham: 14 words (Sam-I-am is one), 2 sentences, 16 syllables
#    -> 2.73 + 13.49 - 15.59 = 0.63
PASSAGES = [
    ("The cat sat on the mat.", -1.45),
    ("The Australian platypus is seemingly a hybrid of a mammal and reptilian creature.", 12.17),
    (
        "Four score and seven years ago our fathers brought forth on this continent, a new "
        "nation, conceived in Liberty, and dedicated to the proposition that all men are "
        "created equal.",
        14.99,
    ),
    ("I do not like green eggs and ham. I do not like them, Sam-I-am.", 0.63),
]


@pytest.mark.parametrize(("text", "grade"), PASSAGES)
def test_grade_of_known_passages(text: str, grade: float) -> None:
    assert grade_of(text) == pytest.approx(grade, abs=1.0)


def test_the_easy_passage_is_exact() -> None:
    assert grade_of("The cat sat on the mat.") == pytest.approx(-1.45, abs=1e-9)


# --------------------------------------------------------------------------- cards


def small_card(summary: str = "Press on the sore spot with a ball.", **changes: object) -> Card:
    data: dict[str, object] = {
        "id": "plain",
        "title": "Plain card",
        "summary": summary,
        "points": [
            {
                "id": "calf",
                "name": "Calf",
                "where": "Back of the lower leg.",
                "refers_to": "The calf and heel.",
                "tool": "tennis-ball",
                "position": "Sit on the floor.",
                "pressure": {"min": 3, "max": 5, "words": "Firm but not sharp."},
                "timing": {"hold_s": [15, 30], "repeats": [2, 3], "per_day": [1, 2]},
                "steps": ["Put the ball under your calf.", "Hold still and breathe."],
            }
        ],
        "medical_attention": {
            "emergency_number": "999",
            "urgent": {"title": "Call {emergency} now if you have", "items": ["Chest pain"]},
            "soon": {"title": "See your doctor if", "items": ["The pain gets worse"]},
        },
        "sources": ["A source."],
    }
    data.update(changes)
    return Card.model_validate(data)


LONG_SUMMARY = (
    "Myofascial trigger points, which are hyperirritable localized regions within taut bands "
    "of skeletal muscle, frequently generate characteristic referred pain patterns that can "
    "closely imitate lumbosacral radiculopathy, consequently necessitating a careful "
    "differential diagnosis by an appropriately qualified musculoskeletal practitioner."
)


def test_shipped_english_card_is_at_most_grade_8_with_no_long_sentence() -> None:
    report = assess(load_card(SCIATICA))
    assert report.measured
    assert report.language == "en"
    assert 0 < report.grade <= GRADE_LIMIT
    assert report.words > 400 and report.sentences > 50
    assert len(report.longest) == 3 and len(report.hardest) == 3
    assert report.longest[0].words <= WORD_LIMIT
    assert [s.words for s in report.longest] == sorted((s.words for s in report.longest), reverse=True)
    assert report_lines(report) == [f"reading grade {report.grade:.1f} (limit 8)"]


def test_spanish_card_is_measured_on_the_inflesz_scale() -> None:
    """A Spanish card is not given an English grade; it is measured with the
    Szigriszt-Pazos formula on the INFLESZ scale, and must read as "normal" or easier."""
    report = assess(load_card(SPANISH))
    assert report.language == "es" and report.measured
    assert math.isnan(report.grade)
    assert EASE_LIMIT <= report.ease <= 100 and not report.above_limit
    assert report.sentences > 50 and report.words > 400
    assert [s.words for s in report.longest] == sorted((s.words for s in report.longest), reverse=True)
    assert all(s.words == len(words_of(s.text)) > 0 and math.isnan(s.grade) for s in report.longest)
    eases = [s.ease for s in report.hardest]
    assert eases == sorted(eases) and len(eases) == 3  # hardest: lowest score first
    (line,) = report_lines(report)
    assert line == f"reading ease {report.ease:.1f} on the INFLESZ scale ({inflesz_band(report.ease)}), 55 or more reads as normal"


@pytest.mark.parametrize(("word", "count"), [
    ("dolor", 2), ("pierna", 2), ("día", 2), ("tobillo", 3), ("hoy", 1), ("y", 1), ("que", 1), ("ciudad", 2),
    ("ayuda", 3), ("poeta", 3), ("aeropuerto", 5), ("país", 2), ("músculo", 3), ("respiración", 4),
    ("urgencias", 3), ("15", 2), ("30", 2), ("45", 6), ("112", 5), ("rodilla,", 3), ("¿Duele?", 2),
])
def test_spanish_syllables(word: str, count: int) -> None:
    assert spanish_syllables(word) == count


def test_a_hard_spanish_text_is_below_the_limit_and_names_its_hardest_sentences() -> None:
    hard = ("La administración concomitante de antiinflamatorios esteroideos incrementa considerablemente "
            "la probabilidad de complicaciones hemorrágicas postoperatorias significativas.")
    tokens = words_of(hard)
    score = inflesz(len(tokens), 1, sum(spanish_syllables(t) for t in tokens))
    assert score < 40 and inflesz_band(score) == "very hard"
    card = small_card(" ".join([hard] * 4), language="es")
    report = assess(card)
    assert report.measured and report.above_limit
    lines = report_lines(report)
    assert lines[0].startswith(f"reading ease {report.ease:.1f} on the INFLESZ scale (")
    assert lines[0].endswith("is below 55: shorten these sentences and use shorter words:")
    assert lines[1] == f"  summary ({len(tokens)} words): {hard}"  # the hardest sentences, hardest first


def test_a_long_complex_summary_pushes_the_card_above_the_limit() -> None:
    plain = assess(small_card())
    hard = assess(small_card(LONG_SUMMARY))
    assert plain.grade <= GRADE_LIMIT < hard.grade
    assert hard.longest[0] == Sentence(LONG_SUMMARY, "summary", 38, hard.longest[0].grade)
    assert hard.longest[0].grade > 20
    assert hard.hardest[0].field == "summary"
    lines = report_lines(hard)
    assert lines[0] == f"reading grade {hard.grade:.1f} is above 8: shorten these sentences:"
    assert lines[1] == f"  summary (38 words): {LONG_SUMMARY}"
    assert len(lines) == 1 + 3


def test_measured_text_is_the_patient_facing_text_only() -> None:
    card = small_card()
    fields = [field for field, _ in card_texts(card)]
    assert fields == [
        "summary",
        "points[0].where",
        "points[0].refers_to",
        "points[0].position",
        "points[0].pressure.words",
        "points[0].steps[0]",
        "points[0].steps[1]",
        "medical_attention.urgent.title",
        "medical_attention.urgent.items[0]",
        "medical_attention.soon.title",
        "medical_attention.soon.items[0]",
    ]
    # Title, point names and sources are not read as sentences.
    jargon = "Hyperirritable Myofascial Radiculopathy Considerations"
    other = small_card(
        title=jargon,
        sources=[LONG_SUMMARY],
        points=[{**card.points[0].model_dump(), "name": jargon}],
    )
    assert assess(other) == assess(card)


def test_emergency_placeholder_is_read_as_a_number() -> None:
    report = assess(small_card(), top=20)
    title = next(s for s in report.longest if s.field == "medical_attention.urgent.title")
    assert title.text == "Call 911 now if you have"
    assert title.words == 6


def test_list_items_and_sentences_in_a_field_are_counted_separately() -> None:
    report = assess(small_card(), top=50)
    # 1 summary + 4 point fields + 2 steps + 2 titles + 2 items = 11 sentences.
    assert report.sentences == 11
    two = small_card(summary="Press on the sore spot. Use a ball.")
    assert assess(two).sentences == 12
    assert report.words == sum(s.words for s in report.longest)


def test_top_limits_the_lists_and_orders_them() -> None:
    report = assess(small_card(LONG_SUMMARY), top=5)
    assert len(report.longest) == 5 and len(report.hardest) == 5
    # Longest first; equal lengths keep the card's reading order.
    assert [(s.words, s.field) for s in report.longest] == [
        (38, "summary"),
        (6, "points[0].steps[0]"),
        (6, "medical_attention.urgent.title"),
        (5, "points[0].where"),
        (4, "points[0].refers_to"),
    ]
    grades = [s.grade for s in report.hardest]
    assert grades == sorted(grades, reverse=True)


def test_english_variants_are_graded() -> None:
    assert assess(small_card(language="en-GB")).measured
    assert not assess(small_card(language="fr")).measured


# --------------------------------------------------------------------------- report lines


def sentence(words: int, field: str = "points[1].where") -> Sentence:
    return Sentence(" ".join(["word"] * words) + ".", field, words, 12.0)


def report(grade: float, *longest: Sentence, measured: bool = True, language: str = "en") -> Report:
    return Report(grade, 300, 30, tuple(longest), tuple(longest), language, measured)


def test_report_lines_within_the_limit() -> None:
    assert report_lines(report(6.24, sentence(12))) == ["reading grade 6.2 (limit 8)"]
    # 8.04 prints as 8.0: not above 8.
    assert report_lines(report(8.04, sentence(12))) == ["reading grade 8.0 (limit 8)"]


def test_report_lines_above_the_limit_list_the_longest_sentences() -> None:
    lines = report_lines(report(9.06, sentence(24), sentence(18, "summary")))
    assert lines == [
        "reading grade 9.1 is above 8: shorten these sentences:",
        "  points[1].where (24 words): " + " ".join(["word"] * 24) + ".",
        "  summary (18 words): " + " ".join(["word"] * 18) + ".",
    ]


def test_report_lines_flag_long_sentences_even_within_the_limit() -> None:
    lines = report_lines(report(7.0, sentence(21), sentence(20, "summary")))
    assert lines == [
        "reading grade 7.0 (limit 8)",
        f"sentences over {WORD_LIMIT} words: shorten them:",
        "  points[1].where (21 words): " + " ".join(["word"] * 21) + ".",
    ]


def test_report_lines_for_another_language() -> None:
    assert report_lines(report(math.nan, sentence(30), measured=False, language="fr")) == [
        "reading grade not measured: Flesch-Kincaid is an English formula, INFLESZ a Spanish one, and this "
        "card is in 'fr'; have a native speaker check it reads plainly"
    ]
