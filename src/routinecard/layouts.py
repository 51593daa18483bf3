"""Page layouts as data: YAML files with unit strings and `extends` inheritance.

A layout says how a card is printed (page, margins, type sizes, colours, columns,
figure sizes, section order), never what it says. Units (`0.5in`, `12mm`, `10pt`) are
parsed here and only here. `extends: NAME` merges a parent layout underneath (chains
allowed, cycles refused); errors point at the file and line that wrote the value.

Why one long module: the layout file's models, its units and its `extends` chain are one format;
the JSON Schema for layout files is generated from these models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PrivateAttr, Strict, WithJsonSchema, model_validator

from routinecard.errors import InputError, Problem
from routinecard.loader import Document, FieldPath, format_path, load_referenced_file, require_mapping
from routinecard.model import StrictModel
from routinecard.resources import builtin_layouts, looks_like_path

POINTS_PER_UNIT = {"pt": 1.0, "in": 72.0, "mm": 72.0 / 25.4, "cm": 72.0 / 2.54}
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(pt|in|mm|cm)\s*$")

PAGE_SIZES = {
    "letter": (612.0, 792.0),
    "tabloid": (792.0, 1224.0),
    "a3": (841.8898, 1190.5512),
    "a4": (595.2756, 841.8898),
    "legal": (612.0, 1008.0),
    "half-letter": (396.0, 612.0),
    "a5": (419.5276, 595.2756),
}

Section = Literal["header", "overview", "points", "notes", "medical_attention", "log", "footer"]
SECTIONS: tuple[Section, ...] = ("header", "overview", "points", "notes", "medical_attention", "log", "footer")


def parse_length(value: object) -> float:
    """'0.5in' -> 36.0 points. A bare number is refused: its unit would be a guess."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"expected a length like '10pt', '0.5in' or '12mm', found {value!r}")
    if isinstance(value, (int, float)):
        if value == 0:
            return 0.0
        raise ValueError(f"{value} has no unit: write '{value}pt', '{value}mm' or '{value}in'")
    match = _LENGTH.match(value)
    if not match and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
        raise ValueError(f"{value!r} has no unit: write '{value.strip()}pt', '{value.strip()}mm' or '{value.strip()}in'")
    if not match:
        raise ValueError(f"{value!r} is not a length: write a number and a unit, e.g. '10pt', '0.5in', '12mm'")
    return float(match.group(1)) * POINTS_PER_UNIT[match.group(2)]


def _non_negative(value: float) -> float:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _at_most(limit: float, words: str) -> AfterValidator:
    """An upper bound on a length, said in the units people write (pt and in)."""

    def check(value: float) -> float:
        if value > limit:
            raise ValueError(
                f"{_show(value)} is too large: {words} can be at most {_show(limit)} ({limit / 72:.2g}in)"
            )
        return value

    return AfterValidator(check)


def _show(points: float) -> str:
    return f"{points:.6g}pt"


# JSON schema of a length as written in YAML (see routinecard.schema): a number with a unit,
# or the number 0. Negative lengths are refused, so the pattern has no minus sign.
LENGTH_JSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(pt|in|mm|cm)\s*$"},
        {"const": 0},
    ]
}

Length = Annotated[
    float, BeforeValidator(parse_length), AfterValidator(_non_negative), WithJsonSchema(LENGTH_JSON_SCHEMA)
]

# Every length in a layout has an upper bound, so a typo (`1000pt`, `100in`) is a located
# message, never a page that reportlab cannot lay out. The bounds are generous: twice or
# more what the largest built-in layout (large print on tabloid) uses.
MAX_MARGIN = 216.0
MarginLength = Annotated[Length, _at_most(MAX_MARGIN, "a margin")]
TypeLength = Annotated[Length, _at_most(48.0, "a text size")]
TitleLength = Annotated[Length, _at_most(96.0, "the title size")]
GapLength = Annotated[Length, _at_most(36.0, "the gap")]
FigureLength = Annotated[Length, _at_most(720.0, "a figure size")]
IconLength = Annotated[Length, _at_most(144.0, "an icon or logo size")]
CloseupLength = Annotated[Length, _at_most(144.0, "a close-up")]

NAME_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
"""A layout's name goes into output file names: an id, so it never makes or leaves a folder."""


