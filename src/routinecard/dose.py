"""The dose in plain words, per language: "Hold 20 to 30 seconds · Repeat 2 times · 1 to 2 sessions a day".

A `Timing` is data (model.py); this module only words it, with the phrases of the locale
catalog (`formats`, keys named after the Timing field: `hold_seconds`, `roll_minutes`,
`per_week`...; a `_one` key is the singular). Each part starts with a capital and parts
are joined by the catalog's separator. Only the rounds ("Repeat 2 times") say "times":
the other parts say seconds, minutes, rolls, strokes or sessions, so a line never uses
"times" in two meanings.
"""

from __future__ import annotations

from routinecard.locale import Locale
from routinecard.model import Timing

# Timing field -> catalog key of its phrase.
_AMOUNT_KEYS = {
    "hold_s": "hold_seconds",
    "hold_min": "hold_minutes",
    "roll_s": "roll_seconds",
    "roll_min": "roll_minutes",
    "stroke_s": "stroke_seconds",
    "stroke_min": "stroke_minutes",
    "rolls": "rolls",
    "strokes": "strokes",
}

PHRASE_KEYS = (
    "range_words",
    *(key + suffix for key in (*_AMOUNT_KEYS.values(), "repeats", "per_day", "per_week") for suffix in ("", "_one")),
    "every_other_day",
)


def amount_words(locale: Locale, low: int, high: int) -> str:
    """20, 30 -> '20 to 30' (es: 'de 20 a 30'); 20, 20 -> '20'."""
    return str(low) if low == high else locale.formats["range_words"].format(low=low, high=high)


def _phrase(locale: Locale, key: str, value: tuple[int, int]) -> str:
    low, high = value
    singular = low == high == 1
    text = locale.formats[f"{key}_one" if singular else key].format(n=amount_words(locale, low, high))
    return _capitalised(text)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def dose_parts(timing: Timing, locale: Locale) -> list[str]:
    """The dose as separate phrases, in order: amount, rounds (when given), how often."""
    name, value = timing.amount
    parts = [_phrase(locale, _AMOUNT_KEYS[name], value)]
    if timing.repeats is not None:
        parts.append(_phrase(locale, "repeats", timing.repeats))
    frequency, count = timing.frequency
    if count is None:
        parts.append(_capitalised(locale.formats[frequency]))
    else:
        parts.append(_phrase(locale, frequency, count))
    return parts


def dose_line(timing: Timing, locale: Locale) -> str:
    """The whole dose on one line, as printed on the card."""
    return locale.formats["separator"].join(dose_parts(timing, locale))
