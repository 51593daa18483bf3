"""Fit: choose the one scale at which a card fills exactly one page.

Every size on the card (type, spacing, figures) is the layout's size times one scale.
`fit` searches for the largest scale between the layout's minimum and maximum at which
the composed story fits the page frame. If even the minimum does not fit, it raises
`FitError` saying by how much and what to do, rather than clip, drop or add a page.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.platypus import Flowable

from routinecard import advice
from routinecard.assets import CardAssets
from routinecard.compose.sections import Composer, Story
from routinecard.errors import FitError, Problem
from routinecard.fonts import FontSet
from routinecard.layouts import Layout
from routinecard.locale import Locale
from routinecard.model import Card
from routinecard.prepare import Extras
from routinecard.split import BlockTooLarge, Part, card_blocks, pack

FIT_PRECISION = 0.01  # scale steps the search resolves; 1% of type size


@dataclass(frozen=True)
class PagePlan:
    """The story that fits, and how: the scale used and the room left."""

    story: list[Flowable]
    scale: float
    height: float
    available: float
    passes: int
    fit_percent: int = field(init=False)  # the scale as `check` and `build` report it
    part: Part | None = None  # the card's share of a set; None: the whole routine

    def __post_init__(self) -> None:
        object.__setattr__(self, "fit_percent", round(self.scale * 100))


def story_height(story: list[Flowable], width: float, height: float) -> float:
    total = 0.0
    for flowable in story:
        _, h = flowable.wrap(width, height)
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


# Scales already found, by everything the search depends on. A warm process (a worker,
# a web app's preview) that builds the same card again composes it once at the known
# scale instead of searching (about four passes). The key covers every input of the
# search, so a remembered scale is exactly what a fresh search would find: same bytes.
_REMEMBERED: OrderedDict[bytes, float] = OrderedDict()
_REMEMBERED_LIMIT = 1024
_remember_lock = threading.Lock()


def forget_scales() -> None:
    """Drop every remembered scale (tests that count search passes start from here)."""
    with _remember_lock:
        _REMEMBERED.clear()


def _file_stamp(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        info = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def fit_key(card: Card, layout: Layout, assets: CardAssets, locale: Locale, extras: Extras,
            part: Part | None = None) -> bytes:
    """A digest of every input the search depends on (content, layout, language, the
    personal extras, and the files pictures come from)."""
    files = [*(tool.icon for tool in assets.tools.values()), assets.logo, *assets.photos.values(), extras.clinic_logo]
    parts = [
        card.model_dump_json(),
        layout.model_dump_json(),
        repr(locale),  # the code and every label and format
        # what prints besides the card (not where it was read from)
        repr((extras.clinic, extras.clinic_logo, extras.personal.patient, extras.personal.clinician,
              extras.personal.date, extras.personal.notes, extras.log, extras.emergency)),
        repr(part),  # a card of a set holds only its share
        *(_file_stamp(f) for f in files),
    ]
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).digest()


def fit(
    card: Card,
    layout: Layout,
    fonts: FontSet,
    assets: CardAssets,
    *,
    card_name: str,
    locale: Locale,
    extras: Extras,
    alternatives: Sequence[Layout] = (),
    part: Part | None = None,
) -> PagePlan:
    """Find the largest scale in [min, max] at which the card fits one page.

    A guided search on height(scale): the first guess is 100%; the next comes from a
    model (height grows about as scale^1.8: lines get both taller and more numerous),
    then from the secant through the measured points, always inside the bracket
    [fits, too long]. Heights move in steps (lines wrap), so after a guess that fits we
    probe one step above it: if that is too long, the search is done. Typically three
    or four layout passes per card.

    `alternatives` are the layouts an overflow message may suggest instead (those with
    more room than `layout`).
    """
    passes = 0
    frame = layout.page.frame()[3]
    key = fit_key(card, layout, assets, locale, extras, part)
    with _remember_lock:
        known_scale = _REMEMBERED.get(key)
    if known_scale is not None:
        composer = Composer(card, layout, fonts, assets, known_scale, locale=locale, extras=extras, part=part)
        story = composer.story()
        height = story_height(story.flowables, composer.frame_width, composer.frame_height)
        if height <= frame:  # always, unless the font set changed under a running process
            return PagePlan(story.flowables, known_scale, spread(story, height, composer.frame_height, composer.gap), frame, 1,
                            part)

    low_scale, high_scale = layout.min_scale, layout.max_scale
    fits: tuple[float, float, Composer, Story] | None = None  # (scale, height, ...)
    over: tuple[float, float] | None = None  # (scale, height)

    def attempt(scale: float) -> tuple[Composer, Story, float]:
        nonlocal passes
        passes += 1
        try:
            composer = Composer(card, layout, fonts, assets, scale, locale=locale, extras=extras, part=part)
            story = composer.story()
            return composer, story, story_height(story.flowables, composer.frame_width, composer.frame_height)
        except ValueError as error:
            # reportlab's "negative availWidth": the layout's sizes, each within bounds and
            # checked together (layouts.room_problems), still leave a column no room here.
            if "availWidth" not in str(error):
                raise
            raise FitError(no_room(layout, card_name)) from None

    guess = min(max(1.0, low_scale), high_scale)
    probe_next = False
    while passes < 16:
        composer, story, height = attempt(guess)
        if height <= frame:
            fits = (guess, height, composer, story)
            probe_next = not probe_next
        else:
            over = (guess, height)
            probe_next = False
        # what next?
        if fits is not None and fits[0] >= high_scale - 1e-9:
            break  # fits at the largest size
        if fits is not None and over is not None and over[0] - fits[0] <= FIT_PRECISION:
            break  # bracket closed
        if fits is None and over is not None and over[0] <= low_scale + 1e-9:
            excess = over[1] - frame
            larger = tuple(roomier(layout, alternatives))
            message = overflow_message(layout, excess, frame, larger)
            raise FitError(Problem(message, file=card_name, roomier=larger), overflow=excess, roomier=larger)
        if fits is not None and over is not None:
            if probe_next:
                guess = fits[0] + FIT_PRECISION
            elif over[1] > fits[1] and passes < 10:
                guess = fits[0] + (frame - fits[1]) / (over[1] - fits[1]) * (over[0] - fits[0])
            else:
                guess = (fits[0] + over[0]) / 2
            guess = min(max(guess, fits[0] + FIT_PRECISION / 2), over[0] - FIT_PRECISION / 2)
        else:
            known = (fits[0], fits[1]) if fits is not None else over
            assert known is not None
            scale, measured = known
            guess = scale * (frame / measured) ** (1 / 1.8)
            guess += -0.003 if fits is None else 0.003  # aim just inside, so the next probe can close
            guess = min(max(guess, low_scale), high_scale)
            if fits is not None and guess <= fits[0]:
                guess = min(fits[0] + FIT_PRECISION, high_scale)
    assert fits is not None
    scale, height, composer, story = fits
    with _remember_lock:
        _REMEMBERED[key] = scale
        if len(_REMEMBERED) > _REMEMBERED_LIMIT:
            _REMEMBERED.popitem(last=False)
    return PagePlan(story.flowables, scale, spread(story, height, composer.frame_height, composer.gap), frame, passes, part)


def overflow_at_min(
    card: Card,
    layout: Layout,
    fonts: FontSet,
    assets: CardAssets,
    *,
    locale: Locale,
    extras: Extras,
    part: Part | None = None,
) -> float:
    """How far the card runs past the page at the layout's smallest type (points; zero or
    less: it fits). One layout pass: what a set is packed with and advice is measured by."""
    composer = Composer(card, layout, fonts, assets, layout.min_scale, locale=locale, extras=extras, part=part)
    story = composer.story()
    return story_height(story.flowables, composer.frame_width, composer.frame_height) - layout.page.frame()[3]


def fit_pages(
    card: Card,
    layout: Layout,
    fonts: FontSet,
    assets: CardAssets,
    *,
    card_name: str,
    locale: Locale,
    extras: Extras,
    alternatives: Sequence[Layout] = (),
) -> list[PagePlan]:
    """The card on one page; or, when it does not fit and the layout splits (pocket and
    large print, or `--split`), a set of whole one-page cards, the fewest that fit.
    Otherwise a `FitError` whose advice was measured for this card."""
    try:
        return [fit(card, layout, fonts, assets, card_name=card_name, locale=locale, extras=extras)]
    except FitError as error:
        overflow = error.overflow
    blocks = card_blocks(len(card.points), notes=bool(extras.personal.notes), log=extras.log is not None)

    def fits(part: Part) -> bool:
        return overflow_at_min(card, layout, fonts, assets, locale=locale, extras=extras, part=part) <= 0

    frame = layout.page.frame()[3]
    parts: list[Part] | None
    try:
        parts = pack(blocks, fits)
    except BlockTooLarge as too_large:
        if layout.split:
            kind, index = too_large.block
            what = f"point {card.points[index].id!r}" if kind == "point" else f"the {kind}"
            alone = Part(1, 2, (too_large.block,))
            excess = overflow_at_min(card, layout, fonts, assets, locale=locale, extras=extras, part=alone)
            message = (
                f"does not fit on one {layout.name!r} page, even as a set of cards: {what}, with the title, "
                f"the medical-attention box and the sources, is about {excess / 72:.1f} in "
                f"({excess * 25.4 / 72:.0f} mm) too long at the smallest type ({layout.type.min:g}pt). "
                f"To make it fit: shorten the longest texts: "
                + ", ".join(f"{path} ({length} characters)" for path, length in advice.longest_texts(card))
                + "."
            )
            raise FitError(Problem(message, file=card_name), overflow=excess) from None
        parts = None
    if layout.split and parts is not None:
        return [
            fit(card, layout, fonts, assets, card_name=card_name, locale=locale, extras=extras, part=part)
            for part in parts
        ]
    roomy = [
        other.name
        for other in alternatives
        if other.name != layout.name
        and other.type.min >= layout.type.min
        and other.page.sheet is None
        and overflow_at_min(card, other, fonts, assets, locale=locale, extras=extras) <= 0
    ]
    set_of = len(parts) if parts is not None else None
    message = advice.overflow_message(layout, overflow, frame, card=card, roomier=roomy, set_of=set_of)
    problem = Problem(message, file=card_name, roomier=tuple(roomy), set_of=set_of, points=len(card.points))
    raise FitError(problem, overflow=overflow, roomier=tuple(roomy))


def no_room(layout: Layout, card_name: str) -> Problem:
    """The layout leaves a table cell no width: said at the layout's file if it has one."""
    from routinecard.errors import display_path

    where = display_path(layout.files[0]) if layout.files else card_name
    return Problem(
        f"the layout {layout.name!r} leaves no room for the text of this card: its columns are too narrow for "
        "the figures, the gap and the text; make the gap, close-ups or icons smaller, or use fewer columns",
        file=where,
    )


