"""The card's data model: what a routine *is*, validated and frozen.

Models reject unknown keys (the loader turns that into a "did you mean" hint), check
ranges (min <= max, pressure 0-10, positive seconds) and refuse text that could not be
printed faithfully (control characters). Cross-field checks that need the whole card
(unique point ids, known tools) live in `semantic_problems` so each can point at the
exact place in the file.

Why one long module: the card, patient and clinic file formats are generated into JSON Schemas
from these models, and their validators share the field types defined here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    WithJsonSchema,
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
        if category in ("Cc", "Cs", "Co", "Cn"):
            raise ValueError(f"contains the control or unassigned character U+{ord(char):04X}; remove it")
        if category == "Cf":
            name = unicodedata.name(char, "FORMAT CHARACTER")
            raise ValueError(f"contains the invisible character U+{ord(char):04X} ({name}); remove it")
    return value


# The JSON schemas (routinecard.schema) describe the YAML as written; `WithJsonSchema` and
# `json_schema_extra` below only change those schemas, never what validation accepts.
Text = Annotated[
    str, Strict(), AfterValidator(clean_text), WithJsonSchema({"type": "string", "pattern": r"\S"})
]
Id = Annotated[str, Strict(), Field(pattern=ID_PATTERN, min_length=1, max_length=64)]
Language = Annotated[str, Strict(), Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Country = Annotated[str, Strict(), Field(pattern=r"^[A-Z]{2}$")]


def _url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s<>\"]+\.[^\s<>\"]+", value):
        raise ValueError(f"{value!r} is not a web address starting with https:// or http://")
    if len(value) > 300:
        raise ValueError("the web address is too long for a QR code on a card (300 characters at most)")
    return value


Url = Annotated[
    str,
    Strict(),
    AfterValidator(_url),
    WithJsonSchema({"type": "string", "pattern": r'^https?://[^\s<>"]+\.[^\s<>"]+$', "maxLength": 300}),
]


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
    written = {
        "anyOf": [
            {
                "type": "array",
                "prefixItems": [{"type": "integer", "minimum": low, "maximum": high} for _ in range(2)],
                "minItems": 2,
                "maxItems": 2,
            },
            {"type": "integer", "minimum": low, "maximum": high},
        ]
    }
    def pair(value: object) -> object:
        """One number means "exactly this"; anything but numbers and lists gets a message
        that says both forms are allowed (not pydantic's "expected a list")."""
        if isinstance(value, bool) or isinstance(value, (str, dict)) or value is None:
            shown = f"the text {value!r}" if isinstance(value, str) else (
                "true/false" if isinstance(value, bool) else "nothing" if value is None else "a mapping")
            hint = " (write the number without quotes)" if isinstance(value, str) and value.strip().isdigit() else ""
            raise ValueError(f"expected a number or [smallest, largest], found {shown}{hint}")
        if isinstance(value, int) and not low <= value <= high:
            raise ValueError(f"must be from {low} to {high}, found {value}")
        return _pair(value)

    return Annotated[
        tuple[number, number], BeforeValidator(pair), AfterValidator(_ordered), WithJsonSchema(written)
    ]


# Built by a function, so mypy cannot read them as types: the fields that use them
# carry `type: ignore[valid-type]` (pydantic reads the Annotated metadata at run time).
SecondsRange = _range(1, 600)
MinutesRange = _range(1, 60)
CountRange = _range(1, 200)
RepeatRange = _range(1, 50)
PerDayRange = _range(1, 24)
PerWeekRange = _range(1, 21)
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


# What the patient does, and for how long or how many times: exactly one per point.
# The order is the order the wording module and the JSON schema list them in.
DOSE_AMOUNTS = ("hold_s", "hold_min", "roll_s", "roll_min", "stroke_s", "stroke_min", "rolls", "strokes")
# How often: exactly one per point.
DOSE_FREQUENCIES = ("per_day", "per_week", "every_other_day")


class Timing(StrictModel):
    """Dose as data: what to do (hold, roll, stroke), for how long or how many times, how
    many rounds, and how often. Numbers are ranges (or one number), so the card can word
    them per language and a clinician can override them in a patient file.

    Exactly one amount (`hold_s`, `hold_min`, `roll_s`, `roll_min`, `stroke_s`,
    `stroke_min`, `rolls`, `strokes`) and exactly one frequency (`per_day`, `per_week`,
    `every_other_day: true`) per point; `repeats` is optional.
    """

    hold_s: SecondsRange | None = Field(None, description="Hold each press for this many seconds: [min, max] or one number.")  # type: ignore[valid-type]
    hold_min: MinutesRange | None = Field(None, description="Hold for this many minutes: [min, max] or one number.")  # type: ignore[valid-type]
    roll_s: SecondsRange | None = Field(None, description="Roll for this many seconds: [min, max] or one number.")  # type: ignore[valid-type]
    roll_min: MinutesRange | None = Field(None, description="Roll for this many minutes: [min, max] or one number.")  # type: ignore[valid-type]
    stroke_s: SecondsRange | None = Field(None, description="Stroke (glide) for this many seconds: [min, max] or one number.")  # type: ignore[valid-type]
    stroke_min: MinutesRange | None = Field(None, description="Stroke (glide) for this many minutes: [min, max] or one number.")  # type: ignore[valid-type]
    rolls: CountRange | None = Field(None, description="Number of slow rolls: [min, max] or one number.")  # type: ignore[valid-type]
    strokes: CountRange | None = Field(None, description="Number of slow strokes: [min, max] or one number.")  # type: ignore[valid-type]
    repeats: RepeatRange | None = Field(None, description="Rounds per session: [min, max] or one number (optional).")  # type: ignore[valid-type]
    per_day: PerDayRange | None = Field(None, description="Sessions a day: [min, max] or one number.")  # type: ignore[valid-type]
    per_week: PerWeekRange | None = Field(None, description="Sessions a week: [min, max] or one number.")  # type: ignore[valid-type]
    every_other_day: Annotated[bool, Strict()] = Field(False, description="true: one session every other day.")

    @model_validator(mode="after")
    def _one_amount_and_one_frequency(self) -> Timing:
        amounts = [name for name in DOSE_AMOUNTS if getattr(self, name) is not None]
        # A patient file that changes the kind of dose must replace the whole timing.
        whole = "; to change the kind of dose, set the whole timing, e.g. timing: {roll_min: 2, per_day: 1}"
        if len(amounts) != 1:
            given = f" (found {', '.join(amounts)}{whole})" if amounts else ""
            raise ValueError(
                "give exactly one of hold_s, hold_min, roll_s, roll_min, stroke_s, stroke_min, rolls, strokes"
                f": how long or how many times{given}"
            )
        frequencies = [name for name in DOSE_FREQUENCIES if getattr(self, name) not in (None, False)]
        if len(frequencies) != 1:
            given = f" (found {', '.join(frequencies)}{whole})" if frequencies else ""
            raise ValueError(f"give exactly one of per_day, per_week, every_other_day: true: how often{given}")
        return self

    @property
    def amount(self) -> tuple[str, tuple[int, int]]:
        """('roll_min', (2, 2)): the one amount this point gives."""
        for name in DOSE_AMOUNTS:
            value = getattr(self, name)
            if value is not None:
                return name, value
        raise AssertionError("validated Timing without an amount")

    @property
    def frequency(self) -> tuple[str, tuple[int, int] | None]:
        """('per_week', (3, 4)) or ('every_other_day', None): the one frequency given."""
        if self.per_day is not None:
            return "per_day", self.per_day
        if self.per_week is not None:
            return "per_week", self.per_week
        return "every_other_day", None


def _number_not_bool(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, found {value!r}")
    return value


Number = Annotated[float, BeforeValidator(_number_not_bool)]
FileName = Annotated[str, Strict(), Field(min_length=1, max_length=1024)]
# The atlas's views (images/atlas/atlas.yaml; a test keeps this list and the atlas in step).
View = Literal["back", "front", "side", "head-neck", "hand-forearm", "sole"]
GRID_MAX = 2000  # every view's grid is smaller; `check` tests the view's own size


def _site_schema(schema: dict[str, Any]) -> None:
    """Site ids for editors' autocompletion, read from the shipped atlas only when a JSON
    Schema is made (reading the atlas at import cost every command about 80 ms)."""
    from routinecard.atlas import site_ids

    schema.clear()
    schema.update({"type": "string", "enum": site_ids()})


def _known_site(value: str) -> str:
    from routinecard.atlas import load_atlas

    atlas = load_atlas()
    if atlas.site(value) is None:
        hint = atlas.suggest(value)
        did_you_mean = f"; did you mean {hint!r}?" if hint else ""
        raise ValueError(f"unknown site {value!r}{did_you_mean} (`routinecard atlas` lists every site)")
    return value


SiteId = Annotated[str, Strict(), AfterValidator(_known_site), Field(json_schema_extra=_site_schema)]


class Marker(StrictModel):
    """Where the point is on a body view, in that view's grid (origin top left), drawn for
    the body's right side; `side: left` mirrors it. Overrides the site's marker."""

    view: View = Field(description="Which view: back, front, side, head-neck, hand-forearm or sole.")
    x: Annotated[Number, Field(ge=0, le=GRID_MAX)] = Field(description="Across the view's grid, from its left edge.")
    y: Annotated[Number, Field(ge=0, le=GRID_MAX)] = Field(description="Down the view's grid, from its top edge.")


class Area(StrictModel):
    """An elliptical patch of referred pain, in the view's grid units (right side)."""

    x: Annotated[Number, Field(ge=0, le=GRID_MAX)] = Field(description="Centre, across the view's grid.")
    y: Annotated[Number, Field(ge=0, le=GRID_MAX)] = Field(description="Centre, down the view's grid.")
    rx: Annotated[Number, Field(gt=0, le=GRID_MAX / 2)] = Field(description="Half the width.")
    ry: Annotated[Number, Field(gt=0, le=GRID_MAX / 2)] = Field(description="Half the height.")


class Referral(StrictModel):
    """Where the pain is felt, shaded on the marker's view: named regions and/or ellipses.
    Given, it replaces the site's usual referral shading."""

    regions: list[Annotated[str, Strict()]] = Field(
        default_factory=list, description="Regions of the view without side, e.g. buttock, back-of-thigh, temple."
    )
    areas: list[Area] = Field(default_factory=list, description="Ellipses {x, y, rx, ry} in the view's grid units.")


class Closeup(StrictModel):
    """The window of the view shown in the point's panel (default: framed around the site)."""

    x: Annotated[Number, Field(ge=0, le=GRID_MAX)] = Field(description="Centre of the window, across the grid.")
    y: Annotated[Number, Field(ge=0, le=GRID_MAX)] = Field(description="Centre of the window, down the grid.")
    size: Annotated[Number, Field(ge=40, le=GRID_MAX)] = Field(
        300.0, description="Width and height of the window, in grid units."
    )


# Pose presets and motions of the position pictures (figures/data/poses.yaml, motions.yaml;
# a test keeps these lists and the data in step).
POSE_PRESETS = (
    "back-to-wall", "side-to-wall", "facing-wall", "chair-sitting", "floor-sitting", "lying-back-knees-bent",
    "lying-back-legs-straight", "lying-side", "lying-face-down", "hands-and-knees",
)
MOTIONS = ("roll-up-down", "lean-in", "shift-side-to-side")


def _reachable(name: str) -> AfterValidator:
    def check(value: float) -> float:
        from routinecard.figures.skeleton import check_angle

        check_angle(name, value)
        return value

    return AfterValidator(check)


def _preset_only(value: object) -> object:
    """`pose: back-to-wall` is short for `pose: {preset: back-to-wall}`."""
    return {"preset": value} if isinstance(value, str) else value


def _known(kind: str, known: tuple[str, ...]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in known:
            raise ValueError(f"unknown {kind} {value!r}; known {kind}s: {', '.join(known)}")
        return value

    return AfterValidator(check)


Angle = Annotated[float, BeforeValidator(_number_not_bool)]


def _preset_or_pose(schema: dict[str, Any]) -> None:
    """JSON schema only: `pose` is written as a preset name or as a mapping."""
    choices = schema.setdefault("anyOf", [])
    choices.insert(0, {"enum": list(POSE_PRESETS)})


class Anchor(StrictModel):
    """Where on the position figure the point is, when its site's place needs changing."""

    segment: Literal["head", "neck", "trunk", "pelvis", "upper-arm", "forearm", "hand", "thigh", "shank", "foot"] = Field(
        description="Body segment: head, neck, trunk, pelvis, upper-arm, forearm, hand, thigh, shank or foot.")
    at: Annotated[Number, Field(ge=0, le=1)] = Field(description="How far along the segment, 0 (start) to 1 (end).")
    surface: Literal["front", "back", "side", "inner", "top", "bottom"] = Field(
        description="Which surface: front, back, side, inner, top or bottom.")


class PoseSpec(StrictModel):
    """The position picture of a point: a preset pose, changed joint angles, a motion."""

    preset: Annotated[str, Strict(), _known("pose", POSE_PRESETS), WithJsonSchema({"enum": list(POSE_PRESETS)})] = Field(
        description="Pose preset, e.g. back-to-wall (see `routinecard poses`).")
    motion: Annotated[str, Strict(), _known("motion", MOTIONS), WithJsonSchema({"enum": list(MOTIONS)})] | None = Field(
        None, description="Arrows: roll-up-down, lean-in or shift-side-to-side.")
    anchor: Anchor | None = Field(None, description="Where the tool presses, if not the site's usual place.")
    body: Annotated[Angle, _reachable("body")] | None = Field(None, description="Whole-body turn, degrees (0 upright).")
    trunk: Annotated[Angle, _reachable("trunk")] | None = Field(None, description="Spine bend at the waist, degrees.")
    neck: Annotated[Angle, _reachable("neck")] | None = Field(None, description="Neck bend, degrees.")
    hip: Annotated[Angle, _reachable("hip")] | None = Field(None, description="Hip bend, degrees (both legs).")
    knee: Annotated[Angle, _reachable("knee")] | None = Field(None, description="Knee bend, degrees (both legs).")
    ankle: Annotated[Angle, _reachable("ankle")] | None = Field(None, description="Ankle, degrees (toes up positive).")
    shoulder: Annotated[Angle, _reachable("shoulder")] | None = Field(None, description="Arm raise, degrees.")
    elbow: Annotated[Angle, _reachable("elbow")] | None = Field(None, description="Elbow bend, degrees.")
    far_hip: Annotated[Angle, _reachable("far_hip")] | None = Field(None, description="Far leg's hip only.")
    far_knee: Annotated[Angle, _reachable("far_knee")] | None = Field(None, description="Far leg's knee only.")
    far_ankle: Annotated[Angle, _reachable("far_ankle")] | None = Field(None, description="Far leg's ankle only.")
    far_shoulder: Annotated[Angle, _reachable("far_shoulder")] | None = Field(None, description="Far arm only.")
    far_elbow: Annotated[Angle, _reachable("far_elbow")] | None = Field(None, description="Far arm's elbow only.")

    def angles(self) -> dict[str, float]:
        """The joint angles this pose changes."""
        names = ("body", "trunk", "neck", "hip", "knee", "ankle", "shoulder", "elbow",
                 "far_hip", "far_knee", "far_ankle", "far_shoulder", "far_elbow")
        return {n: float(getattr(self, n)) for n in names if getattr(self, n) is not None}


class Point(StrictModel):
    """One trigger point: where, with what, how hard, how long, and the steps."""

    id: Id = Field(description="Short id used by patient files: lowercase letters, digits, hyphens.")
    name: Text = Field(description="Muscle or point name shown as the panel heading.")
    where: Text = Field(description="How to find it, with landmarks a patient can feel.")
    refers_to: Text = Field(description="Where the pain from this point is usually felt.")
    tool: Id = Field(description="Tool id from the tool library, e.g. tennis-ball.")
    position: Text = Field(description="Body position for the massage.")
    pressure: Pressure = Field(description="How hard to press: min and max on the 0-10 scale, and in words.")
    timing: Timing = Field(description="How long and how often, e.g. {hold_s: [20, 30], repeats: 2, per_day: [1, 2]} or {roll_min: 2, every_other_day: true}.")
    steps: list[Text] = Field(min_length=1, max_length=12, description="What to do, in order.")
    site: SiteId | None = Field(
        None, description="A site from the atlas, e.g. upper-trapezius: gives the marker, referral and close-up."
    )
    view: View | None = Field(None, description="Which of the site's views to draw it on (default: its first).")
    side: Literal["right", "left", "both"] = Field("right", description="Which side of the body is shown.")
    marker: Marker | None = Field(None, description="x/y on a view: overrides the site's marker.")
    referral: Referral = Field(default_factory=Referral, description="Where the pain is felt, shaded on the map.")
    closeup: Closeup | None = Field(None, description="Window of the close-up; default: around the marker.")
    photo: FileName | None = Field(None, description="A PNG or JPEG shown in the panel instead of the close-up.")
    pose: Annotated[PoseSpec, BeforeValidator(_preset_only)] | None = Field(
        None, description="Position picture: a preset (`back-to-wall`) or {preset, motion, knee: 20, ...}.",
        json_schema_extra=_preset_or_pose)


class ToolDefinition(StrictModel):
    """A tool a card adds to the built-in library, with its own icon."""

    name: Text = Field(description="The tool's name as printed on the card.")
    icon: FileName = Field(description="SVG, PNG or JPEG file, relative to the card file.")


class Tier(StrictModel):
    """One level of the medical-attention box: a heading and what to look out for."""

    title: Text = Field(description="Heading of this tier, e.g. 'Call 999 now if you have'.")
    items: list[Text] = Field(min_length=1, description="Warning signs; never empty.")


EMERGENCY = "{emergency}"
EMERGENCY_DEPARTMENT = "{emergency_department}"


class MedicalAttention(StrictModel):
    """Red flags: always on the card, never empty."""

    urgent: Tier = Field(description="Emergency signs: get help now.")
    soon: Tier = Field(description="Signs to stop and contact a clinician.")
    emergency_number: Text | None = Field(
        None,
        description="Printed where the texts say {emergency}, e.g. '112'. A clinic's emergency_number or "
        "country replaces it; without any, the card's country decides, else it reads 'your local emergency number'.",
    )


# Body regions a routine is for, as the catalogue lists them (`routinecard library`).
BodyRegion = Literal[
    "head", "jaw", "neck", "shoulder", "upper-back", "arm", "elbow", "forearm", "hand",
    "low-back", "hip", "thigh", "knee", "leg", "ankle", "foot",
]


class Card(StrictModel):
    """A routine: the content of one printed card."""

    id: Id = Field(description="Card id, also the default output file name.")
    title: Text = Field(description="The card's title, printed at the top.")
    summary: Text = Field(description="A few plain sentences under the title: what this routine is for.")
    language: Language = Field("en", description="Language the card is written in, e.g. en or es.")
    before_you_start: list[Text] = Field(
        default_factory=list, description="Safety notes printed before the points, one per item."
    )
    points: list[Point] = Field(
        min_length=1, max_length=12, description="The trigger points, 1 to 12, in printed order."
    )
    medical_attention: MedicalAttention = Field(
        description="Red flags: when to get help now (urgent) and when to stop and call (soon)."
    )
    sources: list[Text] = Field(min_length=1, description="Where the advice and red flags come from.")
    tools: dict[Id, ToolDefinition] = Field(default_factory=dict, description="Extra tools for this card.")
    logo: FileName | None = Field(None, description="PNG, JPEG or SVG logo for the header, relative to the card.")
    video: Url | None = Field(None, description="A video of the routine, printed as a QR code with the address.")
    needs_review: Annotated[bool, Strict()] = Field(
        False, description="Draft content (e.g. a new translation): the card says it needs clinical review."
    )
    country: Country | None = Field(
        None, description="Country the routine is written for (ISO code, e.g. GB, US): its emergency number and "
        "the name of the emergency department, unless a clinic says otherwise."
    )
    body_regions: list[BodyRegion] = Field(
        default_factory=list, description="Body regions the routine is for, listed by `routinecard library`."
    )


Path = tuple[str | int, ...]


class PatientName(StrictModel):
    """Who the card is for."""

    name: Text = Field(description="The patient's name as printed on the card.")


def _name_from_text(value: object) -> object:
    """`patient: Maria Lopez` is the same as `patient: {name: Maria Lopez}`."""
    return {"name": value} if isinstance(value, str) else value


class Log(StrictModel):
    """The tick grid: days of the week x sessions, and lines for the patient's notes."""

    sessions: int = Field(3, ge=1, le=6, strict=True, description="Rows of tick boxes (sessions a day).")
    lines: int = Field(2, ge=0, le=8, strict=True, description="Blank lines for the patient's own notes.")


def _log_value(value: object) -> object:
    """`log:` is true, false or a mapping; say so in those words (YAML 1.2: `yes` is text)."""
    if isinstance(value, (bool, dict)):
        return value
    shown = f"the text {value!r}" if isinstance(value, str) else repr(value)
    raise ValueError(f"expected true, false or {{sessions, lines}}, found {shown}")


class MedicalAttentionExtra(StrictModel):
    """Warning signs a clinician adds for one patient; the card's own are always kept."""

    urgent: list[Text] = Field(default_factory=list, description="Extra signs to get help now.")
    soon: list[Text] = Field(default_factory=list, description="Extra signs to stop and contact a clinician.")


class Patient(StrictModel):
    """A patient file: a base card adapted for one person, without copying it."""

    card: Annotated[str, Strict(), Field(min_length=1)] = Field(
        description="Base card: an id from the card library (e.g. sciatica-trigger-points) or a path."
    )
    patient: Annotated[
        PatientName | None,
        BeforeValidator(_name_from_text),
        WithJsonSchema({"anyOf": [
            {"type": "string", "pattern": r"\S"},
            {"type": "object", "properties": {"name": {"type": "string", "pattern": r"\S"}}, "required": ["name"],
             "additionalProperties": False},
        ]}),
    ] = Field(None, description="The patient's name, printed on the card: `Maria Lopez` or {name: Maria Lopez}.")
    clinician: Text | None = Field(None, description="The clinician's name, printed on the card.")
    date: Text | None = Field(None, description="Printed as written, e.g. 2026-11-23.")
    only: list[Id] | None = Field(None, description="Keep only these points (in the card's order).")
    skip: list[Id] = Field(default_factory=list, description="Leave out these points.")
    set: dict[Annotated[str, Strict()], object] = Field(
        default_factory=dict, description="Dotted paths to change, e.g. points.piriformis.timing.hold_s: [30, 45]."
    )
    notes: Text | None = Field(None, description="Printed in a notes box on the card.")
    medical_attention: MedicalAttentionExtra | None = Field(None, description="Extra warning signs for this patient.")
    log: Annotated[
        bool | Log,
        BeforeValidator(_log_value),
        WithJsonSchema({"anyOf": [
            {"type": "boolean"},
            {"type": "object", "properties": {"sessions": {"type": "integer", "minimum": 1, "maximum": 6},
                                              "lines": {"type": "integer", "minimum": 0, "maximum": 8}},
             "additionalProperties": False},
        ]}),
    ] = Field(False, description="true, or {sessions, lines}: print the exercise log.")
    video: Url | None = Field(
        None, description="A video for this patient, printed as a QR code (replaces the card's)."
    )
    layout: Annotated[str, Strict()] | None = Field(None, description="Layout name or file for this patient.")
    language: Language | None = Field(None, description="Language of the card's labels, e.g. es.")
    clinic: FileName | None = Field(None, description="Clinic file, relative to this file.")


class Clinic(StrictModel):
    """A clinic file: who hands out the card, shown in the header."""

    name: Text = Field(description="The clinic's name, printed in the header.")
    address: Text | None = Field(None, description="Postal address, printed in the header.")
    phone: Text | None = Field(None, description="Phone number, printed in the header.")
    website: Text | None = Field(None, description="Web address, printed in the header as written.")
    logo: FileName | None = Field(None, description="PNG, JPEG or SVG, relative to the clinic file.")
    emergency_number: Text | None = Field(None, description="Local emergency number: 911, 999, 112...")
    country: Country | None = Field(
        None, description="The clinic's country (ISO code, e.g. US, GB, ES): its emergency number and the name of "
        "the emergency department (A&E, the ER...) on every card it prints."
    )
    language: Language | None = Field(None, description="Language of the card's labels for this clinic, e.g. es.")
    layout: Annotated[str, Strict()] | None = Field(
        None, description="Layout for this clinic's cards: a name (e.g. a4) or a file, relative to this file."
    )


def _pose_problem(point: dict[str, Any], language: object) -> str | None:
    """Why the point's position picture cannot be drawn (a contact that cannot hold, an
    angle the solve would need but a person cannot reach), or None."""
    from pydantic import ValidationError

    from routinecard.figures.picture import pose_problem

    try:
        pose = PoseSpec.model_validate(_preset_only(point["pose"]))
    except ValidationError:
        return None  # reported by the schema check
    site = point.get("site") if isinstance(point.get("site"), str) else point.get("id")
    side = "left" if point.get("side") == "left" else "right"
    return pose_problem(pose, site if isinstance(site, str) else None, str(point.get("tool")), side,
                        language if isinstance(language, str) else "en")


def semantic_problems(data: object, builtin_tools: Mapping[str, object]) -> list[tuple[Path, str]]:
    """Checks that need the whole card: unique point ids, known tools. Works on the card's
    data (not the model), so these problems are listed even when others stop validation.
    Returns (path in the file, message) pairs."""
    problems: list[tuple[Path, str]] = []
    if not isinstance(data, dict):
        return problems
    own_tools = data.get("tools")
    known_tools = {*builtin_tools, *(own_tools if isinstance(own_tools, dict) else {})}
    points = data.get("points")
    seen: dict[str, int] = {}
    for index, point in enumerate(points if isinstance(points, list) else []):
        if not isinstance(point, dict):
            continue
        point_id, tool = point.get("id"), point.get("tool")
        if isinstance(point_id, str):
            if point_id in seen:
                problems.append((("points", index, "id"), f"duplicate point id {point_id!r} (also points[{seen[point_id]}])"))
            else:
                seen[point_id] = index
        if isinstance(tool, str) and re.fullmatch(ID_PATTERN, tool) and tool not in known_tools:
            known = ", ".join(sorted(known_tools))
            problems.append((("points", index, "tool"), f"unknown tool {tool!r}; known tools: {known}"))
        elif point.get("pose") is not None:
            message = _pose_problem(point, data.get("language"))
            if message:
                problems.append((("points", index, "pose"), message))
    return problems
