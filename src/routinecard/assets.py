"""Files a card names (icons, photos, logos): resolved relative to the file that names
them, and kept inside that file's folder tree or the project's `images/` folder, so a
card e-mailed from elsewhere cannot pull `../../home/you/secret.png` into a PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from routinecard.resources import data_dir
from routinecard.tools import Tool

IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")


class AssetError(ValueError):
    """The reference is not acceptable; the message says why."""


def resolve_asset(reference: str, named_in: Path, *, allowed: tuple[Path, ...] = (), suffixes: tuple[str, ...] = IMAGE_SUFFIXES) -> Path:
    """The real path of `reference`, or AssetError.

    Symlinks are resolved before the containment check, so a link pointing out of the
    tree is refused like a `../` path.
    """
    if not reference.strip():
        raise AssetError("the file name is empty")
    if Path(reference).suffix.lower() not in suffixes:
        raise AssetError(f"{reference!r} is not a {', '.join(s.lstrip('.').upper() for s in suffixes)} file")
    base = named_in.resolve().parent
    candidate = (base / reference).resolve()
    roots = (base, data_dir("images").resolve(), *(p.resolve() for p in allowed))
    if not any(candidate == root or root in candidate.parents for root in roots):
        raise AssetError(
            f"{reference!r} is outside the card's folder and the images/ folder; "
            "move the file next to the card (or pass --allow-path DIR)"
        )
    if not candidate.is_file():
        raise AssetError(f"file not found: {reference!r} (looked in {base})")
    return candidate


@dataclass(frozen=True)
class CardAssets:
    """Files a card uses, resolved and checked: tool icons, logo, point photos."""

    tools: dict[str, Tool]
    logo: Path | None = None
    photos: dict[str, Path] = field(default_factory=dict)
