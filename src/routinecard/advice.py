"""What to tell a user whose card does not fit, and what "fits at N%" means.

Advice is only what would help this card: a layout where it was tried and fits, `--split`
when the card can print as a set, fewer points when it has more than one, and its longest
texts by name. Nothing is suggested that was not measured or does not apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from routinecard.layouts import Layout
from routinecard.model import Card

LONGEST_SHOWN = 3


def scale_words(percent: int) -> str:
    """'fits at 79%' in words: the fit scales all type (and figures) together."""
    return f"type at {percent}% of the layout's full size"


def fit_summary(percents: list[int], *, one: str = "fits one page at") -> str:
    """'fits one page at 79% (type at ...)', or for a set 'a set of 3 one-page cards, fits
    at 100% (...)' (the smallest of the set)."""
    if len(percents) == 1:
        return f"{one} {percents[0]}% ({scale_words(percents[0])})"
    low = min(percents)
    return f"a set of {len(percents)} one-page cards, fits at {low}% ({scale_words(low)})"


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]")


def longest_texts(card: Card, count: int = LONGEST_SHOWN) -> list[tuple[str, int]]:
    """The card's longest printed texts as (field, characters), points named by id (the
    way `--set` names them). Red flags are left out: they are never to be shortened."""
    data = card.model_dump(mode="python", exclude={"medical_attention", "id", "language", "tools"})
    points = data.pop("points", [])
    found = [(path, len(text)) for path, text in _texts(data, "")]
    for point in points:
        for path, text in _texts({k: v for k, v in point.items() if k not in ("id", "tool", "side")}, ""):
            found.append((f"points.{point['id']}.{path}", len(text)))
    found.sort(key=lambda item: (-item[1], item[0]))
    return found[:count]


def overflow_message(
    layout: Layout,
    over: float,
    frame_height: float,
    *,
    card: Card,
    roomier: list[str],
    set_of: int | None,
) -> str:
    """Say by how much, then only what would help, in words any front end can use (the
    command line adds its options: see cli._with_advice).

    `roomier`: built-in layouts (with type no smaller than this one's) where the card was
    tried and fits one page; `set_of`: how many cards it prints as with `--split` (None
    when it cannot, or when this layout already splits)."""
    head = (
        f"does not fit on one {layout.name!r} page, even with the smallest type ({layout.type.min:g}pt): "
        f"about {over / 72:.1f} in ({over * 25.4 / 72:.0f} mm) too long, {over / frame_height:.0%} of the page."
    )
    helps: list[str] = []
    if set_of is not None:
        helps.append(f"print it as a set of {set_of} one-page cards")
    if roomier:
        helps.append(f"use a layout where it fits (tried): {' or '.join(roomier)}")
    if len(card.points) > 1:
        helps.append("keep fewer points (`only:` in a patient file)")
    longest = ", ".join(f"{path} ({length} characters)" for path, length in longest_texts(card))
    helps.append(f"shorten the longest texts: {longest}")
    return head + " To make it fit: " + "; or ".join(helps) + "."
