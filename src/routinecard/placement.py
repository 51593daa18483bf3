"""Where a point is drawn: its site from the atlas, with the card's overrides applied.

A point names a `site` (and `side`); the atlas gives the view, the marker, the usual
referral shading and the close-up size. `marker`, `referral` and `closeup` written in the
card override those. This module also checks what the schema cannot: a site that does
not exist (with a "did you mean"), a marker off the body, shading off the body, and a
close-up window that does not contain its marker.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from routinecard.atlas import load_atlas
from routinecard.figures.bodymap import Ellipse, Highlight, body_map, closeup_window, highlights_for, inside
from routinecard.model import Card, Point

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Placement:
    """A point resolved onto one view, in the right side's grid coordinates."""

    view: str
    x: float
    y: float
    side: str  # right, left, both
    regions: tuple[str, ...]
    areas: tuple[Ellipse, ...]
    window: tuple[float, float, float, float]  # the close-up, grid units, right side

    @property
    def both_sides(self) -> bool:
        return body_map(self.view).spec.both_sides

    def window_for(self, side: str) -> tuple[float, float, float, float]:
        """The close-up window on one side: a both-sides view mirrors it about the midline
        for the left side (a one-side view mirrors the whole picture instead)."""
        if side != "left" or not self.both_sides:
            return self.window
        x, y, w, h = self.window
        return body_map(self.view).width - x - w, y, w, h


def placement(point: Point) -> Placement | None:
    """The point on its view, or None if it names neither a site nor a marker."""
    atlas = load_atlas()
    site = atlas.site(point.site) if point.site else None
    place = None
    if site is not None:
        wanted = point.marker.view if point.marker is not None else point.view
        place = site.place(wanted)
        if place is None and point.marker is None:
            return None
    view: str
    if point.marker is not None:
        view, x, y = point.marker.view, point.marker.x, point.marker.y
    elif place is not None:
        view, x, y = place.view, place.x, place.y
    else:
        return None
    if point.referral.regions or point.referral.areas:
        regions = tuple(point.referral.regions)
        areas = tuple(Ellipse(a.x, a.y, a.rx, a.ry) for a in point.referral.areas)
    elif place is not None:
        regions = place.regions
        areas = tuple(Ellipse(a.x, a.y, a.rx, a.ry) for a in place.areas)
    else:
        regions, areas = (), ()
    body = body_map(view)
    if point.closeup is not None:
        window = closeup_window(point.closeup.x, point.closeup.y, point.closeup.size, body.width, body.height)
    else:
        size = (place.closeup if place is not None and place.closeup else None) or body.spec.closeup
        window = closeup_window(x, y, size, body.width, body.height)
    return Placement(view, x, y, point.side, regions, areas, window)


def highlights(number: int, where: Placement) -> list[Highlight]:
    """The point's marker and shading on each side it is drawn on."""
    return highlights_for(number, where.side, where.x, where.y, where.view, where.regions, where.areas)


def overview_groups(card: Card) -> list[tuple[str, bool, list[Highlight]]]:
    """(view, mirrored, highlights) for each figure of the overview, in the atlas's view
    order: one per view the points use, and a one-side view twice (right, then mirrored
    for the left) when points are on both sides."""
    groups: dict[tuple[str, bool], list[Highlight]] = {}
    for number, point in enumerate(card.points, start=1):
        where = placement(point)
        if where is None:
            continue
        if where.both_sides:
            groups.setdefault((where.view, False), []).extend(highlights(number, where))
        else:
            for mirrored in ([False, True] if where.side == "both" else [where.side == "left"]):
                groups.setdefault((where.view, mirrored), []).extend(highlights(number, where))
    order = list(load_atlas().views)
    return [(view, mirrored, groups[(view, mirrored)])
            for view, mirrored in sorted(groups, key=lambda k: (order.index(k[0]), k[1]))]


def _midline_ok(body_view: str, x: float, width: float, right_on_viewer_right: bool) -> bool:
    tolerance = width * 0.03  # points on the spine may sit a little either side of the midline
    middle = width / 2
    return x >= middle - tolerance if right_on_viewer_right else x <= middle + tolerance


