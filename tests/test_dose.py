"""The dose as data, worded per language: table tests, and the rules every line follows."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from pydantic import ValidationError

from routinecard.dose import PHRASE_KEYS, dose_line
from routinecard.locale import load_locale
from routinecard.model import DOSE_AMOUNTS, Timing

ENGLISH: list[tuple[dict[str, Any], str]] = [
    ({"hold_s": [20, 30], "repeats": [2, 3], "per_day": [2, 3]},
     "Hold 20 to 30 seconds · Repeat 2 to 3 times · 2 to 3 sessions a day"),
    ({"hold_s": 30, "per_day": 1}, "Hold 30 seconds · 1 session a day"),
    ({"hold_s": 1, "repeats": 1, "per_day": 1}, "Hold 1 second · Do it once · 1 session a day"),
    ({"hold_min": [1, 2], "per_week": [3, 4]}, "Hold 1 to 2 minutes · 3 to 4 sessions a week"),
    ({"hold_min": 1, "per_week": 1}, "Hold 1 minute · 1 session a week"),
    ({"roll_min": 2, "every_other_day": True}, "Roll for 2 minutes · Every other day"),
    ({"roll_s": [30, 60], "per_day": [1, 2]}, "Roll for 30 to 60 seconds · 1 to 2 sessions a day"),
    ({"stroke_min": [1, 2], "per_day": 2}, "Stroke for 1 to 2 minutes · 2 sessions a day"),
    ({"stroke_s": 45, "repeats": 2, "per_day": 1}, "Stroke for 45 seconds · Repeat 2 times · 1 session a day"),
    ({"rolls": [10, 15], "per_day": [1, 2]}, "Do 10 to 15 slow rolls · 1 to 2 sessions a day"),
    ({"strokes": [5, 10], "repeats": [2, 3], "every_other_day": True},
     "Do 5 to 10 slow strokes · Repeat 2 to 3 times · Every other day"),
    ({"strokes": 1, "per_week": 2}, "Do 1 slow stroke · 2 sessions a week"),
]

SPANISH: list[tuple[dict[str, Any], str]] = [
    ({"hold_s": [20, 30], "repeats": [2, 3], "per_day": [2, 3]},
     "Mantén de 20 a 30 segundos · Repite de 2 a 3 veces · De 2 a 3 sesiones al día"),
    ({"hold_s": 30, "per_day": 1}, "Mantén 30 segundos · 1 sesión al día"),
    ({"hold_s": 1, "repeats": 1, "per_day": 1}, "Mantén 1 segundo · Hazlo una vez · 1 sesión al día"),
    ({"hold_min": [1, 2], "per_week": [3, 4]}, "Mantén de 1 a 2 minutos · De 3 a 4 sesiones a la semana"),
    ({"hold_min": 1, "per_week": 1}, "Mantén 1 minuto · 1 sesión a la semana"),
    ({"roll_min": 2, "every_other_day": True}, "Rueda 2 minutos · Un día sí y otro no"),
    ({"roll_s": [30, 60], "per_day": [1, 2]}, "Rueda de 30 a 60 segundos · De 1 a 2 sesiones al día"),
    ({"stroke_min": [1, 2], "per_day": 2}, "Desliza de 1 a 2 minutos · 2 sesiones al día"),
    ({"stroke_s": 45, "repeats": 2, "per_day": 1}, "Desliza 45 segundos · Repite 2 veces · 1 sesión al día"),
    ({"rolls": [10, 15], "per_day": [1, 2]}, "Rueda despacio de 10 a 15 pasadas · De 1 a 2 sesiones al día"),
    ({"strokes": [5, 10], "repeats": [2, 3], "every_other_day": True},
     "Desliza despacio de 5 a 10 pasadas · Repite de 2 a 3 veces · Un día sí y otro no"),
    ({"strokes": 1, "per_week": 2}, "Desliza despacio 1 pasada · 2 sesiones a la semana"),
]


@pytest.mark.parametrize(("timing", "expected"), ENGLISH)
def test_english_dose_phrases(timing: dict[str, Any], expected: str) -> None:
    assert dose_line(Timing.model_validate(timing), load_locale("en")) == expected


@pytest.mark.parametrize(("timing", "expected"), SPANISH)
def test_spanish_dose_phrases(timing: dict[str, Any], expected: str) -> None:
    assert dose_line(Timing.model_validate(timing), load_locale("es")) == expected


def test_every_catalog_has_every_dose_phrase() -> None:
    for code in ("en", "es"):
        formats = load_locale(code).formats
        assert [key for key in PHRASE_KEYS if key not in formats] == [], code


# Words that count "times" (and their Spanish twins): at most one of them per line.
TIMES_WORDS = {"en": re.compile(r"\b(times?|once|twice)\b", re.I), "es": re.compile(r"\b(vez|veces)\b", re.I)}


@pytest.mark.parametrize("code", ["en", "es"])
def test_a_dose_line_never_says_times_twice(code: str) -> None:
    """Every amount x rounds x frequency, single values and ranges, 1 and more."""
    locale = load_locale(code)
    values: list[Any] = [1, 2, [1, 2], [2, 3]]
    frequencies: list[dict[str, Any]] = [{"per_day": v} for v in values] + [{"per_week": v} for v in values]
    frequencies.append({"every_other_day": True})
    for amount, number, repeats, frequency in itertools.product(DOSE_AMOUNTS, values, [None, *values], frequencies):
        data: dict[str, Any] = {amount: number, **frequency}
        if repeats is not None:
            data["repeats"] = repeats
        line = dose_line(Timing.model_validate(data), locale)
        assert len(TIMES_WORDS[code].findall(line)) <= 1, line
        assert "{" not in line and "  " not in line, line
        assert all(part[:1].isupper() or part[:1].isdigit() for part in line.split(" · ")), line


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        ({"per_day": 2}, "give exactly one of hold_s, hold_min"),
        ({"hold_s": 20, "roll_min": 2, "per_day": 2}, "(found hold_s, roll_min; to change the kind of dose, set the whole timing"),
        ({"hold_s": 20}, "give exactly one of per_day, per_week, every_other_day: true"),
        ({"hold_s": 20, "per_day": 1, "per_week": 3}, "(found per_day, per_week;"),
        ({"hold_s": 20, "per_day": 1, "every_other_day": True}, "(found per_day, every_other_day;"),
        ({"hold_s": 20, "every_other_day": "yes"}, "valid boolean"),
        ({"hold_min": 61, "per_day": 1}, "must be from 1 to 60, found 61"),
        ({"rolls": [15, 10], "per_day": 1}, "the range is backwards"),
    ],
)
def test_a_dose_that_does_not_say_one_thing_is_refused(timing: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        Timing.model_validate(timing)
    assert message in str(error.value)


def test_the_old_three_numbers_still_work() -> None:
    """Cards and patient files written before the dose model keep building."""
    timing = Timing.model_validate({"hold_s": [15, 30], "repeats": [2, 3], "per_day": [2, 3]})
    assert timing.amount == ("hold_s", (15, 30))
    assert timing.frequency == ("per_day", (2, 3))


def test_a_patient_file_changes_the_kind_of_dose_by_setting_the_whole_timing(tmp_path: Any) -> None:
    from conftest import SCIATICA, page_text, squash

    from routinecard import build_pdf

    patient = tmp_path / "p.yaml"
    patient.write_text(
        f"card: {SCIATICA}\nonly: [piriformis]\nset:\n  points.piriformis.timing: {{roll_min: 2, every_other_day: true}}\n",
        encoding="utf-8",
    )
    assert squash("Roll for 2 minutes · Every other day") in squash(page_text(build_pdf(patient)))
