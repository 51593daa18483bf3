"""A point's position picture: the scene its pose, site, side and tool make, and the
words that describe it (alternative text for tagged PDFs and screen readers).

Until every card names its atlas site (`site:`), a point whose id is an atlas site id
(the sciatica card's `piriformis`, `hamstrings`...) uses that site.
"""

from __future__ import annotations

from functools import lru_cache

from routinecard.figures.poses import Anchor, PoseError, Scene, library, scene
from routinecard.locale import Locale
from routinecard.model import Point, PoseSpec


def site_of(point: Point) -> str | None:
    """The point's atlas site: its `site` when it has one, else its id when that names a site."""
    site = getattr(point, "site", None)
    if isinstance(site, str) and site in library().sites:
        return site
    return point.id if point.id in library().sites else None


def point_scene(point: Point, language: str = "en") -> Scene | None:
    """The scene of a point's position picture, or None when the point has no pose."""
    if point.pose is None:
        return None
    return pose_scene(point.pose, site_of(point), point.tool, "left" if point.side == "left" else "right", language)


def pose_scene(pose: PoseSpec, site: str | None, tool: str, side: str, language: str) -> Scene:
    """The scene of a pose with its tool at a site (raises PoseError when it cannot be drawn)."""
    anchor = (pose.anchor.segment, float(pose.anchor.at), pose.anchor.surface) if pose.anchor else None
    known = site if site in library().sites else None
    return _scene(pose.preset, tuple(sorted(pose.angles().items())), known, anchor, tool, side, pose.motion, language)


def pose_problem(pose: PoseSpec, site: str | None, tool: str, side: str, language: str) -> str | None:
    """Why this pose cannot be drawn, in plain words, or None."""
    try:
        pose_scene(pose, site, tool, side, language)
    except PoseError as error:
        return error.problems[0].message
    return None


@lru_cache(maxsize=256)
def _scene(preset: str, angles: tuple[tuple[str, float], ...], site: str | None,
           anchor: tuple[str, float, str] | None, tool: str, side: str, motion: str | None, language: str) -> Scene:
    """Scenes are solved once per process for each distinct pose (the fit composes a card
    several times)."""
    where = None
    if anchor is not None:
        words = library().sites[site].words if site in library().sites else {}
        where = Anchor(anchor[0], anchor[1], anchor[2], words)
    return scene(preset, angles=dict(angles), site=site, anchor=where, tool=tool, side=side, motion=motion,
                 language=language)


def describe(picture: Scene, locale: Locale) -> str:
    """One sentence saying what the picture shows: pose, prop, site, side, motion."""
    alt = picture.alt
    side = locale.label(f"side_{alt.side}")
    if alt.prop and alt.site and alt.pressed:
        text = locale.label("position_alt_pressed", pose=alt.pose, prop=alt.prop, site=alt.site, side=side,
                            support=alt.support)
    elif alt.prop and alt.site:
        text = locale.label("position_alt_hand", pose=alt.pose, prop=alt.prop, site=alt.site, side=side)
    else:
        text = alt.pose
    if alt.motion:
        text += locale.label("position_alt_motion", motion=alt.motion)
    return text
