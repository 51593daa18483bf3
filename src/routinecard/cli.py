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
    Optional[list[str]],
    typer.Option(
        "--layout",
        "-l",
        help="Built-in layout name (letter, a4, large-print, half-letter-2up), a layout .yaml file, "
        "or 'all'. Repeat to build several layouts.",
    ),
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


def _layouts(names: list[str] | None) -> list:
    """The layouts asked for: default letter; 'all' means every built-in layout."""
    from routinecard.layouts import builtin_layouts, load_layout

    wanted: list[str] = []
    for name in names or ["letter"]:
        wanted.extend(builtin_layouts() if name == "all" else [name])
    unique = list(dict.fromkeys(wanted))
    return [load_layout(name) for name in unique]


@app.command()
def build(
    cards: Annotated[list[Path], typer.Argument(help="Card files, or folders of cards.", show_default=False)],
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            help="PDF file (one card, one layout) or folder. Default: build/. Files are named "
            "<card id>.pdf, or <card id>-<layout>.pdf when several layouts are built.",
        ),
    ] = None,
    layout: LayoutOption = None,
) -> None:
    """Build each card into a one-page PDF."""
    from routinecard.build import build_loaded, expand_inputs, load_card_path, write_atomic
    from routinecard.errors import RoutineCardError, display_path

    try:
        files = expand_inputs(cards)
        layouts = _layouts(layout)
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    single_file = output is not None and output.suffix.lower() == ".pdf"
    if single_file and len(files) * len(layouts) > 1:
        typer.echo(
            f"Error: -o {output} names one PDF file, but {len(files) * len(layouts)} PDFs would be built; name a folder",
            err=True,
        )
        raise typer.Exit(2)
    failed = 0
    total = 0
    for file in files:
        try:
            loaded = load_card_path(file)
        except RoutineCardError as error:
            _report(error)
            failed += len(layouts)
            total += len(layouts)
            continue
        for chosen in layouts:
            total += 1
            try:
                built = build_loaded(loaded, chosen)
                if single_file:
                    target = output
                else:
                    suffix = f"-{chosen.name}" if len(layouts) > 1 else ""
                    target = (output or Path("build")) / f"{loaded.card.id}{suffix}.pdf"
                assert target is not None
                write_atomic(target, built.pdf, inputs=files)
            except RoutineCardError as error:
                _report(error)
                failed += 1
                continue
            typer.echo(
                f"wrote {display_path(target)} (1 page, {chosen.name}, fits at {built.plan.fit_percent}%, "
                f"{len(built.pdf) / 1024:.0f} KB)"
            )
    if failed:
        typer.echo(f"{failed} of {total} PDF{'s' if total != 1 else ''} failed", err=True)
        raise typer.Exit(1)


@app.command()
def check(
    cards: Annotated[list[Path], typer.Argument(help="Card files, or folders of cards.", show_default=False)],
    layout: LayoutOption = None,
) -> None:
    """Validate cards and check they fit one page of each layout, without writing anything."""
    from routinecard.build import expand_inputs, load_card_path
    from routinecard.compose import fit
    from routinecard.errors import RoutineCardError
    from routinecard.fonts import font_set

    try:
        files = expand_inputs(cards)
        layouts = _layouts(layout)
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    failed = 0
    for file in files:
        try:
            loaded = load_card_path(file)
        except RoutineCardError as error:
            _report(error)
            failed += 1
            continue
        for chosen in layouts:
            try:
                plan = fit(loaded.card, chosen, font_set(), loaded.assets, card_name=loaded.name)
            except RoutineCardError as error:
                _report(error)
                failed += 1
                continue
            typer.echo(f"{loaded.name}: {chosen.name}: fits one page at {plan.fit_percent}%")
    if failed:
        raise typer.Exit(1)


@app.command("layouts")
def list_layouts() -> None:
    """List the built-in layouts."""
    from routinecard.errors import RoutineCardError
    from routinecard.layouts import builtin_layouts, load_layout

    names = list(builtin_layouts())
    width = max(len(name) for name in names)
    for name in names:
        try:
            description = load_layout(name).description
        except RoutineCardError as error:  # a broken built-in is still listed
            description = f"(invalid: {error.problems[0].message})"
        marker = " (default)" if name == "letter" else ""
        typer.echo(f"{name:<{width}}  {description}{marker}")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
