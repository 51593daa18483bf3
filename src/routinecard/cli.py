"""Command-line interface. The only module that prints or exits.

Domain errors (`RoutineCardError`) become one line per problem on stderr and exit code 1;
usage errors are typer's (exit 2). Anything else is a bug and is allowed to show its
traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from routinecard import __version__

app = typer.Typer(
    name="routinecard",
    help="Turn self-care routines (YAML) into illustrated one-page printable PDF cards.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

SplitOption = Annotated[
    bool,
    typer.Option(
        "--split",
        help="A card too long for one page prints as a set of whole one-page cards ('Card 1 of 3'), "
        "each with the medical box (always on for pocket and large-print layouts).",
    ),
]
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


@dataclass
class Settings:
    quiet: bool = False
    verbose: bool = False


_SETTINGS = Settings()


def _settings() -> Settings:
    return _SETTINGS


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also say what was skipped and why.")] = False,
) -> None:
    """Turn self-care routines (YAML) into illustrated one-page printable PDF cards."""
    _SETTINGS.quiet = quiet
    _SETTINGS.verbose = verbose and not quiet


class _Progress:
    """A progress bar on stderr, only when it is a terminal (and not --quiet)."""

    def __init__(self, total: int, settings: Settings) -> None:
        self.bar = None
        if total > 1 and not settings.quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("building", total=total)

    def advance(self, outcome: object) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _progress(total: int, settings: Settings) -> _Progress:
    return _Progress(total, settings)


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


def _example(name: str) -> Path:
    """A built-in example card by (the start of) its id."""
    from routinecard.resources import data_dir

    examples = sorted(data_dir("cards").glob("*.yaml"))
    for path in examples:
        if path.stem == name:
            return path
    matches = [p for p in examples if p.stem.startswith(name)]
    matches.sort(key=lambda p: len(p.stem))
    if matches:
        return matches[0]
    typer.echo(f"Error: no example {name!r}; examples: {', '.join(p.stem for p in examples)}", err=True)
    raise typer.Exit(2)


def _parse_sets(values: list[str] | None) -> dict:
    """--set PATH=VALUE pairs; VALUE is read as YAML (strictly), so [30, 45] is a list."""
    from routinecard.errors import InputError, Problem
    from routinecard.loader import load_yaml_bytes

    sets: dict = {}
    if not values:
        return sets
    for item in values:
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            raise InputError(Problem(f"--set {item!r}: write PATH=VALUE, e.g. points.piriformis.timing.hold_s=[30,45]"))
        try:
            doc = load_yaml_bytes(f"value: {raw}".encode(), "--set")
        except InputError:
            raise InputError(Problem(f"--set {item!r}: the value is not valid YAML")) from None
        sets[path.strip()] = doc.data["value"] if isinstance(doc.data, dict) else raw
    return sets


def _prepared(cards: list[Path], patient: Path | None, clinic: Path | None, layout: list[str] | None,
              lang: str | None, only: str | None, sets: list[str] | None, allow: list[Path] | None,
              split: bool = False):
    """Yield (input file, Prepared or the error it raised) for each card x layout."""

    from routinecard.inputs import expand_inputs
    from routinecard.prepare import load_clinic, prepare
    from routinecard.errors import RoutineCardError

    allowed = tuple(allow or ())
    files = expand_inputs(list(cards) + ([patient] if patient else []))
    layouts = _layouts(layout)
    given_clinic = load_clinic(clinic, allow=allowed) if clinic else None
    only_ids = [i.strip() for i in only.split(",") if i.strip()] if only else None
    set_values = _parse_sets(sets)
    for file in files:
        try:
            prepared = prepare(file, clinic=given_clinic, language=lang, only=only_ids, sets=set_values, allow=allowed)
        except RoutineCardError as error:
            yield file, error
            continue
        for one in layouts or [prepared.layout]:
            job = prepared.with_layout(one)
            yield file, job.splitting() if split else job


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
    set_: SetOption = None,
    allow_path: AllowOption = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Cards built at once. Default: all cores.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Read each PDF back and check every word of the input is on it.")
    ] = False,
    example: Annotated[
        Optional[str], typer.Option("--example", help="Build a built-in example card, e.g. sciatica.")
    ] = None,
    split: SplitOption = False,
) -> None:
    """Build each card into a one-page PDF (unchanged cards are skipped)."""
    import time

    from routinecard.batch import Job, run
    from routinecard.errors import InputError, Problem, RoutineCardError
    from routinecard.inputs import builtin_layout_names as builtin_layouts
    from routinecard.inputs import expand_inputs

    started = time.perf_counter()
    if example is not None:
        cards = list(cards or []) + [_example(example)]
    if not cards and patient is None:
        typer.echo("Error: give at least one card, patient file or folder", err=True)
        raise typer.Exit(2)
    try:
        files = expand_inputs(list(cards or []) + ([patient] if patient else []))
        names: list[str | None] = [None]
        if layout:
            names = list(dict.fromkeys(n for name in layout for n in (builtin_layouts() if name == "all" else [name])))
            for name in names:
                if name not in builtin_layouts() and not Path(name).is_file():
                    raise InputError(Problem(f"unknown layout {name!r}; built-in layouts: {', '.join(builtin_layouts())} (or give a .yaml file)"))
        sets = tuple(_parse_sets(set_).items())
        if clinic is not None and not clinic.is_file():
            raise InputError(Problem("no such clinic file", file=str(clinic)))
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    single_file = output is not None and output.suffix.lower() == ".pdf"
    if single_file and len(files) * len(names) > 1:
        typer.echo(f"Error: -o {output} names one PDF file, but {len(files) * len(names)} PDFs would be built; name a folder", err=True)
        raise typer.Exit(2)
    folder = output if output is not None and not single_file else Path("build")
    job_list = [
        Job(file, name, clinic, lang, only, sets, tuple(allow_path or ()), output if single_file else None,
            folder, len(names) > 1, verify, split)
        for file in files
        for name in names
    ]
    settings = _settings()
    progress = _progress(len(job_list), settings)
    try:
        outcomes = run(
            job_list,
            workers=jobs or os.cpu_count() or 1,
            force=force,
            inputs=tuple(files),
            on_done=progress.advance,
        )
    finally:
        progress.close()
    counts = {"built": 0, "skipped": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
        if outcome.status == "failed":
            for line in outcome.errors:
                typer.echo(line, err=True)
        elif outcome.status == "built" and not settings.quiet:
            typer.echo(outcome.message)
        elif outcome.status == "skipped" and settings.verbose:
            typer.echo(f"unchanged {outcome.output}")
    elapsed = time.perf_counter() - started
    if not settings.quiet or counts["failed"]:
        typer.echo(
            f"built {counts['built']}, skipped {counts['skipped']} (unchanged), failed {counts['failed']} "
            f"in {elapsed:.1f} s",
            err=bool(counts["failed"]),
        )
    if counts["failed"]:
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
    set_: SetOption = None,
    allow_path: AllowOption = None,
    split: SplitOption = False,
) -> None:
    """Validate cards, check they fit one page of each layout, and report their reading
    grade (Flesch-Kincaid; a warning above grade 8), without writing anything."""
    from routinecard.advice import fit_summary
    from routinecard.api import fit_prepared
    from routinecard.errors import RoutineCardError

    if not cards and patient is None:
        typer.echo("Error: give at least one card, patient file or folder", err=True)
        raise typer.Exit(2)
    try:
        jobs = list(_prepared(cards or [], patient, clinic, layout, lang, only, set_, allow_path, split))
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    failed = 0
    graded: set[str] = set()
    for file, prepared in jobs:
        if isinstance(prepared, RoutineCardError):
            _report(prepared)
            failed += 1
            continue
        loaded, chosen = prepared.loaded, prepared.layout
        try:
            plans = fit_prepared(prepared)
        except RoutineCardError as error:
            _report(error)
            failed += 1
            continue
        typer.echo(f"{loaded.name}: {chosen.name}: {fit_summary([plan.fit_percent for plan in plans])}")
        if loaded.name not in graded:
            graded.add(loaded.name)
            from routinecard.readability import assess, report_lines

            report = assess(loaded.card)
            warn = report.measured and (report.above_limit or any(s.words > 20 for s in report.longest))
            for line in report_lines(report):
                typer.echo(f"{loaded.name}: {line}", err=warn)
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


@app.command()
def preview(
    card: Annotated[Path, typer.Argument(help="Card or patient file.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="PNG file. Default: build/<name>.png")] = None,
    dpi: Annotated[int, typer.Option("--dpi", min=30, max=600, help="Resolution of the picture.")] = 100,
    layout: Annotated[Optional[str], typer.Option("--layout", "-l", help="Layout name or file.")] = None,
    clinic: ClinicOption = None,
    lang: LangOption = None,
    open_: Annotated[bool, typer.Option("--open", help="Open the picture with the desktop's viewer.")] = False,
) -> None:
    """Render a card to PNG to look at before printing (nothing is printed or kept as PDF)."""
    import io

    from routinecard.api import build_prepared, verify_default
    from routinecard.errors import RoutineCardError, display_path
    from routinecard.prepare import prepare
    from routinecard.write import write_atomic

    try:
        prepared = prepare(card, layout=layout, clinic=clinic, language=lang)
        loaded, chosen = prepared.loaded, prepared.layout
        built = build_prepared(prepared, verify=verify_default())
        import pypdfium2 as pdfium

        from routinecard.verify import PDFIUM_LOCK

        with PDFIUM_LOCK:
            document = pdfium.PdfDocument(built.pdf)
            image = document[0].render(scale=dpi / 72).to_pil()
            document.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        stem = card.stem if loaded.patient is not None else loaded.card.id
        target = output or Path("build") / f"{stem}.png"
        write_atomic(target, buffer.getvalue(), inputs=[card])
    except RoutineCardError as error:
        _report(error)
        raise typer.Exit(1)
    if not _settings().quiet:
        typer.echo(f"wrote {display_path(target)} ({image.width} x {image.height} px, {chosen.name}, fits at {built.plan.fit_percent}%: type at {built.plan.fit_percent}% of the layout's full size)")
    if open_:
        _open(target)


def _open(path: Path) -> None:
    """Open a file with the desktop's viewer, if there is one."""
    import shutil
    import subprocess

    for command in ("xdg-open", "open"):
        if shutil.which(command):
            subprocess.Popen([command, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return
    if hasattr(os, "startfile"):
        os.startfile(str(path))  # type: ignore[attr-defined]
        return
    typer.echo(f"no picture viewer found; open {path} yourself", err=True)


new_app = typer.Typer(help="Write a commented starting file.", no_args_is_help=True)
app.add_typer(new_app, name="new")


@new_app.command("routine")
def new_routine(
    name: Annotated[str, typer.Argument(help="The routine's title, e.g. 'Neck stretches'.")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File. Default: cards/<id>.yaml")] = None,
) -> None:
    """Start a new routine card that validates and builds as it is."""
    from routinecard import scaffold

    target = output or Path("cards") / f"{scaffold.slug(name)}.yaml"
    _write_new(target, scaffold.routine(name))


@new_app.command("patient")
def new_patient(
    name: Annotated[str, typer.Argument(help="The patient's name.")],
    card: Annotated[str, typer.Option("--card", help="The base card's id (or path).")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File. Default: patients/<name>.yaml")] = None,
) -> None:
    """Start a patient file for a card."""
    from routinecard import scaffold
    from routinecard.patients import find_card, known_card_ids

    target = output or Path("patients") / f"{scaffold.slug(name)}.yaml"
    if find_card(card, target.resolve()) is None:
        typer.echo(f"Error: no card {card!r} in the card library; known cards: {', '.join(known_card_ids(target.resolve()))}", err=True)
        raise typer.Exit(1)
    _write_new(target, scaffold.patient(card, name, str(target)))


def _write_new(target: Path, text: str) -> None:
    from routinecard.write import write_atomic

    if target.exists():
        typer.echo(f"Error: {target} already exists; choose another name or -o FILE", err=True)
        raise typer.Exit(1)
    write_atomic(target, text.encode("utf-8"))
    if not _settings().quiet:
        typer.echo(f"wrote {target}; edit it, then: routinecard build {target}")


@app.command()
def schema(
    kind: Annotated[str, typer.Argument(help="card, patient, clinic or layout.", show_default=False)],
) -> None:
    """Print the JSON Schema of a file kind (for editors: see schema/ and the README)."""
    from routinecard.schema import KINDS, schema_text

    if kind not in KINDS:
        typer.echo(f"Error: unknown kind {kind!r}; one of: {', '.join(KINDS)}", err=True)
        raise typer.Exit(2)
    typer.echo(schema_text(kind), nl=False)


@app.command()
def doctor() -> None:
    """Say which fonts, layouts, languages and versions routinecard found."""
    import importlib.metadata as metadata
    import platform

    from routinecard.fonts import cache_dir, font_set
    from routinecard.layouts import builtin_layouts
    from routinecard.locale import available
    from routinecard.patients import library_folders
    from routinecard.resources import data_dir
    from routinecard.tools import builtin_tools

    lines = [f"routinecard {__version__} on Python {platform.python_version()} ({platform.system()})"]
    for package in ("reportlab", "rl-accel", "pydantic", "pyyaml", "typer", "pillow", "svglib", "anatomapa", "pypdfium2",
                    "fonttools", "fontpkg-atkinson-hyperlegible", "fontpkg-noto-sans"):
        try:
            lines.append(f"  {package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            lines.append(f"  {package}: not installed")
    fonts = font_set()
    lines.append("fonts:")
    for face in (fonts.regular, fonts.bold):
        lines.append(f"  {face.name}: {face.path}")
    lines.append(f"  fallback Noto Sans ({fonts.fallback_size()} characters), bold instance cache: {cache_dir()}")
    lines.append(f"layouts ({data_dir('layouts')}): {', '.join(builtin_layouts())}")
    lines.append(f"languages: {', '.join(available())}")
    lines.append(f"tools: {', '.join(builtin_tools())}")
    lines.append("card library: " + ", ".join(str(p) for p in library_folders(None)))
    for line in lines:
        typer.echo(line)


def main() -> None:
    """Console-script entry point."""
    # We use no pydantic plugins; looking them up scans every installed package's
    # metadata, a fifth of a second on a big environment. Only this process is affected.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
