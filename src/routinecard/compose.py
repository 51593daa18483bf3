"""Compose: card content + layout -> a page plan (flowables) fitted to ONE page.

Every size on the card (type, spacing, figures) is the layout's size times one scale.
The fit searches for the largest scale between the layout's minimum and maximum at
which the whole story fits the page frame. If even the minimum does not fit, it raises
`FitError` saying by how much, rather than clip, drop or add a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from routinecard.assets import CardAssets
from routinecard.errors import FitError, Problem
from routinecard.atlas import load_atlas
from routinecard.figures.bodymap import MARKER_DIGIT, BodyFigure, FigureStyle, figure_extent
from routinecard.placement import highlights, overview_groups, placement
from routinecard.figures.icons import SvgIcon
from routinecard.figures.pressure import PressureScale
from routinecard.fonts import FontSet
from routinecard.text import TextBlock
from routinecard.layouts import Layout
from routinecard.model import Card, Point
from routinecard.locale import Locale, load_locale
from routinecard.model import EMERGENCY, Clinic, Log

FIT_PRECISION = 0.01  # scale steps the search resolves; 1% of type size


class CachedTable(Table):
    """A table that lays out its cells once per width: tables wrap their cells again when
    they draw them, and nested tables multiply that."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        key = availWidth  # our tables never split, so their height does not depend on the room left
        if getattr(self, "_wrapped_at", None) == key:
            return self._wrapped  # type: ignore[has-type]
        self._wrapped = super().wrap(availWidth, availHeight)
        self._wrapped_at = key
        return self._wrapped


@dataclass(frozen=True)
class Styles:
    """Paragraph styles at one scale."""

    scale: float
    body: ParagraphStyle
    bold: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    small: ParagraphStyle
    warning_heading: ParagraphStyle
    warning_title: ParagraphStyle
    fill_in: ParagraphStyle

    def size(self, points: float) -> float:
        return points * self.scale


def make_styles(layout: Layout, scale: float) -> Styles:
    t = layout.type
    c = layout.colours
    floor = t.min

    def sized(points: float) -> float:
        return max(points * scale, floor)

    body_size = sized(t.body)
    body = ParagraphStyle(
        "body",
        fontName="Atkinson",
        fontSize=body_size,
        leading=body_size * 1.22,
        textColor=colors.HexColor(c.text),
        splitLongWords=1,
        allowWidows=1,
    )
    bold = ParagraphStyle("bold", parent=body, fontName="Atkinson-Bold")
    heading_size = sized(t.heading)
    heading = ParagraphStyle(
        "heading", parent=bold, fontSize=heading_size, leading=heading_size * 1.15, textColor=colors.HexColor(c.accent)
    )
    title_size = sized(t.title)
    title = ParagraphStyle(
        "title", parent=bold, fontSize=title_size, leading=title_size * 1.12, textColor=colors.HexColor(c.accent)
    )
    small_size = sized(t.small)
    small = ParagraphStyle(
        "small", parent=body, fontSize=small_size, leading=small_size * 1.2, textColor=colors.HexColor(c.muted)
    )
    warning_heading = ParagraphStyle(
        "warning_heading", parent=bold, fontSize=heading_size, leading=heading_size * 1.15, textColor=colors.white
    )
    warning_title = ParagraphStyle("warning_title", parent=bold, textColor=colors.HexColor(c.warning))
    fill_in = ParagraphStyle("fill_in", parent=body, alignment=TA_RIGHT, textColor=colors.HexColor(c.muted))
    return Styles(scale, body, bold, heading, title, small, warning_heading, warning_title, fill_in)