def roomier(layout: Layout, alternatives: Sequence[Layout]) -> list[str]:
    """The names of the layouts with clearly more room for text at their smallest type."""
    _, _, width, height = layout.page.frame()
    room = width * height / layout.type.min**2
    names = []
    for other in alternatives:
        _, _, w, h = other.page.frame()
        if other.name != layout.name and w * h / other.type.min**2 > room * 1.05:
            names.append(other.name)
    return names


def overflow_message(layout: Layout, over: float, frame_height: float, larger: Sequence[str]) -> str:
    """Say by how much, and what the user can do about it."""
    bigger = f", or use a layout with more room ({' or '.join(larger)})" if larger else ""
    return (
        f"does not fit on one {layout.name!r} page, even with the smallest type ({layout.type.min:g}pt): "
        f"about {over / 72:.1f} in ({over * 25.4 / 72:.0f} mm) too long, {over / frame_height:.0%} of the page. "
        f"To make it fit: shorten the longest texts, keep fewer points (`only:` in a patient file){bigger}."
    )


def spread(story: Story, height: float, frame_height: float, gap: float) -> float:
    """Share the room left at the bottom between the sections (up to 3 gaps each), so a
    card that fits with room to spare looks laid out, not cut short. Returns the new height."""
    spacers = story.section_gaps
    room = frame_height - height - 0.5
    if not spacers or room <= 0:
        return height
    extra = min(room / len(spacers), gap * 3)
    for spacer in spacers:
        spacer.height += extra
    return height + extra * len(spacers)
