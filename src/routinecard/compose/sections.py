"""The card's sections as flowables: header, overview (body maps), point panels, notes,
the medical-attention box, the log and the footer, in the layout's order, at one scale.

`Composer` is pure: the same card, layout and scale give the same flowables. It knows
nothing of the page's height; `fit` chooses the scale.

Why one long module: one `Composer` class; every section reads the same styles, scale and gaps,
so splitting it would scatter one layout's decisions. Drawn pieces live in marks.py, styles in styles.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer, Table

from routinecard.assets import CardAssets
from routinecard.compose.marks import (
    SideBySide,
    NO_PADDING,
    TableCommand,
    CachedTable,
    FigureColumn,
    NumberBadge,
    QrCode,
    RuleLine,
    WarningSign,
    keep_together,
    picture,
    table_style,
)
from routinecard.compose.styles import make_styles
from routinecard.atlas import load_atlas
from routinecard.dose import dose_parts
from routinecard.figures.bodymap import MARKER_DIGIT, BodyFigure, FigureStyle, figure_extent
from routinecard.placement import highlights, overview_groups, placement
from routinecard.figures.picture import describe, point_scene
from routinecard.figures.position import Palette, PositionPicture
from routinecard.figures.pressure import PressureScale
from routinecard.fonts import FontSet
from routinecard.layouts import Layout
from routinecard.locale import Locale, load_locale
from routinecard.model import EMERGENCY, Card, Point
from routinecard.prepare import Extras
from routinecard.split import Part, card_blocks, whole
from routinecard.tagging import Close, Figure, Open, Whole
from routinecard.text import TextBlock


@dataclass(frozen=True)
class Story:
    """The card's flowables at one scale, and the gaps between its sections (the fit
    shares the room left at the bottom of the page between them)."""

    flowables: list[Flowable]
    section_gaps: list[Spacer] = field(default_factory=list)


class Composer:
    """Builds the story for one card at one scale. Pure: same inputs, same flowables."""

    def __init__(
        self,
        card: Card,
        layout: Layout,
        fonts: FontSet,
        assets: CardAssets,
        scale: float,
        *,
        locale: Locale | None = None,
        extras: Extras | None = None,
        part: Part | None = None,
    ) -> None:
        self.locale = locale or load_locale("en")
        self.extras = extras or Extras()
        # Which blocks this card holds: all of them, or one card's share of a set.
        self.part = part or whole(
            card_blocks(len(card.points), notes=bool(self.extras.personal.notes), log=self.extras.log is not None)
        )
        self.card = card
        self.layout = layout
        self.fonts = fonts
        self.assets = assets
        self.scale = scale
        self.figure_style = FigureStyle(marker_fill=layout.colours.accent)
        words = {p.pressure.words for p in card.points}
        # Pressure words every point shares are printed once, beside the body map.
        self.shared_pressure_words = words.pop() if len(words) == 1 and len(card.points) > 1 else None
        if not self.part.has("overview"):
            self.shared_pressure_words = None  # a card of a set without the overview says them per point
        self.styles = make_styles(layout, scale)
        self.notes_beside_map = False  # set by overview(), read by notes()
        self.notes_printed = False
        _, _, self.frame_width, self.frame_height = layout.page.frame()
        self.gap = layout.gap * scale

    # -- text helpers -------------------------------------------------------------------
    def para(self, text: str, style: ParagraphStyle, *, bold: bool = False) -> TextBlock:
        return TextBlock(self.fonts.runs(text, bold=bold or "Bold" in style.fontName), style)

    def label(self, key: str, **values: object) -> str:
        return self.locale.label(key, **values)

    def fill(self, text: str) -> str:
        """The card's own words, with {emergency} replaced by the emergency number."""
        return text.replace(EMERGENCY, self.extras.emergency) if EMERGENCY in text else text

    def labelled(self, label: str, text: str, style: ParagraphStyle | None = None) -> TextBlock:
        """'Label: text' with the label in bold. Text is never parsed as markup (see text.py)."""
        style = style or self.styles.body
        return TextBlock(self.fonts.runs(label + ":", bold=True) + self.fonts.runs(" " + text), style)

    def bullets(self, items: list[str], style: ParagraphStyle, *, numbered: bool = False) -> list[Flowable]:
        """A bulleted or numbered list. Our own paragraphs with bullet text, so bullets use
        the card's embedded font (reportlab's ListFlowable falls back to Helvetica)."""
        size = style.fontSize
        indent = size * (1.35 if numbered else 1.0)
        item_style = ParagraphStyle(
            f"{style.name}-item",
            parent=style,
            leftIndent=indent,
            bulletIndent=0,
            bulletFontName="Atkinson-Bold" if numbered else style.fontName,
            bulletFontSize=size,
            spaceAfter=size * 0.08,
        )
        return [
            TextBlock(
                self.fonts.runs(item, bold="Bold" in style.fontName),
                item_style,
                bullet=f"{i + 1}." if numbered else "\u2022",
                bullet_font=item_style.bulletFontName,
            )
            for i, item in enumerate(items)
        ]

    # -- sections ---------------------------------------------------------------------
    def story(self) -> Story:
        """Every section, in the layout's order, with a gap between sections."""
        builders: dict[str, Callable[[], list[Flowable]]] = {
            "header": self.header,
            "overview": self.overview,
            "points": self.points,
            "notes": self.notes,
            "medical_attention": self.medical_attention,
            "log": self.log,
            "footer": self.footer,
        }
        flowables: list[Flowable] = []
        gaps: list[Spacer] = []
        for section in self.layout.section_order():
            built = builders[section]()
            if built and flowables:
                spacer = Spacer(1, self.gap)
                gaps.append(spacer)
                flowables.append(spacer)
            if built:
                # One section of the tagged PDF's structure (see tagging.py).
                flowables.extend([Open("Sect"), *built, Close()])
        return Story(flowables, gaps)

    def header(self) -> list[Flowable]:
        """Clinic (logo, name, contact) on the left; who the card is for on the right."""
        s = self.styles
        extras = self.extras
        right: list[Flowable] = []
        blank = "_" * 18
        personal = extras.personal
        name = personal.patient or blank
        date = personal.date or blank[:12]
        nbsp = "\u00a0\u00a0\u00a0"
        right.append(
            TextBlock(self.fonts.runs(f"{self.label('patient')}: {name}{nbsp}{self.label('date')}: {date}"), s.fill_in)
        )
        if personal.clinician:
            right.append(TextBlock(self.fonts.runs(f"{self.label('clinician')}: {personal.clinician}"), s.fill_in))
        left: list[Flowable] = []
        logo_path = extras.clinic_logo or self.assets.logo
        logo: Flowable | None = None
        if logo_path is not None and self.layout.figures.logo > 0:  # `logo: 0` leaves the logo out
            logo_height = self.layout.figures.logo * self.scale
            owner = extras.clinic.name if extras.clinic is not None else self.card.title
            logo = Figure(picture(logo_path, self.frame_width * 0.3, logo_height, align="left"),
                          self.label("alt_logo", name=owner))
        clinic = extras.clinic
        if clinic is not None:
            left.append(self.para(clinic.name, s.bold))
            contact = [c for c in (clinic.address, clinic.phone and f"{self.label('phone')}: {clinic.phone}", clinic.website) if c]
            if contact:
                left.append(self.para(self.locale.formats["separator"].join(contact), s.small))
        if logo is not None:
            logo_width = logo.wrap(self.frame_width, 1000)[0]
            block = CachedTable([[logo, left or ""]], colWidths=[logo_width + (self.gap if left else 0), None])
            block.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            left = [block]
        if left:
            right = [*self.review_banner(self.frame_width * 0.4), Spacer(1, self.gap * 0.3), *right] if self.card.needs_review else right
            # The clinic's contact lines are the longest: they get the wider column.
            top = CachedTable([[left, right]], colWidths=[self.frame_width * 0.6, self.frame_width * 0.4])
            top.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
            first: list[Flowable] = [top]
        elif self.card.needs_review:
            banner_width = self.frame_width * 0.55 - self.gap
            top = CachedTable([[self.review_banner(banner_width), right]],
                              colWidths=[self.frame_width * 0.55, self.frame_width * 0.45])
            top.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
            first = [top]
        else:
            first = right
        # The letterhead is read after the title and summary (tagging.TagRecorder.finish).
        flowables: list[Flowable] = [Open("Div", key="letterhead"), *first, Close(), Spacer(1, self.gap * 0.4)]
        title = self.para(self.card.title, s.title)
        if self.part.count > 1:
            # "Card 2 of 3" at the end of the title's line: a card of a set costs no extra line
            text = self.label("card_of", n=self.part.number, count=self.part.count)
            style = ParagraphStyle("card_of", parent=s.bold, alignment=TA_RIGHT)
            width = self.fonts_width(text, style) + self.gap
            row = CachedTable([[title, self.para(text, style)]], colWidths=[self.frame_width - width, width])
            row.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
            flowables.append(row)
        else:
            flowables.append(title)
        if self.part.has("summary"):
            flowables += [Spacer(1, self.gap * 0.4), self.para(self.card.summary, s.body)]
        return flowables

    def review_banner(self, width: float) -> list[Flowable]:
        """A draft (`needs_review: true`, e.g. a new translation) says so in a red-bordered
        box at the top of the card, beside who it is for, where staff cannot miss it;
        nothing is hidden or moved (the header's spare room holds it)."""
        if not self.card.needs_review:
            return []
        warning = colors.HexColor(self.layout.colours.warning)
        runs = self.fonts.runs(self.label("review"), bold=True, colour=self.layout.colours.warning)
        pad = self.gap * 0.4
        banner = CachedTable([[TextBlock(runs, self.styles.small)]], colWidths=[width])
        banner.setStyle(table_style([
            ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad * 0.5), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.7),
            ("BOX", (0, 0), (-1, -1), 1.6, warning),
        ]))
        return [banner]

    def notes_content(self) -> list[Flowable]:
        notes = self.extras.personal.notes
        if not notes or not self.part.has("notes"):
            return []
        s = self.styles
        return [self.para(self.label("notes"), s.heading), Spacer(1, self.gap * 0.3), self.para(notes, s.body)]

    def notes(self) -> list[Flowable]:
        """The clinician's notes in their own box, unless they went beside the body map."""
        content = self.notes_content()
        if not content or self.notes_beside_map:
            return []
        self.notes_printed = True
        return [self.boxed(content, self.frame_width, background=None)]

    def log(self) -> list[Flowable]:
        """Tick boxes for each session of each day, and lines for the patient's notes."""
        log = self.extras.log
        if log is None or not self.part.has("log"):
            return []
        s = self.styles
        days = list(self.locale.weekdays)
        first = max(self.fonts_width(self.label("log_session", n=log.sessions), s.body) + self.gap, self.frame_width * 0.14)
        day_width = (self.frame_width - first) / len(days)
        rows: list[list[object]] = [[""] + [self.para(d, ParagraphStyle("day", parent=s.body, alignment=TA_CENTER)) for d in days]]
        for n in range(1, log.sessions + 1):
            rows.append([self.para(self.label("log_session", n=n), s.body)] + [""] * len(days))
        box = s.body.fontSize * 1.45
        table = CachedTable(rows, colWidths=[first] + [day_width] * len(days), rowHeights=[None] + [box] * log.sessions)
        rule = colors.HexColor(self.layout.colours.rule)
        table.setStyle(
            table_style(
                [
                    ("GRID", (1, 1), (-1, -1), 0.8, colors.HexColor(self.layout.colours.muted)),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, rule),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        content: list[Flowable] = [
            self.para(self.label("log"), s.heading),
            self.para(self.label("log_hint"), s.body),
            Spacer(1, self.gap * 0.3),
            table,
        ]
        if log.lines:
            content += [Spacer(1, self.gap * 0.5), self.para(self.label("log_notes") + ":", s.bold)]
            content += [RuleLine(self.frame_width, s.body.fontSize * 1.9, self.layout.colours.muted) for _ in range(log.lines)]
        return [keep_together(content, self.frame_width)]

    def fonts_width(self, text: str, style: ParagraphStyle) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return stringWidth(text, style.fontName, style.fontSize)

    def overview(self) -> list[Flowable]:
        """Body map(s) on the left; before-you-start and shared pressure words on the right."""
        show_map, show_before = self.part.has("overview"), self.part.has("before")
        if not show_map and not show_before:
            return []
        s = self.styles
        text: list[Flowable] = []
        if self.card.before_you_start and show_before:
            text += [
                self.para(self.label("before_you_start"), s.heading),
                Spacer(1, self.gap * 0.3),
                *self.bullets(list(self.card.before_you_start), s.body),
            ]
        if self.shared_pressure_words and show_map:
            if text:
                text.append(Spacer(1, self.gap * 0.6))
            text += [
                self.para(self.label("how_hard_all"), s.heading),
                Spacer(1, self.gap * 0.3),
                self.para(self.shared_pressure_words, s.body),
            ]
        full_height = self.layout.figures.body_map * self.scale
        maps = self.overview_figures(full_height) if show_map else []
        if not maps:
            return [self.boxed(text, self.frame_width, background=None)] if text else []
        figure_cell, left = self.map_cell(maps)
        if not text:
            return [figure_cell]
        notes = [] if self.notes_printed else self.notes_content()

        def box_for(width: float, *, with_notes: bool, height: float = 0.0) -> Table:
            content = [*text, *([Spacer(1, self.gap * 0.6), *notes] if with_notes else [])]
            return self.boxed(content, width, background=None, height=height)

        figure_height = figure_cell.wrap(left, self.frame_height)[1]
        if notes:
            # Room beside the body map holds the clinician's notes, when they fit there.
            if box_for(self.frame_width - left, with_notes=True).wrap(self.frame_width - left, self.frame_height)[1] <= figure_height + self.gap:
                self.notes_beside_map = True
        text_height = box_for(self.frame_width - left, with_notes=self.notes_beside_map).wrap(self.frame_width - left, self.frame_height)[1]
        if text_height < figure_height - self.gap:
            # The text beside the map is shorter: the map shrinks towards it (to 80% at
            # most), so the room is not left empty.
            smaller = max(full_height * 0.8, full_height - (figure_height - text_height))
            maps = self.overview_figures(smaller)
            figure_cell, left = self.map_cell(maps)
            figure_height = figure_cell.wrap(left, self.frame_height)[1]
        box = box_for(self.frame_width - left, with_notes=self.notes_beside_map)
        if box.wrap(self.frame_width - left, self.frame_height)[1] < figure_height:
            box = box_for(self.frame_width - left, with_notes=self.notes_beside_map, height=figure_height)
        row = CachedTable([[figure_cell, box]], colWidths=[left, self.frame_width - left])
        row.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [row]

    def map_cell(self, maps: list[BodyFigure]) -> tuple[Table, float]:
        """The body map(s) with their captions, and the width of the column they take."""
        figure_width = sum(f.width for f in maps) + self.gap * 0.5 * (len(maps) - 1)
        caption_style = ParagraphStyle("caption", parent=self.styles.small, alignment=TA_CENTER)
        captions = [self.para(self.caption(f), caption_style) for f in maps]
        figures = [Figure(f, self.map_alt(f)) for f in maps]
        figure_cell = CachedTable(
            [figures, captions],
            colWidths=[f.width + (self.gap * 0.5 if i < len(figures) - 1 else 0) for i, f in enumerate(figures)],
        )
        figure_cell.setStyle(table_style(NO_PADDING + [("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        return figure_cell, figure_width + self.gap * 1.5

    def overview_figures(self, height: float) -> list[BodyFigure]:
        """One figure per view the points use (a one-side view twice when points are on
        both sides), side by side, with every marker; referral areas tinted and hatched."""
        groups = overview_groups(self.card)
        if height <= 0 or not groups:
            return []

        def make(h: float) -> list[BodyFigure]:
            return [
                BodyFigure(view, h, shown, window=figure_extent(view), marker_size=self.marker_size(),
                           style=self.figure_style, hatch=True, callouts=True, mirror=mirrored)
                for view, mirrored, shown in groups
            ]

        figures = make(height)
        # Several views side by side share at most about half the page's width.
        budget = self.frame_width * 0.58
        total = sum(f.width for f in figures) + self.gap * 0.5 * (len(figures) - 1)
        if total > budget and len(figures) > 1:
            gutters = sum(f.gutter_left + f.gutter_right for f in figures) + self.gap * 0.5 * (len(figures) - 1)
            bodies = total - gutters
            figures = make(height * max(0.45, (budget - gutters) / bodies))
        return figures

    def map_alt(self, figure: BodyFigure) -> str:
        """The body map in words: which view and side, and the numbered points on it."""
        numbers = sorted({h.number for h in figure.highlights})
        named = [f"{n} {self.card.points[n - 1].name}" for n in numbers if 0 < n <= len(self.card.points)]
        return self.label("alt_body_map", view=self.caption(figure), points=", ".join(named))

    def marker_size(self) -> float:
        """Markers are sized so their digits are never below the layout's minimum type."""
        return max(self.styles.body.fontSize * 1.35, 10.0, self.layout.type.min / MARKER_DIGIT)

    def caption(self, figure: BodyFigure) -> str:
        """'Back view · right side': which view and which side is shown."""
        view = load_atlas().views[figure.view]
        if view.both_sides:
            sides = self.sides_on(figure.view)
            side = "both" if len(sides) != 1 else next(iter(sides))
        else:
            side = "left" if figure.mirror else "right"
        return self.locale.formats["separator"].join((view.name(self.locale.code), self.label("side_" + side)))

    def sides_on(self, view: str) -> set[str]:
        sides: set[str] = set()
        for point in self.card.points:
            where = placement(point)
            if where is not None and where.view == view:
                sides |= {"right", "left"} if where.side == "both" else {where.side}
        return sides

    def boxed(self, content: list[Flowable], width: float, *, background: str | None, height: float = 0.0) -> Table:
        """Content in a bordered box; `height` (if larger) stretches it to match its row."""
        pad = self.gap * 0.9
        table = CachedTable([[content]], colWidths=[width], rowHeights=[height] if height else None)
        commands: list[TableCommand] = [
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor(self.layout.colours.rule)),
        ]
        if background:
            commands.append(("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(background)))
        table.setStyle(table_style(commands))
        return table

    def point_panel(self, number: int, point: Point, width: float) -> list[Flowable]:
        """The content of one point's panel, for a panel `width` wide (padding included)."""
        s = self.styles
        c = self.layout.colours
        pad = self.gap * 0.9
        inner = width - 2 * pad
        badge_size = NumberBadge.size_for(s.heading.fontSize, self.layout.type.min)
        title = CachedTable(
            [[NumberBadge(number, badge_size, c.accent), self.para(point.name, s.heading)]],
            colWidths=[badge_size + self.gap * 0.6, inner - badge_size - self.gap * 0.6],
        )
        title.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        heading = Whole(title, "H2")  # "1 Piriformis": the badge's number is part of the heading
        tool = self.assets.tools[point.tool]
        pressure = self.locale.out_of_ten(point.pressure.min, point.pressure.max)
        if not self.shared_pressure_words:
            pressure += ". " + point.pressure.words
        tool_name = tool.name_in(self.locale.code)
        described: list[Flowable] = [
            self.labelled(self.label("where"), point.where),
            self.labelled(self.label("refers_to"), point.refers_to),
            self.labelled(self.label("tool"), tool_name),
            self.labelled(self.label("position"), point.position),
            self.labelled(self.label("pressure"), pressure),
        ]
        scale_font = max(s.body.fontSize * 0.92, self.layout.type.min)
        how_hard_width = self.fonts_width(f"{self.label('pressure')}: {pressure}", s.bold) + self.gap
        # "How hard: 3-5 out of 10" beside the scale, when the scale keeps boxes wide enough
        # for "10" there: the panel saves a line.
        scale_width = inner - how_hard_width
        scale_room = scale_width - self.fonts_width(self.label("pressure_none") + self.label("pressure_worst"), s.body)
        inline_scale = (self.layout.figures.pressure_scale and self.shared_pressure_words is not None
                        and scale_room - scale_font * 0.8 >= 11 * scale_font * 1.2)
        if inline_scale:
            described = described[:4]
        elif inner >= 5 * 72:
            # A wide panel (one column, large print): the two short fields share a line.
            runs = self.fonts.runs(self.label("tool") + ":", bold=True) + self.fonts.runs(" " + tool_name + "\u2003")
            runs += self.fonts.runs(self.label("pressure") + ":", bold=True) + self.fonts.runs(" " + pressure)
            described = [described[0], described[1], described[3], TextBlock(runs, s.body)]
        figure = self.point_figure(number, point)
        if figure is not None:
            # A close-up taller than the text beside it shrinks towards it (to 70% at most).
            text_width = inner - figure.wrap(inner, 0)[0] - self.gap * 0.8
            text_height = sum(f.wrap(text_width, self.frame_height)[1] + f.getSpaceAfter() for f in described)
            figure_height = figure.wrap(inner, self.frame_height)[1]
            if figure_height > text_height > 0:
                shrunk = self.point_figure(number, point, max(0.65, 1 - (figure_height - text_height) / figure_height))
                if shrunk is not None:
                    figure = shrunk
            text_width = inner - figure.wrap(inner, 0)[0] - self.gap * 0.8
            top = CachedTable([[described, figure]], colWidths=[text_width + self.gap * 0.8, None])
            top.setStyle(
                table_style(
                    NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP"), ("RIGHTPADDING", (0, 0), (0, 0), self.gap * 0.8)]
                )
            )
            described = [top]
        scale: Flowable = Figure(PressureScale(
            point.pressure.min,
            point.pressure.max,
            scale_width if inline_scale else inner,
            scale_font,
            accent=c.accent,
            text=c.text,
            rule=c.rule,
            low_label=self.label("pressure_none"),
            high_label=self.label("pressure_worst"),
        ), self.label("alt_pressure", none=self.label("pressure_none"), worst=self.label("pressure_worst"),
                      range=self.locale.number_range(point.pressure.min, point.pressure.max)))
        if inline_scale:
            row = CachedTable([[self.labelled(self.label("pressure"), pressure), scale]],
                              colWidths=[how_hard_width, scale_width])
            row.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            scale = row
        content: list[Flowable] = [
            Open("Sect"),
            heading,
            Spacer(1, self.gap * 0.35),
            *described,
            *([Spacer(1, self.gap * 0.3), scale] if self.layout.figures.pressure_scale else []),
            Spacer(1, self.gap * 0.3),
            self.para(self.dose(point), s.bold),
            Spacer(1, self.gap * 0.25),
            *self.bullets(list(point.steps), s.body, numbered=True),
            Close(),
        ]
        return content

    def dose(self, point: Point) -> str:
        """The dose line, wrapped only between its parts: no-break spaces inside each part
        ("Hold 15 to 30 seconds") and before each separator, so a line never ends in the
        middle of a number range or starts with a lone word."""
        separator = self.locale.formats["separator"]
        if separator.startswith(" "):
            separator = "\u00a0" + separator[1:]
        return separator.join(part.replace(" ", "\u00a0") for part in dose_parts(point.timing, self.locale))

    def point_figure(self, number: int, point: Point, factor: float = 1.0) -> Flowable | None:
        """The point's position picture and/or close-up (the layout decides), with the
        tool icon under it; or the tool icon alone. `factor` scales the pictures (a panel
        whose text is shorter than its pictures shrinks them towards it)."""
        tool = self.assets.tools[point.tool]
        icon_size = self.layout.figures.icon * self.scale * factor
        tool_alt = self.label("alt_tool", tool=tool.name_in(self.locale.code))
        icon: Flowable | None = Figure(picture(tool.icon, icon_size), tool_alt) if icon_size > 0 else None
        position = self.position_picture(point, factor)
        closeup = self.closeup(number, point, factor)
        if position is not None and closeup is not None and not self.layout.figures.closeup_with_position:
            if point.id in self.assets.photos:
                position = None  # the clinic's own photo of the point wins
            else:
                closeup = None  # the position picture replaces the close-up
        if position is not None:
            if not position.shows_tool and icon is not None:
                position.inset = picture(tool.icon, min(icon_size, position.width * 0.34))
            icon = None  # the picture shows the tool in use (or carries its icon); its name is in the text
        tagged: list[Flowable] = []
        if closeup is not None:
            tagged.append(Figure(closeup, self.label("alt_closeup", n=number, name=point.name)))
        if position is not None:
            tagged.append(Figure(position, position.alt))
        if not tagged:
            return icon
        figure = tagged[0] if len(tagged) == 1 else SideBySide(tagged, self.gap * 0.5)
        return FigureColumn(figure, icon, gap=self.gap * 0.5)

    def position_picture(self, point: Point, factor: float = 1.0) -> PositionPicture | None:
        """The pose with its tool at the site (figures/position.py), or None."""
        width = self.layout.figures.position * self.scale * factor
        if width <= 0 or point.pose is None:
            return None
        scene = point_scene(point, self.card.language)
        if scene is None:
            return None
        c = self.layout.colours
        return PositionPicture(scene, width, width * 1.2, Palette.from_colours(c.accent, c.warning, c.muted),
                               alt=describe(scene, self.locale))

    def closeup(self, number: int, point: Point, factor: float = 1.0) -> Flowable | None:
        """The photo, or the close-up of the point's region cut from the body map, or None."""
        size = self.layout.figures.closeup * self.scale * factor
        photo = self.assets.photos.get(point.id)
        where = placement(point)
        if size <= 0 or (where is None and photo is None):
            return None
        if photo is not None:
            return picture(photo, size)
        assert where is not None
        # The close-up shows the side the point is on (the right one for `both`); a
        # one-side view is mirrored for the left side, a both-sides view mirrors the window.
        side = "left" if where.side == "left" else "right"
        return BodyFigure(
            where.view,
            size,
            highlights(number, where),
            window=where.window_for(side),
            marker_size=self.marker_size(),
            style=self.figure_style,
            hatch=True,
            frame=True,
            hide_arms=True,
            mirror=side == "left" and not where.both_sides,
        )

    def points(self) -> list[Flowable]:
        """Panels in a grid. One table holds them all, with empty columns and rows as the
        gaps, so panels side by side share one height and each row reads as one band."""
        chosen = self.part.points  # on a card of a set, its share; numbers stay the routine's
        if not chosen:
            return []
        columns = min(self.layout.columns, len(chosen))
        width = (self.frame_width - self.gap * (columns - 1)) / columns
        panels = [self.point_panel(i + 1, self.card.points[i], width) for i in chosen]
        rows: list[list[object]] = []
        commands: list[TableCommand] = [("VALIGN", (0, 0), (-1, -1), "TOP"), *NO_PADDING]
        pad = self.gap * 0.9
        for start in range(0, len(panels), columns):
            if rows:
                rows.append([""] * (2 * columns - 1))
            row: list[object] = []
            r = len(rows)
            for c in range(columns):
                if c:
                    row.append("")
                index = start + c
                row.append(panels[index] if index < len(panels) else "")
                if index < len(panels):
                    cell = (2 * c, r)
                    commands += [
                        ("BACKGROUND", cell, cell, colors.HexColor(self.layout.colours.panel)),
                        ("BOX", cell, cell, 0.8, colors.HexColor(self.layout.colours.rule)),
                        ("LEFTPADDING", cell, cell, pad),
                        ("RIGHTPADDING", cell, cell, pad),
                        ("TOPPADDING", cell, cell, pad * 0.8),
                        ("BOTTOMPADDING", cell, cell, pad),
                    ]
            rows.append(row)
        widths = [width if i % 2 == 0 else self.gap for i in range(2 * columns - 1)]
        heights = [None if i % 2 == 0 else self.gap for i in range(len(rows))]
        grid = CachedTable(rows, colWidths=widths, rowHeights=heights)
        grid.setStyle(table_style(commands))
        return [grid]

    def medical_attention(self) -> list[Flowable]:
        s = self.styles
        attention = self.card.medical_attention
        c = self.layout.colours
        pad = self.gap * 0.9
        icon = WarningSign(s.warning_heading.fontSize * 1.2, c.warning, minimum=self.layout.type.min)
        heading = CachedTable(
            [[icon, self.para(self.label("medical_attention").upper(), s.warning_heading)]],
            colWidths=[icon.size + self.gap * 0.7, None],
        )
        heading.setStyle(
            table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )

        def tier(title: str, items: list[str], style_title: ParagraphStyle, item_style: ParagraphStyle) -> list[Flowable]:
            # Each tier's title is a third-level heading in the tagged PDF (the red one and the black one).
            heading = TextBlock(self.fonts.runs(title, bold=True), style_title, role="H3")
            return [heading, Spacer(1, self.gap * 0.2), *self.bullets(items, item_style)]

        urgent = tier(self.fill(attention.urgent.title), [self.fill(i) for i in attention.urgent.items], s.warning_title, s.bold)
        soon = tier(self.fill(attention.soon.title), [self.fill(i) for i in attention.soon.items], s.bold, s.body)
        border = max(2.5 * self.scale, 2.0)
        inner_width = self.frame_width - border
        if self.layout.attention_columns >= 2:
            half = (inner_width - 3 * pad) / 2
            # The urgent tier is never split: its last red flag at the top of the right column,
            # above the other tier's title, could be read as one of the "contact your doctor" signs.
            left, right = balanced_columns(urgent + soon, half, titles=(urgent[0], soon[0]), unbroken=len(urgent))
            body = CachedTable([[left, right]], colWidths=[half + pad, half + 2 * pad])
            cells = [
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), pad),  # keep the text off the red border
            ]
        else:
            body = CachedTable([[urgent], [soon]], colWidths=[inner_width])
            cells = [("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad)]
        body.setStyle(
            table_style(
                cells
                + [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), pad * 0.7),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.8),
                ]
            )
        )
        box = CachedTable([[heading], [body]], colWidths=[inner_width])
        box.setStyle(
            table_style(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(c.warning)),
                    ("LEFTPADDING", (0, 0), (-1, 0), pad),
                    ("RIGHTPADDING", (0, 0), (-1, 0), pad),
                    ("TOPPADDING", (0, 0), (-1, 0), pad * 0.45),
                    ("BOTTOMPADDING", (0, 0), (-1, 0), pad * 0.45),
                    ("LEFTPADDING", (0, 1), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 1), (-1, -1), 0),
                    ("TOPPADDING", (0, 1), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 0),
                    ("BOX", (0, 0), (-1, -1), border, colors.HexColor(c.warning)),
                ]
            )
        )
        return [box]

    def footer(self) -> list[Flowable]:
        """Sources; and the video as a QR code with its address, when there is one."""
        s = self.styles
        sources = self.locale.formats["separator"].join(self.card.sources)
        runs = self.fonts.runs(self.label("sources") + ":", bold=True) + self.fonts.runs(" " + sources)
        paragraph = TextBlock(runs, s.small)
        if not self.card.video:
            return [paragraph]
        size = max(54.0 * self.scale, 46.0)  # a QR code must stay big enough to scan from paper
        url_width = min(self.frame_width * 0.3, 170.0)
        video = [
            self.para(self.label("video"), s.bold),
            TextBlock(self.fonts.runs(self.card.video), s.small),
        ]
        qr = Figure(QrCode(self.card.video, size), self.label("alt_qr", url=self.card.video))
        block = CachedTable([[qr, video]], colWidths=[size + self.gap * 0.6, url_width])
        block.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        row = CachedTable([[paragraph, block]], colWidths=[self.frame_width - size - self.gap * 1.6 - url_width, size + self.gap + url_width + self.gap * 0.6])
        row.setStyle(table_style(NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (1, 0), (1, 0), self.gap)]))
        return [row]


def balanced_columns(
    flowables: list[Flowable], width: float, *, titles: tuple[Flowable, ...] = (), unbroken: int = 0
) -> tuple[list[Flowable], list[Flowable]]:
    """Flowables that read in order down two columns, split where the taller column is
    shortest. Nothing is cut in two, a title never ends a column (it stays with the
    first item under it), and the first `unbroken` flowables stay in one column."""
    heights = [f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables]
    total = sum(heights)
    best, best_height = len(flowables), total
    above = 0.0
    for index in range(1, len(flowables)):
        above += heights[index - 1]
        if index < unbroken:
            continue
        if flowables[index - 1] in titles or isinstance(flowables[index - 1], Spacer):
            continue  # never break right after a title (or the space under it)
        if isinstance(flowables[index], Spacer):
            continue
        taller = max(above, total - above)
        if taller < best_height - 0.01:
            best, best_height = index, taller
    return flowables[:best], flowables[best:]