def slug(text: str) -> str:
    """A file stem as a layout name: lowercase letters, digits and single hyphens."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:64].strip("-") or "layout"


def _hex_colour(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"expected a colour like '#1f4e79', found {value!r}")
    return value.lower()


Colour = Annotated[
    str, BeforeValidator(_hex_colour), WithJsonSchema({"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"})
]


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


PaperSize = Literal["letter", "a4", "legal", "tabloid", "a3", "half-letter", "a5"]


class Margins(StrictModel):
    """Margins on each side; a single length (`margin: 0.5in`) sets all four."""

    top: MarginLength = Field(description="Top margin, e.g. '0.5in'.")
    right: MarginLength = Field(description="Right margin, e.g. '0.5in'.")
    bottom: MarginLength = Field(description="Bottom margin, e.g. '0.5in'.")
    left: MarginLength = Field(description="Left margin, e.g. '0.5in'.")


def _margins(value: object) -> object:
    """One length for all four sides; checked here so a bad unit is reported once."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        points = parse_length(value)
        if points > MAX_MARGIN:
            raise ValueError(f"{_show(points)} is too large: a margin can be at most {_show(MAX_MARGIN)} (3in)")
        length = f"{points}pt"
        return {"top": length, "right": length, "bottom": length, "left": length}
    return value


def _length_or_margins(schema: dict[str, Any]) -> None:
    """JSON schema only: `margin` is written as one length or as {top, right, bottom, left}."""
    sides = {key: schema.pop(key) for key in ("$ref", "type", "properties") if key in schema}
    schema["anyOf"] = [*(dict(choice) for choice in LENGTH_JSON_SCHEMA["anyOf"]), sides]


class Sheet(StrictModel):
    """Print several copies of the card on one larger sheet, with cut marks."""

    size: PaperSize = Field(description="The paper the copies are printed on, e.g. letter.")
    orientation: Literal["portrait", "landscape"] = Field("landscape", description="portrait or landscape.")
    copies: Literal[2] = Field(2, description="Copies side by side (along the sheet's long edge).")


