"""The pipeline: load -> validate -> fit -> render -> write, and the public Python API.

`build_pdf` is a pure function from data to PDF bytes: nothing it does leaks into the
next call except process-wide caches of things that never change (fonts, the tool
library, built-in layouts).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from routinecard.compose import PagePlan, fit
from routinecard.errors import InputError, Problem, RoutineCardError, display_path
from routinecard.fonts import FontSet, font_set
from routinecard.layouts import Layout, load_layout
from routinecard.loader import Document, load_yaml_file, require_mapping
from routinecard.model import Card, semantic_problems
from routinecard.render import Metadata, render_pdf
from routinecard.assets import IMAGE_SUFFIXES, AssetError, CardAssets, resolve_asset
from routinecard.figures.bodymap import map_problems
from routinecard.tools import Tool, builtin_tools
from routinecard.validate import validate_document


@dataclass(frozen=True)
class LoadedCard:
    """A validated card, the document it came from (for locating later problems) and
    the files it names."""

    card: Card
    document: Document
    assets: CardAssets

    @property
    def name(self) -> str:
        return self.document.file


def _strings(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


def glyph_problems(card: Card, doc: Document, fonts: FontSet) -> list[Problem]:
    """Every character that no bundled font can print, named with its field."""
    problems = []
    for path, text in _strings(card.model_dump()):
        missing = fonts.missing(text)
        if missing:
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            problems.append(
                doc.problem(
                    path,
                    f"no bundled font can print {shown}{more}; the card's fonts cover Latin, "
                    f"Greek and Cyrillic scripts",
                )
            )
    return problems


def resolve_assets(card: Card, doc: Document, card_path: Path, allow: tuple[Path, ...]) -> tuple[CardAssets, list[Problem]]:
    problems: list[Problem] = []

    def resolve(reference: str, path: tuple[str | int, ...], suffixes: tuple[str, ...] = IMAGE_SUFFIXES) -> Path | None:
        try:
            return resolve_asset(reference, card_path, allowed=allow, suffixes=suffixes)
        except AssetError as error:
            problems.append(doc.problem(path, str(error)))
            return None

    tools = dict(builtin_tools())
    for tool_id, definition in card.tools.items():
        icon = resolve(definition.icon, ("tools", tool_id, "icon"))
        if icon is not None:
            tools[tool_id] = Tool(tool_id, definition.name, icon)
    logo = resolve(card.logo, ("logo",)) if card.logo else None
    photos: dict[str, Path] = {}
    for index, point in enumerate(card.points):
        if point.photo:
            photo = resolve(point.photo, ("points", index, "photo"), (".png", ".jpg", ".jpeg"))
            if photo is not None:
                photos[point.id] = photo
    return CardAssets(tools, logo, photos), problems


def load_card_document(doc: Document, card_path: Path | None = None, *, allow: tuple[Path, ...] = ()) -> LoadedCard:
    require_mapping(doc, "card")
    card = validate_document(Card, doc)
    problems = [doc.problem(path, message) for path, message in semantic_problems(card, builtin_tools())]
    problems += [doc.problem(path, message) for path, message in map_problems(card)]
    problems += glyph_problems(card, doc, font_set())
    assets, asset_problems = resolve_assets(card, doc, card_path or Path.cwd() / "card.yaml", allow)
    problems += asset_problems
    if problems:
        raise InputError(problems)
    return LoadedCard(card, doc, assets)


def load_card(path: str | Path) -> Card:
    """Read and validate a card file. Raises `InputError` listing every problem."""
    return load_card_path(Path(path)).card


def load_card_path(path: Path, *, allow: tuple[Path, ...] = ()) -> LoadedCard:
    return load_card_document(load_yaml_file(path), path, allow=allow)


@dataclass(frozen=True)
class BuiltCard:
    pdf: bytes
    plan: PagePlan
    layout: Layout
    card: Card


def build_loaded(loaded: LoadedCard, layout: Layout) -> BuiltCard:
    plan = fit(loaded.card, layout, font_set(), loaded.assets, card_name=loaded.name)
    metadata = Metadata(
        title=loaded.card.title,
        author="routinecard",
        subject=loaded.card.summary,
        language=loaded.card.language,
    )
    return BuiltCard(render_pdf(plan, layout, metadata), plan, layout, loaded.card)


def build_pdf(
    card: Card | str | Path,
    *,
    layout: Layout | str | Path | None = None,
    patient: Any = None,
    clinic: Any = None,
) -> bytes:
    """Build one card into PDF bytes.

    `card` is a validated `Card` or the path of a card file; `layout` a `Layout`, a
    built-in layout name or a layout file (default: letter). Raises `RoutineCardError`
    (`InputError` for bad input, `FitError` when it cannot fit one page).
    """
    if patient is not None or clinic is not None:
        raise NotImplementedError("patient and clinic files are not supported yet")
    if isinstance(card, Card):
        from routinecard.loader import load_yaml_bytes

        # Re-validate through the document path so glyph and tool checks apply too.
        import json

        doc = load_yaml_bytes(json.dumps(card.model_dump(mode="json")).encode(), "<card>")
        loaded = load_card_document(doc)
    else:
        loaded = load_card_path(Path(card))
    resolved = layout if isinstance(layout, Layout) else load_layout(layout)
    return build_loaded(loaded, resolved).pdf


def write_atomic(target: Path, data: bytes, *, inputs: list[Path] = ()) -> None:  # type: ignore[assignment]
    """Write `data` to `target` via a temporary file and a rename: never a half-written PDF,
    and never over one of the inputs."""
    resolved = target.resolve()
    for source in inputs:
        if source.resolve() == resolved:
            raise InputError(Problem(f"refusing to write the PDF over an input file: {display_path(target)}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Folders become the .yaml files in them (sorted); files stay as given."""
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise InputError(Problem(f"{display_path(path)}: the folder has no .yaml files"))
            result.extend(found)
        else:
            result.append(path)
    return result


__all__ = [
    "build_pdf",
    "load_card",
    "RoutineCardError",
    "BuiltCard",
    "LoadedCard",
    "write_atomic",
    "expand_inputs",
]
