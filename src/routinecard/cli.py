"""Command-line interface. The only module that prints or exits.

Domain errors (`RoutineCardError`) become one line per problem on stderr and exit code 1;
usage errors are typer's (exit 2). Anything else is a bug and is allowed to show its
traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from routinecard import __version__

app = typer.Typer(
    name="routinecard",
    help="Turn self-care routines (YAML) into illustrated one-page printable PDF cards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

LayoutOption = Annotated[
    Optional[str],
    typer.Option("--layout", "-l", help="Built-in layout name (letter, a4, ...) or a layout .yaml file."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"routinecard {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn self-care routines (YAML) into illustrated one-page printable PDF cards."""


def _report(error: Exception) -> None:
    from routinecard.errors import RoutineCardError

    assert isinstance(error, RoutineCardError)
    for problem in error.problems:
        typer.echo(str(problem), err=True)


@app.command()
def build(
    cards: Annotated[list[Path], typer.Argument(help="Card files, or folders of cards.", show_default=False)],
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", help="PDF file (one card) or folder (several). Default: build/<card id>.pdf"),
    ] = None,
    layout: LayoutOption = None,
) -> None:
    """Build each card into a one-page PDF."""
    from routinecard.build import build_loaded, expand_inputs, load_card_path, write_atomic
    from routinecard.errors import RoutineCardError, display_path
    from routinecard.layouts import load_layout

    try:
        files = expand_inputs(cards)
        chosen_layout = load_layout(layout)
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    single_file = output is not None and output.suffix.lower() == ".pdf"
    if single_file and len(files) > 1:
        typer.echo(f"Error: -o {output} names one PDF file, but {len(files)} cards were given; name a folder", err=True)
        raise typer.Exit(2)
    failed = 0
    for file in files:
        try:
            loaded = load_card_path(file)
            built = build_loaded(loaded, chosen_layout)
            if single_file:
                target = output
            else:
                target = (output or Path("build")) / f"{loaded.card.id}.pdf"
            assert target is not None
            write_atomic(target, built.pdf, inputs=files)
        except RoutineCardError as error:
            _report(error)
            failed += 1
            continue
        typer.echo(
            f"wrote {display_path(target)} (1 page, {chosen_layout.name}, fits at {built.plan.fit_percent}%, "
            f"{len(built.pdf) / 1024:.0f} KB)"
        )
    if failed:
        typer.echo(f"{failed} of {len(files)} card{'s' if len(files) != 1 else ''} failed", err=True)
        raise typer.Exit(1)


@app.command()
def check(
    cards: Annotated[list[Path], typer.Argument(help="Card files, or folders of cards.", show_default=False)],
    layout: LayoutOption = None,
) -> None:
    """Validate cards and check they fit one page, without writing anything."""
    from routinecard.build import expand_inputs, load_card_path
    from routinecard.compose import fit
    from routinecard.errors import RoutineCardError
    from routinecard.fonts import font_set
    from routinecard.layouts import load_layout

    try:
        files = expand_inputs(cards)
        chosen_layout = load_layout(layout)
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    failed = 0
    for file in files:
        try:
            loaded = load_card_path(file)
            plan = fit(loaded.card, chosen_layout, font_set(), loaded.assets, card_name=loaded.name)
        except RoutineCardError as error:
            _report(error)
            failed += 1
            continue
        typer.echo(f"{loaded.name}: ok, fits one {chosen_layout.name} page at {plan.fit_percent}%")
    if failed:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
