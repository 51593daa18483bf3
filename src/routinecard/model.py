"""The card's data model: what a routine *is*, validated and frozen.

Models reject unknown keys (the loader turns that into a "did you mean" hint), check
ranges (min <= max, pressure 0-10, positive seconds) and refuse text that could not be
printed faithfully (control characters). Cross-field checks that need the whole card
(unique point ids, known tools) live in `semantic_problems` so each can point at the
exact place in the file.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def clean_text(value: str) -> str:
    """Trim outer white space, turn tabs into spaces, refuse empty and control characters.

    Newlines are kept: they become line breaks on the card. Any other control character
    would print as nothing or as a box, so it is an error rather than silently dropped.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").strip()
    if not value:
        raise ValueError("must not be empty")
    for char in value:
        if char == "\n":
            continue
        category = unicodedata.category(char)
        if category == "Cc" or category in ("Cs", "Co", "Cn"):
            raise ValueError(
                f"contains the control or unassigned character U+{ord(char):04X}; remove it"
            )
    return value


Text = Annotated[str, Strict(), AfterValidator(clean_text)]
Id = Annotated[str, Strict(), Field(pattern=ID_PATTERN, min_length=1, max_length=64)]


def _pair(value: object) -> object:
    """A single number means "exactly this": 20 is the range [20, 20]."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [value, value]
    return value


def _ordered(value: tuple[int, int]) -> tuple[int, int]:
    low, high = value
    if low > high:
        raise ValueError(f"the range is backwards: write [{high}, {low}], smaller number first")
    return value


def _range(low: int, high: int) -> object:
    number = Annotated[int, Strict(), Field(ge=low, le=high)]
    return Annotated[tuple[number, number], BeforeValidator(_pair), AfterValidator(_ordered)]


SecondsRange = _range(1, 600)
RepeatRange = _range(1, 50)
PerDayRange = _range(1, 24)
Level = Annotated[int, Strict(), Field(ge=0, le=10)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Pressure(StrictModel):
    """How hard to press, on the 0-10 scale patients already know from pain scores."""

    min: Level = Field(description="Lowest pressure, 0 (none) to 10 (worst).")
    max: Level = Field(description="Highest pressure, 0 (none) to 10 (worst).")
    words: Text = Field(description="The pressure in words, e.g. 'Firm but comfortable'.")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Pressure:
        if self.min > self.max:
            raise ValueError(
                f"min ({self.min}) is more than max ({self.max}); the smaller number goes in min"
            )
        return self


class Timing(StrictModel):
    """Dose as data: ranges so the card can render and a clinician can override them."""

    hold_s: SecondsRange = Field(description="Seconds to hold each press: [min, max] or one number.")  # type: ignore[valid-type]
    repeats: RepeatRange = Field(description="Times to repeat per session: [min, max] or one number.")  # type: ignore[valid-type]
    per_day: PerDayRange = Field(description="Sessions a day: [min, max] or one number.")  # type: ignore[valid-type]


class Point(StrictModel):
    """One trigger point: where, with what, how hard, how long, and the steps."""

    id: Id = Field(description="Short id used by patient files: lowercase letters, digits, hyphens.")
    name: Text = Field(description="Muscle or point name shown as the panel heading.")
    where: Text = Field(description="How to find it, with landmarks a patient can feel.")
    refers_to: Text = Field(description="Where the pain from this point is usually felt.")
    tool: Id = Field(description="Tool id from the tool library, e.g. tennis-ball.")
    position: Text = Field(description="Body position for the massage.")
    pressure: Pressure
    timing: Timing
    steps: list[Text] = Field(min_length=1, max_length=12, description="What to do, in order.")


class Tier(StrictModel):
    """One level of the medical-attention box: a heading and what to look out for."""

    title: Text = Field(description="Heading of this tier, e.g. 'Call 999 now if you have'.")
    items: list[Text] = Field(min_length=1, description="Warning signs; never empty.")


class MedicalAttention(StrictModel):
    """Red flags: always on the card, never empty."""

    urgent: Tier = Field(description="Emergency signs: get help now.")
    soon: Tier = Field(description="Signs to stop and contact a clinician.")


class Card(StrictModel):
    """A routine: the content of one printed card."""

    id: Id = Field(description="Card id, also the default output file name.")
    title: Text
    summary: Text
    language: Annotated[str, Strict(), Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    before_you_start: list[Text] = Field(default_factory=list)
    points: list[Point] = Field(min_length=1, max_length=12)
    medical_attention: MedicalAttention
    sources: list[Text] = Field(min_length=1, description="Where the advice and red flags come from.")


Path = tuple[str | int, ...]


def semantic_problems(card: Card, known_tools: dict[str, object]) -> list[tuple[Path, str]]:
    """Checks that need the whole card. Returns (path in the file, message) pairs."""
    problems: list[tuple[Path, str]] = []
    seen: dict[str, int] = {}
    for index, point in enumerate(card.points):
        if point.id in seen:
            problems.append(
                (("points", index, "id"), f"duplicate point id {point.id!r} (also points[{seen[point.id]}])")
            )
        else:
            seen[point.id] = index
        if point.tool not in known_tools:
            known = ", ".join(sorted(known_tools))
            problems.append((("points", index, "tool"), f"unknown tool {point.tool!r}; known tools: {known}"))
    return problems
