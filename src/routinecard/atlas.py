"""The atlas: named body sites on every view, read once per process from shipped data.

`images/atlas/atlas.yaml` names the views (SVG files beside it) and the sites; a card's
point says `site: upper-trapezius` and this module answers where that is (marker, usual
referral shading, close-up size) on the view the point uses. Data, not code: adding a
site is a YAML edit, checked by tests that draw every site on every view.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from routinecard.resources import data_dir

LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class AreaSpec:
    """An ellipse of referred pain in a view's grid (body's right side)."""

    x: float
    y: float
    rx: float
    ry: float


@dataclass(frozen=True)
class ViewSpec:
    """One body view: its picture, grid and how sides are shown."""

    id: str
    file: Path
    both_sides: bool  # one picture shows both sides (back, front); else right side only, mirrored for the left
    right_on_viewer_right: bool  # where the body's right side is, in a both-sides view
    closeup: float  # default close-up window (grid units)
    names: dict[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language.split("-")[0], self.names["en"])


@dataclass(frozen=True)
class Place:
    """Where a site is on one view, and where its pain is usually felt there."""

    view: str
    x: float
    y: float
    regions: tuple[str, ...]
    areas: tuple[AreaSpec, ...]
    closeup: float | None


@dataclass(frozen=True)
class Site:
    """A named site: plain names per language and its places, the first the default."""

    id: str
    names: dict[str, str]
    plain: dict[str, str]
    places: tuple[Place, ...]

    def name(self, language: str) -> str:
        return self.names.get(language.split("-")[0], self.names["en"])

    def place(self, view: str | None = None) -> Place | None:
        """The place on `view` (None: the default place); None if the site is not on it."""
        if view is None:
            return self.places[0]
        return next((p for p in self.places if p.view == view), None)

    @property
    def views(self) -> tuple[str, ...]:
        return tuple(p.view for p in self.places)


@dataclass(frozen=True)
class Atlas:
    views: dict[str, ViewSpec]
    sites: dict[str, Site]

    def site(self, site_id: str) -> Site | None:
        return self.sites.get(site_id)

    def suggest(self, word: str) -> str | None:
        """The nearest site id, for a "did you mean"."""
        close = difflib.get_close_matches(word.lower(), list(self.sites), n=1, cutoff=0.6)
        return close[0] if close else None


def atlas_dir() -> Path:
    return data_dir("images") / "atlas"


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"atlas: expected a number, found {value!r}")
    return float(value)


def _names(raw: Any, what: str) -> dict[str, str]:
    if not isinstance(raw, dict) or "en" not in raw:
        raise ValueError(f"atlas: {what} needs names per language, at least en")
    return {str(k): str(v) for k, v in raw.items()}


@cache
def load_atlas() -> Atlas:
    """The shipped atlas, parsed and checked once per process."""
    folder = atlas_dir()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
    raw = yaml.load((folder / "atlas.yaml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    views: dict[str, ViewSpec] = {}
    for view_id, spec in raw["views"].items():
        views[view_id] = ViewSpec(
            id=view_id,
            file=folder / spec["file"],
            both_sides=bool(spec["both_sides"]),
            right_on_viewer_right=bool(spec.get("right_on_viewer_right", True)),
            closeup=_float(spec["closeup"]),
            names=_names(spec["name"], f"view {view_id}"),
        )
    sites: dict[str, Site] = {}
    for site_id, spec in raw["sites"].items():
        places: list[Place] = []
        for view_id, place in spec["places"].items():
            if view_id not in views:
                raise ValueError(f"atlas: site {site_id} names an unknown view {view_id!r}")
            refer = place.get("refer", {}) or {}
            places.append(
                Place(
                    view=view_id,
                    x=_float(place["x"]),
                    y=_float(place["y"]),
                    regions=tuple(str(r) for r in refer.get("regions", [])),
                    areas=tuple(AreaSpec(_float(a["x"]), _float(a["y"]), _float(a["rx"]), _float(a["ry"]))
                                for a in refer.get("areas", [])),
                    closeup=_float(place["closeup"]) if "closeup" in place else None,
                )
            )
        if not places:
            raise ValueError(f"atlas: site {site_id} is on no view")
        sites[site_id] = Site(site_id, _names(spec["name"], site_id), _names(spec["plain"], site_id), tuple(places))
    return Atlas(views, sites)


def site_ids() -> list[str]:
    """Every site id, sorted (the JSON Schema lists them)."""
    return sorted(load_atlas().sites)


def view_ids() -> list[str]:
    return list(load_atlas().views)