def map_problems(card: Card) -> list[tuple[FieldPath, str]]:
    """Unknown sites, markers and shading off the body, close-ups that miss their marker."""
    atlas = load_atlas()
    problems: list[tuple[FieldPath, str]] = []
    for index, point in enumerate(card.points):
        here: FieldPath = ("points", index)
        if point.site is not None:
            site = atlas.site(point.site)
            if site is None:
                hint = atlas.suggest(point.site)
                did_you_mean = f"; did you mean {hint!r}?" if hint else ""
                problems.append((here + ("site",), f"unknown site {point.site!r}{did_you_mean} "
                                 "(`routinecard atlas` lists every site)"))
                continue
            wanted = point.marker.view if point.marker is not None else point.view
            if wanted is not None and site.place(wanted) is None and point.marker is None:
                problems.append((here + ("view",), f"the site {site.id!r} is not on the {wanted} view; "
                                 f"it is on: {', '.join(site.views)}"))
                continue
        elif point.view is not None and point.marker is None:
            problems.append((here + ("view",), "`view` chooses among a site's views: add `site:` or a `marker:`"))
            continue
        resolved = placement(point)
        if resolved is None:
            if point.referral.regions or point.referral.areas or point.closeup:
                problems.append((here + ("referral",), "needs a site or a marker: the referral area is drawn "
                                 "on the marker's body map"))
            continue
        body = body_map(resolved.view)
        spec = body.spec
        marker_path = here + ("marker",) if point.marker is not None else here + ("site",)
        if not (0 <= resolved.x <= body.width and 0 <= resolved.y <= body.height):
            problems.append((marker_path, f"the marker ({resolved.x:g}, {resolved.y:g}) is outside the "
                             f"{resolved.view} view's grid (0-{body.width:g} across, 0-{body.height:g} down)"))
            continue
        if not body.contains(resolved.x, resolved.y):
            problems.append((marker_path, f"the marker ({resolved.x:g}, {resolved.y:g}) is outside the body in the "
                             f"{resolved.view} view; `routinecard atlas --sheet` shows the grid"))
        if spec.both_sides and point.marker is not None and point.side in ("right", "left") and not _midline_ok(
                resolved.view, resolved.x, body.width, spec.right_on_viewer_right):
            where = "the viewer's right" if spec.right_on_viewer_right else "the viewer's left"
            problems.append((here + ("marker", "x"), f"markers are written for the body's right side, which in the "
                             f"{resolved.view} view is on {where} (x {'above' if spec.right_on_viewer_right else 'below'} "
                             f"{body.width / 2:g}); `side: {point.side}` then draws it on the side asked for"))
        known = body.region_names()
        explicit = bool(point.referral.regions or point.referral.areas)
        for r, name in enumerate(resolved.regions):
            if name in known:
                continue
            hint = ""
            if name.endswith(("-left", "-right")) and name.rsplit("-", 1)[0] in known:
                hint = f" (write {name.rsplit('-', 1)[0]!r}: the point's `side` chooses left or right)"
            path = here + ("referral", "regions", r) if explicit else here + ("site",)
            problems.append((path, f"unknown region {name!r} in the {resolved.view} view{hint}; "
                             f"regions: {', '.join(known)}"))
        for a, area in enumerate(resolved.areas):
            if not _ellipse_touches_body(resolved.view, area):
                path = here + ("referral", "areas", a) if explicit else here + ("site",)
                problems.append((path, f"the shaded area at ({area.x:g}, {area.y:g}) is off the body in the "
                                 f"{resolved.view} view: nothing would be shaded"))
        if point.closeup is not None:
            wx, wy, ww, wh = resolved.window
            if not (wx <= resolved.x <= wx + ww and wy <= resolved.y <= wy + wh):
                problems.append((here + ("closeup",), f"the close-up window ({wx:g}-{wx + ww:g} across, "
                                 f"{wy:g}-{wy + wh:g} down) does not contain the marker "
                                 f"({resolved.x:g}, {resolved.y:g})"))
    return problems


@lru_cache(maxsize=1024)
def _ellipse_touches_body(view: str, area: Ellipse) -> bool:
    """Does any part of the ellipse lie on the body? (Sampled: centre, rings of points.)
    Remembered: every build of a card asks the same question of the same outline."""
    import math

    body = body_map(view)
    for fraction in (0.0, 0.35, 0.7, 1.0):
        steps = 1 if fraction == 0 else 12
        for k in range(steps):
            angle = 2 * math.pi * k / steps
            x = area.x + fraction * area.rx * math.cos(angle)
            y = area.y + fraction * area.ry * math.sin(angle)
            if inside(body.outline, x, y):
                return True
    return False