@dataclass(frozen=True)
class Extras:
    """What is printed besides the card's own content."""

    clinic: Clinic | None = None
    clinic_logo: Path | None = None
    patient: str | None = None
    clinician: str | None = None
    date: str | None = None
    notes: str | None = None
    log: Log | None = None
    emergency: str = ""


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
    ) -> None:
        self.locale = locale or load_locale("en")
        self.extras = extras or Extras()
        self.card = card
        self.layout = layout
        self.fonts = fonts
        self.assets = assets
        self.scale = scale
        self.figure_style = FigureStyle(marker_fill=layout.colours.accent)
        words = {p.pressure.words for p in card.points}
        # Pressure words every point shares are printed once, beside the body map.
        self.shared_pressure_words = words.pop() if len(words) == 1 and len(card.points) > 1 else None
        self.styles = make_styles(layout, scale)
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
            spaceAfter=size * 0.12,
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
    def story(self) -> list[Flowable]:
        builders: dict[str, Callable[[], list[Flowable]]] = {
            "header": self.header,
            "overview": self.overview,
            "points": self.points,
            "notes": self.notes,
            "medical_attention": self.medical_attention,
            "log": self.log,
            "footer": self.footer,
        }
        story: list[Flowable] = []
        self.section_spacers: list[Spacer] = []
        for section in self.layout.section_order():
            flowables = builders[section]()
            if flowables and story:
                spacer = Spacer(1, self.gap)
                self.section_spacers.append(spacer)
                story.append(spacer)
            story.extend(flowables)
        return story

    def header(self) -> list[Flowable]:
        """Clinic (logo, name, contact) on the left; who the card is for on the right."""
        s = self.styles
        extras = self.extras
        right: list[Flowable] = []
        blank = "_" * 18
        name = extras.patient or blank
        date = extras.date or blank[:12]
        nbsp = "\u00a0\u00a0\u00a0"
        right.append(
            TextBlock(self.fonts.runs(f"{self.label('patient')}: {name}{nbsp}{self.label('date')}: {date}"), s.fill_in)
        )
        if extras.clinician:
            right.append(TextBlock(self.fonts.runs(f"{self.label('clinician')}: {extras.clinician}"), s.fill_in))
        left: list[Flowable] = []
        logo_path = extras.clinic_logo or self.assets.logo
        logo: Flowable | None = None
        if logo_path is not None:
            logo_height = self.layout.figures.logo * self.scale
            logo = _icon(logo_path, self.frame_width * 0.3, logo_height, align="left")
        clinic = extras.clinic
        if clinic is not None:
            left.append(self.para(clinic.name, s.bold))
            contact = [c for c in (clinic.address, clinic.phone and f"{self.label('phone')}: {clinic.phone}", clinic.website) if c]
            if contact:
                left.append(self.para(self.locale.formats["separator"].join(contact), s.small))
        if logo is not None:
            logo_width = logo.wrap(self.frame_width, 1000)[0]
            block = CachedTable([[logo, left or ""]], colWidths=[logo_width + (self.gap if left else 0), None])
            block.setStyle(_table_style(_NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            left = [block]
        if left:
            top = CachedTable([[left, right]], colWidths=[self.frame_width * 0.55, self.frame_width * 0.45])
            top.setStyle(_table_style(_NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
            first: list[Flowable] = [top]
        else:
            first = right
        return [
            *first,
            Spacer(1, self.gap * 0.6),
            self.para(self.card.title, s.title),
            Spacer(1, self.gap * 0.4),
            self.para(self.card.summary, s.body),
        ]

    def notes(self) -> list[Flowable]:
        if not self.extras.notes:
            return []
        s = self.styles
        content = [self.para(self.label("notes"), s.heading), Spacer(1, self.gap * 0.3), self.para(self.extras.notes, s.body)]
        return [self.boxed(content, self.frame_width, background=None)]

    def log(self) -> list[Flowable]:
        """Tick boxes for each session of each day, and lines for the patient's notes."""
        log = self.extras.log
        if log is None:
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
            _table_style(
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
        return [KeepTogetherAsTable(content, self.frame_width)]

    def fonts_width(self, text: str, style: ParagraphStyle) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return stringWidth(text, style.fontName, style.fontSize)

    def overview(self) -> list[Flowable]:
        """Body map(s) on the left; before-you-start and shared pressure words on the right."""
        s = self.styles
        text: list[Flowable] = []
        if self.card.before_you_start:
            text += [
                self.para(self.label("before_you_start"), s.heading),
                Spacer(1, self.gap * 0.3),
                *self.bullets(list(self.card.before_you_start), s.body),
            ]
        if self.shared_pressure_words:
            if text:
                text.append(Spacer(1, self.gap * 0.6))
            text += [
                self.para(self.label("how_hard_all"), s.heading),
                Spacer(1, self.gap * 0.3),
                self.para(self.shared_pressure_words, s.body),
            ]
        figures = self.overview_figures()
        if not figures:
            return [self.boxed(text, self.frame_width, background=None)] if text else []
        figure_width = sum(f.width for f in figures) + self.gap * 0.5 * (len(figures) - 1)
        caption_style = ParagraphStyle("caption", parent=s.small, alignment=TA_CENTER)
        captions = [self.para(self.caption(f), caption_style) for f in figures]
        figure_cell = CachedTable(
            [figures, captions],
            colWidths=[f.width + (self.gap * 0.5 if i < len(figures) - 1 else 0) for i, f in enumerate(figures)],
        )
        figure_cell.setStyle(_table_style(_NO_PADDING + [("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        if not text:
            return [figure_cell]
        left = figure_width + self.gap * 1.5
        box = self.boxed(text, self.frame_width - left, background=None)
        figure_height = figure_cell.wrap(left, self.frame_height)[1]
        if box.wrap(self.frame_width - left, self.frame_height)[1] < figure_height:
            box = self.boxed(text, self.frame_width - left, background=None, height=figure_height)
        row = CachedTable([[figure_cell, box]], colWidths=[left, self.frame_width - left])
        row.setStyle(_table_style(_NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [row]

    def overview_figures(self) -> list[BodyFigure]:
        """One figure per view the points use (a one-side view twice when points are on
        both sides), side by side, with every marker; referral areas tinted and hatched."""
        groups = overview_groups(self.card)
        height = self.layout.figures.body_map * self.scale
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
        commands = [
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor(self.layout.colours.rule)),
        ]
        if background:
            commands.append(("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(background)))
        table.setStyle(_table_style(commands))
        return table

    def point_panel(self, number: int, point: Point, width: float) -> list[Flowable]:
        """The content of one point's panel, for a panel `width` wide (padding included)."""
        s = self.styles
        c = self.layout.colours
        pad = self.gap * 0.9
        inner = width - 2 * pad
        badge_size = s.heading.fontSize * 1.7
        title = CachedTable(
            [[NumberBadge(number, badge_size, c.accent), self.para(point.name, s.heading)]],
            colWidths=[badge_size + self.gap * 0.6, inner - badge_size - self.gap * 0.6],
        )
        title.setStyle(_table_style(_NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        tool = self.assets.tools[point.tool]
        pressure = self.locale.out_of_ten(point.pressure.min, point.pressure.max)
        if not self.shared_pressure_words:
            pressure += ". " + point.pressure.words
        described: list[Flowable] = [
            self.labelled(self.label("where"), point.where),
            self.labelled(self.label("refers_to"), point.refers_to),
            self.labelled(self.label("tool"), tool.name_in(self.locale.code)),
            self.labelled(self.label("position"), point.position),
            self.labelled(self.label("pressure"), pressure),
        ]
        figure = self.point_figure(number, point)
        if figure is not None:
            text_width = inner - figure.wrap(inner, 0)[0] - self.gap * 0.8
            top = CachedTable([[described, figure]], colWidths=[text_width + self.gap * 0.8, None])
            top.setStyle(
                _table_style(
                    _NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP"), ("RIGHTPADDING", (0, 0), (0, 0), self.gap * 0.8)]
                )
            )
            described = [top]
        scale: Flowable = PressureScale(
            point.pressure.min,
            point.pressure.max,
            inner,
            max(s.body.fontSize * 0.92, self.layout.type.min),
            accent=c.accent,
            text=c.text,
            rule=c.rule,
            low_label=self.label("pressure_none"),
            high_label=self.label("pressure_worst"),
        )
        content: list[Flowable] = [
            title,
            Spacer(1, self.gap * 0.35),
            *described,
            *([Spacer(1, self.gap * 0.35), scale] if self.layout.figures.pressure_scale else []),
            Spacer(1, self.gap * 0.4),
            self.para(self.locale.timing(point.timing.hold_s, point.timing.repeats, point.timing.per_day), s.bold),
            Spacer(1, self.gap * 0.3),
            *self.bullets(list(point.steps), s.body, numbered=True),
        ]
        return content

    def point_figure(self, number: int, point: Point) -> Flowable | None:
        """The close-up of the point's region with the tool icon inset, or the tool icon alone."""
        tool = self.assets.tools[point.tool]
        size = self.layout.figures.closeup * self.scale
        icon_size = self.layout.figures.icon * self.scale
        icon = _icon(tool.icon, icon_size) if icon_size > 0 else None
        photo = self.assets.photos.get(point.id)
        where = placement(point)
        if size <= 0 or (where is None and photo is None):
            return icon
        if photo is not None or where is None:
            return FigureColumn(_icon(photo, size), icon, gap=self.gap * 0.5) if photo is not None else icon
        # The close-up shows the side the point is on (the right one for `both`); a
        # one-side view is mirrored for the left side, a both-sides view mirrors the window.
        side = "left" if where.side == "left" else "right"
        closeup = BodyFigure(
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
        return FigureColumn(closeup, icon, gap=self.gap * 0.5)

    def points(self) -> list[Flowable]:
        """Panels in a grid. One table holds them all, with empty columns and rows as the
        gaps, so panels side by side share one height and each row reads as one band."""
        columns = min(self.layout.columns, len(self.card.points))
        width = (self.frame_width - self.gap * (columns - 1)) / columns
        panels = [self.point_panel(i + 1, p, width) for i, p in enumerate(self.card.points)]
        rows: list[list[object]] = []
        commands: list = [("VALIGN", (0, 0), (-1, -1), "TOP")] + _NO_PADDING
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
        grid.setStyle(_table_style(commands))
        return [grid]

    def medical_attention(self) -> list[Flowable]:
        s = self.styles
        attention = self.card.medical_attention
        c = self.layout.colours
        pad = self.gap * 0.9
        icon = WarningSign(s.warning_heading.fontSize * 1.35, c.warning)
        heading = CachedTable(
            [[icon, self.para(self.label("medical_attention").upper(), s.warning_heading)]],
            colWidths=[icon.size + self.gap * 0.7, None],
        )
        heading.setStyle(
            _table_style(
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
            return [self.para(title, style_title), Spacer(1, self.gap * 0.25), *self.bullets(items, item_style)]

        urgent = tier(self.fill(attention.urgent.title), [self.fill(i) for i in attention.urgent.items], s.warning_title, s.bold)
        soon = tier(self.fill(attention.soon.title), [self.fill(i) for i in attention.soon.items], s.bold, s.body)
        border = max(2.5 * self.scale, 2.0)
        inner_width = self.frame_width - border
        if self.layout.attention_columns >= 2:
            half = (inner_width - 3 * pad) / 2
            body = CachedTable([[urgent, soon]], colWidths=[half + pad, half + 2 * pad])
            cells = [
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), pad),  # keep the text off the red border
            ]
        else:
            body = CachedTable([[urgent], [soon]], colWidths=[inner_width])
            cells = [("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad)]
        body.setStyle(
            _table_style(
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
            _table_style(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(c.warning)),
                    ("LEFTPADDING", (0, 0), (-1, 0), pad),
                    ("RIGHTPADDING", (0, 0), (-1, 0), pad),
                    ("TOPPADDING", (0, 0), (-1, 0), pad * 0.55),
                    ("BOTTOMPADDING", (0, 0), (-1, 0), pad * 0.55),
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
        if self.card.needs_review:
            runs = self.fonts.runs(self.label("review") + ".", bold=True, colour=self.layout.colours.warning) + self.fonts.runs(" ") + runs
        paragraph = TextBlock(runs, s.small)
        if not self.card.video:
            return [paragraph]
        size = max(54.0 * self.scale, 46.0)  # a QR code must stay big enough to scan from paper
        url_width = min(self.frame_width * 0.3, 170.0)
        video = [
            self.para(self.label("video"), s.bold),
            TextBlock(self.fonts.runs(self.card.video), s.small),
        ]
        block = CachedTable([[QrCode(self.card.video, size), video]], colWidths=[size + self.gap * 0.6, url_width])
        block.setStyle(_table_style(_NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        row = CachedTable([[paragraph, block]], colWidths=[self.frame_width - size - self.gap * 1.6 - url_width, size + self.gap + url_width + self.gap * 0.6])
        row.setStyle(_table_style(_NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (1, 0), (1, 0), self.gap)]))
        return [row]


class QrCode(Flowable):
    """The video address as a QR code, drawn with reportlab's widget (vector, no font)."""

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.value = value
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        from reportlab.graphics import renderPDF
        from reportlab.graphics.barcode.qr import QrCodeWidget
        from reportlab.graphics.shapes import Drawing

        widget = QrCodeWidget(self.value, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(self.size, self.size, transform=[self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0])
        drawing.add(widget)
        drawing.initialFontName = "Atkinson"  # the renderer would otherwise reference Helvetica
        renderPDF.draw(drawing, self.canv, 0, 0, showBoundary=False)


class RuleLine(Flowable):
    """A blank line to write on."""

    def __init__(self, width: float, height: float, colour: str) -> None:
        super().__init__()
        self.width = width
        self.height = height
        self.colour = colour

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setStrokeColor(colors.HexColor(self.colour))
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 1, self.width, 1)


def KeepTogetherAsTable(content: list[Flowable], width: float) -> Table:  # noqa: N802 - reads like a flowable
    """Content in one borderless table cell, so it is measured and placed as one block."""
    table = CachedTable([[content]], colWidths=[width])
    table.setStyle(_table_style(_NO_PADDING))
    return table


_NO_PADDING = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
]


def _icon(path, size: float, height: float | None = None, *, align: str = "center") -> Flowable:  # noqa: ANN001
    """An SVG or raster picture in a box `size` wide (and `height` tall, default square)."""
    if path.suffix.lower() == ".svg":
        return SvgIcon(path, size, height, align=align)
    from routinecard.figures.images import RasterFlowable

    return RasterFlowable(path, size, height or size, align=align)


class FigureColumn(Flowable):
    """The close-up (or photo) with the tool icon, if any, centred under it."""

    def __init__(self, figure: Flowable, icon: Flowable | None, gap: float) -> None:
        super().__init__()
        self.figure = figure
        self.icon = icon
        self.gap = gap

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        fw, fh = self.figure.wrap(availWidth, availHeight)
        iw, ih = self.icon.wrap(availWidth, availHeight) if self.icon else (0.0, -self.gap)
        self.width, self.height = max(fw, iw), fh + self.gap + ih
        return self.width, self.height

    def draw(self) -> None:
        fw, fh = self.figure.wrap(self.width, self.height)
        self.figure.drawOn(self.canv, (self.width - fw) / 2, self.height - fh)
        if self.icon is not None:
            iw, _ = self.icon.wrap(self.width, self.height)
            self.icon.drawOn(self.canv, (self.width - iw) / 2, 0)


def _table_style(commands: list) -> TableStyle:
    """Every table names our font: reportlab's default cell font is Helvetica, which would
    otherwise be referenced (unembedded) in the PDF even for cells that hold no text."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), "Atkinson"), *commands])


class NumberBadge(Flowable):
    """A filled circle with the point's number: matches markers on the body map."""

    def __init__(self, number: int, size: float, colour: str) -> None:
        super().__init__()
        self.number = number
        self.size = size
        self.colour = colour

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
        r = self.size / 2
        canvas.setFillColor(colors.HexColor(self.colour))
        canvas.circle(r, r, r, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Atkinson-Bold", self.size * 0.62)  # sized from the heading: >= minimum type
        canvas.drawCentredString(r, r - self.size * 0.22, str(self.number))


class WarningSign(Flowable):
    """A white warning triangle with '!', printed on the red heading bar."""

    def __init__(self, size: float, colour: str) -> None:
        super().__init__()
        self.size = size
        self.colour = colour

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size * 0.9

    def draw(self) -> None:
        canvas = self.canv
        w = self.size
        h = self.size * 0.9
        path = canvas.beginPath()
        path.moveTo(0, 0)
        path.lineTo(w, 0)
        path.lineTo(w / 2, h)
        path.close()
        canvas.setFillColor(colors.white)
        canvas.setStrokeColor(colors.white)
        canvas.setLineJoin(1)
        canvas.setLineWidth(w * 0.06)
        canvas.drawPath(path, stroke=1, fill=1)
        canvas.setFillColor(colors.HexColor(self.colour))
        canvas.setFont("Atkinson-Bold", h * 0.68)
        canvas.drawCentredString(w / 2, h * 0.12, "!")


# -- the fit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PagePlan:
    """The story that fits, and how: the scale used and the room left."""

    story: list[Flowable]
    scale: float
    height: float
    available: float
    passes: int

    @property
    def fit_percent(self) -> int:
        return round(self.scale * 100)


def story_height(story: list[Flowable], width: float, height: float) -> float:
    total = 0.0
    for flowable in story:
        _, h = flowable.wrap(width, height)
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def fit(
    card: Card,
    layout: Layout,
    fonts: FontSet,
    assets: CardAssets,
    *,
    card_name: str,
    locale: Locale | None = None,
    extras: Extras | None = None,
) -> PagePlan:
    """Find the largest scale in [min, max] at which the card fits one page.

    A guided search on height(scale): the first guess is 100%; the next comes from a
    model (height grows about as scale^1.8: lines get both taller and more numerous),
    then from the secant through the measured points, always inside the bracket
    [fits, too long]. Heights move in steps (lines wrap), so after a guess that fits we
    probe one step above it: if that is too long, the search is done. Typically three
    or four layout passes per card.
    """
    passes = 0
    frame = layout.page.frame()[3]
    low_scale, high_scale = layout.min_scale, layout.max_scale
    fits: tuple[float, float, Composer, list[Flowable]] | None = None  # (scale, height, ...)
    over: tuple[float, float] | None = None  # (scale, height)

    def attempt(scale: float) -> tuple[Composer, list[Flowable], float]:
        nonlocal passes
        passes += 1
        composer = Composer(card, layout, fonts, assets, scale, locale=locale, extras=extras)
        story = composer.story()
        return composer, story, story_height(story, composer.frame_width, composer.frame_height)

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
            error = FitError(Problem(_overflow_message(layout, excess, frame), file=card_name))
            error.overflow = excess  # type: ignore[attr-defined]
            raise error
        if fits is not None and over is not None:
            if probe_next:
                guess = fits[0] + FIT_PRECISION
            elif over[1] > fits[1] and passes < 10:
                guess = fits[0] + (frame - fits[1]) / (over[1] - fits[1]) * (over[0] - fits[0])
            else:
                guess = (fits[0] + over[0]) / 2
            guess = min(max(guess, fits[0] + FIT_PRECISION / 2), over[0] - FIT_PRECISION / 2)
        else:
            scale, measured = (fits[0], fits[1]) if fits is not None else over  # type: ignore[misc]
            guess = scale * (frame / measured) ** (1 / 1.8)
            guess += -0.003 if fits is None else 0.003  # aim just inside, so the next probe can close
            guess = min(max(guess, low_scale), high_scale)
            if fits is not None and guess <= fits[0]:
                guess = min(fits[0] + FIT_PRECISION, high_scale)
    assert fits is not None
    scale, height, composer, story = fits
    return PagePlan(story, scale, _spread(composer, story, height), frame, passes)


def _overflow_message(layout: Layout, over: float, frame_height: float) -> str:
    """Say by how much, and what the user can do about it."""
    from routinecard.layouts import builtin_layouts, load_layout

    _, _, width, height = layout.page.frame()
    larger = []
    for name in builtin_layouts():
        other = load_layout(name)
        _, _, w, h = other.page.frame()
        if name != layout.name and w * h / other.type.min**2 > width * height / layout.type.min**2 * 1.05:
            larger.append(name)
    bigger = f", or use a layout with more room (--layout {' or '.join(larger)})" if larger else ""
    return (
        f"does not fit on one {layout.name!r} page, even with the smallest type ({layout.type.min:g}pt): "
        f"about {over / 72:.1f} in ({over * 25.4 / 72:.0f} mm) too long, {over / frame_height:.0%} of the page. "
        f"To make it fit: shorten the longest texts, keep fewer points (`only:` in a patient file){bigger}."
    )


def _spread(composer: Composer, story: list[Flowable], height: float) -> float:
    """Share the room left at the bottom between the sections (up to 3 gaps each), so a
    card that fits with room to spare looks laid out, not cut short."""
    spacers = getattr(composer, "section_spacers", [])
    room = composer.frame_height - height - 0.5
    if not spacers or room <= 0:
        return height
    extra = min(room / len(spacers), composer.gap * 3)
    for spacer in spacers:
        spacer.height += extra
    return height + extra * len(spacers)