class Page(StrictModel):
    """The card's paper: size, orientation and margins."""

    size: PaperSize = Field(
        "letter", description="Paper size: letter, a4, legal, tabloid, a3, half-letter or a5."
    )
    orientation: Literal["portrait", "landscape"] = Field("portrait", description="portrait or landscape.")
    margin: Annotated[Margins, BeforeValidator(_margins)] = Field(
        default_factory=lambda: Margins.model_validate({"top": "36pt", "right": "36pt", "bottom": "36pt", "left": "36pt"}),
        description="One length for all sides ('0.5in') or {top, right, bottom, left}.",
        json_schema_extra=_length_or_margins,
    )
    sheet: Sheet | None = Field(None, description="Print the card several times on one sheet (pocket cards).")

    def size_pt(self) -> tuple[float, float]:
        return paper(self.size, self.orientation)

    def frame(self) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the content area on the card."""
        width, height = self.size_pt()
        m = self.margin
        return m.left, m.bottom, width - m.left - m.right, height - m.top - m.bottom

    @model_validator(mode="after")
    def _sheet_holds_the_copies(self) -> Page:
        if self.sheet is not None:
            card_w, card_h = self.size_pt()
            sheet_w, sheet_h = paper(self.sheet.size, self.sheet.orientation)
            if card_w * self.sheet.copies > sheet_w + 0.5 or card_h > sheet_h + 0.5:
                raise ValueError(
                    f"{self.sheet.copies} cards of {self.size} ({self.orientation}) do not fit side by side "
                    f"on a {self.sheet.size} sheet ({self.sheet.orientation})"
                )
        _, _, frame_w, frame_h = self.frame()
        if frame_w < 144 or frame_h < 144:
            raise ValueError("the margins leave less than 2 inches for the card")
        return self


def paper(size: str, orientation: str) -> tuple[float, float]:
    width, height = PAGE_SIZES[size]
    if orientation == "landscape":
        width, height = height, width
    return width, height


class TypeSizes(StrictModel):
    """Type sizes at scale 100%. The fit scales them between `min` and `max` body size."""

    body: TypeLength = Field(11.0, description="Body text size at 100%, e.g. '11pt'.")
    title: TitleLength = Field(22.0, description="Size of the card's title, e.g. '22pt'.")
    heading: TypeLength = Field(13.0, description="Size of section and panel headings, e.g. '13pt'.")
    small: TypeLength = Field(9.0, description="Small print (contact details, captions, sources), e.g. '9pt'.")
    min: TypeLength = Field(8.5, description="Smallest body size the fit may use; nothing prints smaller.")
    max: TypeLength = Field(12.5, description="Largest body size the fit may grow to on a short card.")
    leading: float = Field(
        1.22, ge=1.15, le=2.0, description="Line spacing of body text, as a multiple of its size (1.15 to 2)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> TypeSizes:
        if self.min < 8.5:
            raise ValueError("min must be at least 8.5pt, the smallest type a patient handout may use")
        if not self.min <= self.body <= self.max:
            raise ValueError("sizes must satisfy min <= body <= max")
        return self


class Colours(StrictModel):
    """Colours as '#rrggbb'. text, muted, accent and warning need 4.5:1 contrast on white and on panel."""

    text: Colour = Field("#111111", description="Body text colour, e.g. '#111111'.")
    muted: Colour = Field("#3d3d3d", description="Small print and log lines, e.g. '#3d3d3d'.")
    accent: Colour = Field("#1f4e79", description="Title, headings, numbers and markers, e.g. '#1f4e79'.")
    warning: Colour = Field("#b00020", description="The medical-attention box and warnings, e.g. '#b00020'.")
    panel: Colour = Field("#f1f4f8", description="Background of the point panels, e.g. '#f1f4f8'.")
    rule: Colour = Field("#9aa7b5", description="Lines and borders, e.g. '#9aa7b5'.")

    @model_validator(mode="after")
    def _readable(self) -> Colours:
        for name in ("text", "muted", "accent", "warning"):
            value = getattr(self, name)
            for background, label in (("#ffffff", "white"), (self.panel, "the panel colour")):
                ratio = contrast(value, background)
                if ratio < 4.5:
                    raise ValueError(
                        f"{name} colour {value} has contrast {ratio:.1f}:1 on {label}; at least 4.5:1 is needed"
                    )
        return self


class Figures(StrictModel):
    """Figure sizes at 100%; 0 leaves that figure out (large-print layouts)."""

    body_map: FigureLength = Field(158.0, description="Height of the overview body map; 0 for none.")
    closeup: CloseupLength = Field(62.0, description="Width of each point's close-up figure; 0 for none.")
    position: CloseupLength = Field(
        86.0, description="Width of each point's position picture (the pose with its tool); 0 for none."
    )
    closeup_with_position: Annotated[bool, Strict()] = Field(
        False, description="Show the close-up beside the position picture (false: the picture replaces it)."
    )
    icon: IconLength = Field(30.0, description="Width of tool icons; 0 for none.")
    pressure_scale: Annotated[bool, Strict()] = Field(True, description="Draw the 0-10 pressure scale in each panel.")
    logo: IconLength = Field(36.0, description="Height of the logo in the header; 0 leaves the logo out.")


class Layout(StrictModel):
    """A validated, fully merged layout. Lengths are in points."""

    _files: tuple[Path, ...] = PrivateAttr(default=())

    name: str = Field(
        "",
        pattern=NAME_PATTERN,
        max_length=64,
        description="The layout's name, used in PDF file names: lowercase letters, digits and hyphens. "
        "Default: the file name without .yaml.",
    )
    description: str = Field("", max_length=200, description="One line shown by `routinecard layouts`.")
    page: Page = Field(Page(), description="Paper size, orientation, margins and optional sheet.")
    type: TypeSizes = Field(TypeSizes(), description="Type sizes: body, title, heading, small, min, max.")
    colours: Colours = Field(Colours(), description="Colours as '#rrggbb': text, muted, accent, warning, panel...")
    columns: int = Field(2, ge=1, le=4, description="Columns of point panels.")
    attention_columns: int = Field(2, ge=1, le=2, description="Columns of the medical-attention box (urgent | soon).")
    gap: GapLength = Field(8.0, description="Space between sections and panels at 100%.")
    figures: Figures = Field(Figures(), description="Sizes of the body map, close-ups, icons and logo.")
    sections: list[Section] = Field(
        default_factory=lambda: list(SECTIONS),
        description="Order of the sections. A section left out still prints, in its default place: "
        "a layout orders the card, it never drops content.",
        json_schema_extra={"uniqueItems": True, "contains": {"const": "medical_attention"}},
    )
    log: Annotated[bool, Strict()] = Field(False, description="Print the exercise log (tick boxes) on every card.")
    split: Annotated[bool, Strict()] = Field(
        False,
        description="A routine that does not fit one page prints as a set of whole one-page cards "
        "('card 1 of 3'), each with its own medical box (on for pocket and large print; "
        "`--split` turns it on for any layout).",
    )

    @model_validator(mode="after")
    def _sections_complete(self) -> Layout:
        if "medical_attention" not in self.sections:
            raise ValueError("sections must include medical_attention: every card carries it")
        if len(set(self.sections)) != len(self.sections):
            raise ValueError("a section is listed twice")
        return self

    def section_order(self) -> list[Section]:
        """The listed sections, with any left out inserted after their default predecessor."""
        order: list[Section] = list(self.sections)
        for index, section in enumerate(SECTIONS):
            if section not in order:
                before = [s for s in SECTIONS[:index] if s in order]
                order.insert(order.index(before[-1]) + 1 if before else 0, section)
        return order

    @property
    def files(self) -> tuple[Path, ...]:
        """The chain of files this layout was read from (empty for one made in code)."""
        return self._files

    @property
    def min_scale(self) -> float:
        return self.type.min / self.type.body

    @property
    def max_scale(self) -> float:
        return self.type.max / self.type.body


def room_problems(layout: Layout) -> list[tuple[tuple[str | int, ...], str]]:
    """Sizes that are each within bounds but together leave no room on this page.

    Checked at the largest scale the fit may use (`type.max / type.body`), so no step of
    the fit can be handed a negative width. Returns (field path, message) pairs.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    _, _, frame_w, frame_h = layout.page.frame()
    grow = layout.max_scale
    gap = layout.gap * grow
    column = (frame_w - gap * (layout.columns - 1)) / layout.columns
    figures = layout.figures

    def room(path: tuple[str | int, ...], size: float, limit: float, what: str, where: str) -> None:
        if size * grow > limit:
            problems.append((path, f"{_show(size)} is too large for this page: {what} may be at most "
                                   f"{_show(limit / grow)} here ({where})"))

    room(("gap",), layout.gap * max(layout.columns - 1, 1), frame_w / 4, "the gap between columns",
         "a quarter of the page's width between all columns")
    if column > 0:
        room(("figures", "closeup"), figures.closeup, column * 0.7, "a close-up", "70% of a column of point panels")
        room(("figures", "icon"), figures.icon, column * 0.7, "a tool icon", "70% of a column of point panels")
    if column > 0 and not problems:
        # a point panel: padding, the close-up (or icon), a gap, and the text beside them
        figure = max(figures.closeup, figures.icon) * grow
        text = column - 1.8 * gap - figure - 0.8 * gap
        need = 3 * layout.type.max  # a few letters a line; less breaks reportlab's tables
        if text < need:
            where: tuple[str | int, ...] = (
                ("figures", "closeup") if figures.closeup >= figures.icon and figures.closeup > 0
                else ("figures", "icon") if figures.icon > 0 else ("gap",))
            problems.append((where, f"the point panels leave {max(text, 0):.0f}pt for text beside the figures, "
                                    f"at least {need:.0f}pt is needed: make the gap, close-ups or icons smaller, "
                                    "or use fewer columns"))
    room(("figures", "body_map"), figures.body_map, min(frame_h / 2, frame_w * 0.8), "the body map",
         "half the page's height and most of its width")
    room(("figures", "logo"), figures.logo, frame_h / 6, "the logo", "a sixth of the page's height")
    room(("type", "title"), layout.type.title, frame_w / 6, "the title size", "six letters per line")
    room(("type", "max"), layout.type.max, column / 8, "the largest body size",
         "eight letters per column of point panels")
    return problems


