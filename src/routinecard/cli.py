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


def _layouts(names: list[str] | None) -> list | None:
    """The layouts asked for ('all' means every built-in), or None to let each card choose
    (its patient file's layout, its clinic's, or letter)."""
    from routinecard.layouts import builtin_layouts, load_layout

    if not names:
        return None
    wanted: list[str] = []
    for name in names:
        wanted.extend(builtin_layouts() if name == "all" else [name])
    return [load_layout(name) for name in dict.fromkeys(wanted)]


PatientOption = Annotated[Optional[Path], typer.Option("--patient", "-p", help="Patient file to apply (names its card).")]
ClinicOption = Annotated[Optional[Path], typer.Option("--clinic", "-c", help="Clinic file: name, logo, phone, emergency number.")]
LangOption = Annotated[Optional[str], typer.Option("--lang", help="Language of the card's labels, e.g. en or es.")]
OnlyOption = Annotated[Optional[str], typer.Option("--only", help="Keep only these points: comma-separated ids.")]
SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", help="Change a value: PATH=VALUE, e.g. points.piriformis.timing.hold_s=[30,45]. Repeatable."),
]
AllowOption = Annotated[
    Optional[list[Path]],
    typer.Option("--allow-path", help="Also allow images from this folder (repeatable)."),
]


def _parse_sets(values: list[str] | None) -> dict:
    """--set PATH=VALUE pairs; VALUE is read as YAML (strictly), so [30, 45] is a list."""
    from routinecard.errors import InputError, Problem
    from routinecard.loader import load_yaml_bytes

    sets: dict = {}
    for item in values or []:
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            raise InputError(Problem(f"--set {item!r}: write PATH=VALUE, e.g. points.piriformis.timing.hold_s=[30,45]"))
        try:
            doc = load_yaml_bytes(f"value: {raw}".encode(), "--set")
        except InputError:
            raise InputError(Problem(f"--set {item!r}: the value is not valid YAML")) from None
        sets[path.strip()] = doc.data["value"] if isinstance(doc.data, dict) else raw
    return sets


def _jobs(cards: list[Path], patient: Path | None, clinic: Path | None, layout: list[str] | None,
          lang: str | None, only: str | None, sets: list[str] | None, allow: list[Path] | None):
    """Load everything once, then yield (input file, loaded card, layout, clinic, locale)
    for each card x layout; problems are reported per card and counted."""
    from routinecard.build import choose_layout, choose_locale, clinic_for, expand_inputs, load_clinic, load_input
    from routinecard.errors import RoutineCardError

    allowed = tuple(allow or ())
    files = expand_inputs(list(cards) + ([patient] if patient else []))
    layouts = _layouts(layout)
    given_clinic = load_clinic(clinic, allow=allowed) if clinic else None
    only_ids = [i.strip() for i in only.split(",") if i.strip()] if only else None
    set_values = _parse_sets(sets)
    for file in files:
        try:
            loaded = load_input(file, allow=allowed, only=only_ids, sets=set_values)
            card_clinic = clinic_for(loaded, given_clinic, allowed)
            locale = choose_locale(loaded, card_clinic, lang)
            chosen = layouts or [choose_layout(loaded, card_clinic, None)]
        except RoutineCardError as error:
            yield file, error, None, None, None, 1
            continue
        for one in chosen:
            yield file, loaded, one, card_clinic, locale, len(layouts or [1])


@app.command()
def build(
    cards: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Card files, patient files, or folders of them.", show_default=False),
    ] = None,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            help="PDF file (one card, one layout) or folder. Default: build/. Files are named "
            "<card id>.pdf (<patient file name>.pdf for patient files), with -<layout> when several "
            "layouts are built.",
        ),
    ] = None,
    layout: LayoutOption = None,
    patient: PatientOption = None,
    clinic: ClinicOption = None,
    lang: LangOption = None,
    only: OnlyOption = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help=SetOption.__metadata__[0].help)] = None,
    allow_path: AllowOption = None,
) -> None:
    """Build each card into a one-page PDF."""
    from routinecard.build import build_loaded, write_atomic
    from routinecard.errors import RoutineCardError, display_path

    if not cards and patient is None:
        typer.echo("Error: give at least one card, patient file or folder", err=True)
        raise typer.Exit(2)
    many = len(cards or []) + (1 if patient else 0) > 1 or any(p.is_dir() for p in cards or [])
    single_file = output is not None and output.suffix.lower() == ".pdf"
    if single_file and (many or (layout and (len(layout) > 1 or "all" in layout))):
        typer.echo(f"Error: -o {output} names one PDF file, but several PDFs would be built; name a folder", err=True)
        raise typer.Exit(2)
    failed = total = 0
    inputs = list(cards or []) + ([patient] if patient else [])
    try:
        jobs = list(_jobs(cards or [], patient, clinic, layout, lang, only, set_, allow_path))
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    for file, loaded, chosen, card_clinic, locale, layouts_count in jobs:
        total += 1
        if isinstance(loaded, RoutineCardError):
            _report(loaded)
            failed += 1
            continue
        try:
            built = build_loaded(loaded, chosen, clinic=card_clinic, locale=locale)
            if single_file:
                target = output
            else:
                stem = file.stem if loaded.patient is not None else loaded.card.id
                suffix = f"-{chosen.name}" if layouts_count > 1 else ""
                target = (output or Path("build")) / f"{stem}{suffix}.pdf"
            assert target is not None
            write_atomic(target, built.pdf, inputs=inputs + [file])
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
    cards: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Card files, patient files, or folders of them.", show_default=False),
    ] = None,
    layout: LayoutOption = None,
    patient: PatientOption = None,
    clinic: ClinicOption = None,
    lang: LangOption = None,
    only: OnlyOption = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help=SetOption.__metadata__[0].help)] = None,
    allow_path: AllowOption = None,
) -> None:
    """Validate cards and check they fit one page of each layout, without writing anything."""
    from routinecard.build import extras_for
    from routinecard.compose import fit
    from routinecard.errors import RoutineCardError
    from routinecard.fonts import font_set

    if not cards and patient is None:
        typer.echo("Error: give at least one card, patient file or folder", err=True)
        raise typer.Exit(2)
    try:
        jobs = list(_jobs(cards or [], patient, clinic, layout, lang, only, set_, allow_path))
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    failed = 0
    for file, loaded, chosen, card_clinic, locale, _ in jobs:
        if isinstance(loaded, RoutineCardError):
            _report(loaded)
            failed += 1
            continue
        try:
            plan = fit(loaded.card, chosen, font_set(), loaded.assets, card_name=loaded.name, locale=locale,
                       extras=extras_for(loaded, card_clinic, chosen))
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
