"""Fixed words printed on every card, and how numbers and ranges read.

One place for the card's own wording, so labels are consistent and can later move to
locale catalogs without touching the layout code.
"""

from __future__ import annotations

from routinecard.model import Pressure, Timing

LABELS = {
    "patient": "Name",
    "date": "Date",
    "before_you_start": "Before you start",
    "where": "Where",
    "refers_to": "Pain felt in",
    "tool": "Tool",
    "position": "Position",
    "pressure": "How hard",
    "timing": "How long",
    "steps": "Steps",
    "medical_attention": "When to seek medical attention",
    "sources": "Sources",
    "pressure_scale": "Pressure",
    "how_hard_all": "How hard to press",
    "view_posterior": "Back view",
    "view_anterior": "Front view",
    "side_right": "right side",
    "side_left": "left side",
    "side_both": "both sides",
    "pressure_none": "none",
    "pressure_worst": "worst",
}


def number_range(low: int, high: int) -> str:
    """15, 30 -> '15–30' (en dash); 20, 20 -> '20'."""
    return str(low) if low == high else f"{low}\u2013{high}"


def times(low: int, high: int) -> str:
    if low == high == 1:
        return "once"
    return f"{number_range(low, high)} times"


def timing_text(timing: Timing) -> str:
    """'Hold 15–30 s · repeat 2–3 times · 2–3 times a day'."""
    hold = f"Hold {number_range(*timing.hold_s)} s"
    repeat = f"repeat {times(*timing.repeats)}"
    per_day = f"{times(*timing.per_day)} a day"
    return " \u00b7 ".join((hold, repeat, per_day))


def pressure_text(pressure: Pressure) -> str:
    """'4–6 out of 10'."""
    return f"{number_range(pressure.min, pressure.max)} out of 10"


def figure_caption(view: str, sides: set[str]) -> str:
    """'Back view · right side': which way the map faces and which side is shown."""
    side = "both" if len(sides) != 1 else next(iter(sides))
    return f"{LABELS['view_' + view]} \u00b7 {LABELS['side_' + side]}"