# -- files and inheritance ---------------------------------------------------------------


@dataclass
class MergedDocument:
    """Data merged from a chain of layout files; each value remembers its file."""

    data: dict[str, Any]
    origins: dict[tuple[str | int, ...], Document]
    root: Document

    def problem(self, path: tuple[str | int, ...], message: str, *, key: bool = False) -> Problem:
        probe = tuple(path)
        while probe and probe not in self.origins:
            probe = probe[:-1]
        doc = self.origins.get(probe, self.root)
        return doc.problem(path, message, key=key)


def builtin_layout_list() -> tuple[Layout, ...]:
    """Every built-in layout, loaded (once per process), in name order."""
    return tuple(_builtin_layout(name) for name in builtin_layouts())


def _resolve_reference(reference: str, relative_to: Path | None) -> Path | None:
    if looks_like_path(reference):
        base = relative_to.parent if relative_to else Path.cwd()
        return (base / reference).resolve()
    return builtin_layouts().get(reference)


def _merge(base: dict[str, Any], top: dict[str, Any], doc: Document, origins: dict[FieldPath, Document],
           prefix: FieldPath = ()) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        path = prefix + (key,)
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value, doc, origins, path)
        else:
            merged[key] = value
            _claim(value, path, doc, origins)
        origins[path] = doc
    return merged


def _claim(value: Any, path: FieldPath, doc: Document, origins: dict[FieldPath, Document]) -> None:
    origins[path] = doc
    if isinstance(value, dict):
        for key, item in value.items():
            _claim(item, path + (key,), doc, origins)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _claim(item, path + (index,), doc, origins)


def layout_name(reference: str) -> str:
    """A layout reference as it will be read: an existing file as given, a built-in name
    in any case (`A4` is `a4`). Anything else is an `InputError`: a path that is not a
    file says "no such layout file"; an unknown name suggests the closest built-in."""
    if Path(reference).is_file():
        return reference
    names = list(builtin_layouts())
    lowered = reference.strip().lower()
    if lowered in names:
        return lowered
    if looks_like_path(reference):
        raise InputError(Problem("no such layout file", file=reference))
    import difflib

    close = difflib.get_close_matches(lowered, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InputError(Problem(f"unknown layout {reference!r}; {hint}built-in layouts: {', '.join(names)} (or give a .yaml file)"))


def load_layout(reference: str | Path | None = None, *, named_by_file: bool = False) -> Layout:
    """A layout by built-in name (any case) or file path (None: the default, `letter`).

    Built-in layouts are resolved once per process; files are read every time, so an
    edit shows up on the next build of a long-running worker.
    """
    if reference is None:
        reference = "letter"
    reference = str(reference)
    if isinstance(reference, str) and not Path(reference).is_file():
        reference = layout_name(reference)
    if not Path(reference).is_file() and reference in builtin_layouts():
        return _builtin_layout(reference)
    return _read_layout(reference, named_by_file=named_by_file)


@cache
def _builtin_layout(name: str) -> Layout:
    return _read_layout(name)


def _read_layout(reference: str, *, named_by_file: bool = False) -> Layout:
    """Read a layout file and its `extends` chain. Files in the chain other than the first
    (and the first too, when another file named it) may be any file on the machine: their
    values are never quoted in messages."""
    path = Path(reference) if Path(reference).is_file() else _resolve_reference(reference, None)
    if path is None:
        known = ", ".join(builtin_layouts())
        raise InputError(Problem(f"unknown layout {reference!r}; built-in layouts: {known} (or give a .yaml file)"))
    chain: list[Document] = []
    seen: list[Path] = []
    current: Path | None = path.resolve()
    while current is not None:
        if current in seen:
            cycle = " -> ".join(p.name for p in seen + [current])
            raise InputError(chain[-1].problem(("extends",), f"layouts extend each other in a circle: {cycle}"))
        seen.append(current)
        # Any path may be named here (`extends: ../../etc/x`): nothing is quoted until it is a layout.
        doc = load_referenced_file(current, "layout", frozenset(Layout.model_fields) | {"extends"},
                                   redact=named_by_file or bool(chain))
        mapping = require_mapping(doc, "layout")
        chain.append(doc)
        parent = mapping.get("extends")
        if parent is None:
            current = None
        elif not isinstance(parent, str):
            raise InputError(doc.problem(("extends",), "expected the name or file of another layout"))
        else:
            current = _resolve_reference(parent, current)
            if current is None or not current.is_file():
                known = ", ".join(builtin_layouts())
                raise InputError(
                    doc.problem(("extends",), f"unknown layout {parent!r}; built-in layouts: {known}")
                )
    origins: dict[tuple[str | int, ...], Document] = {}
    data: dict[str, Any] = {}
    for doc in reversed(chain):
        top = {k: v for k, v in doc.data.items() if k != "extends"}
        data = _merge(data, top, doc, origins)
    data.setdefault("name", slug(path.stem))
    merged = MergedDocument(data, origins, chain[0])
    from routinecard.validate import validate_document

    layout = validate_document(Layout, merged, data)
    problems = [merged.problem(where, message) for where, message in room_problems(layout)]
    if problems:
        raise InputError(problems)
    layout._files = tuple(seen)  # the chain of files, for incremental builds
    return layout


__all__ = ["Layout", "load_layout", "builtin_layouts", "parse_length", "format_path"]
