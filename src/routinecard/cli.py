"""Command-line interface. The only module that prints or exits.

Domain errors (`RoutineCardError`) become one line per problem on stderr and exit code 1,
in one place: `_Commands.invoke`, around every command. Usage errors are typer's (exit 2).
Anything else is a bug and is allowed to show its traceback. The global options (-q, -v)
travel to the commands in the click context (`ctx.obj`), never through a module global.

Why one long module: every command's options, help and messages sit together in the one module
allowed to print, so the CLI reads as one page of commands; the work itself is in api/batch/prepare.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
import typer.core

from routinecard import __version__

if TYPE_CHECKING:
    from routinecard.batch import Outcome
    from routinecard.errors import Problem
    from routinecard.prepare import Prepared


class _Commands(typer.core.TyperGroup):
    """The error boundary: a domain error from any command becomes its problems, one line
    each on stderr, and exit code 1. So does an operating-system error on a path the user
    gave that no check foresaw (a name too long to look up, a symbolic-link loop): one line
    naming the path, never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        from routinecard.errors import Problem, RoutineCardError, display_path

        try:
            return super().invoke(ctx)
        except RoutineCardError as error:
            _print_problems(error.problems)
            raise typer.Exit(1) from None
        except BrokenPipeError:
            # The reader went away (`routinecard library | head`): not a path problem and
            # nothing to say. Later writes (and the flush at exit) go nowhere, quietly.
            _silence_stdout()
            raise typer.Exit(1) from None
        except OSError as error:
            from routinecard.write import reason

            where = display_path(error.filename) if isinstance(error.filename, (str, Path)) else None
            _print_problems([Problem(f"cannot use this path: {reason(error)}", file=where)])
            raise typer.Exit(1) from None


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        typer.echo(_with_advice(problem), err=True)


def _with_advice(problem: Problem) -> str:
    """A card that does not fit: the domain says by how much (in words any front end can
    use); the command line adds which of its options would help."""
    if problem.roomier is None:
        return str(problem)
    options = [f"--layout {name}" for name in problem.roomier]
    if problem.set_of is not None:
        options.append("--split")
    if problem.points > 1:
        options.append("--only POINT,POINT")
    return f"{problem} On the command line: {' or '.join(options)}." if options else str(problem)


def _no_python_types_in_help() -> None:
    """Help shows words (CARD, FILE, N), never Python types like <list[Path]> or {card}:
    typer adds an argument's type after its name, so that is switched off for arguments."""

    def no_type(self: object, ctx: object) -> None:
        return None

    def usage_name(self: typer.core.TyperArgument) -> str:
        name = str(self.metavar or self.name or "").upper()
        name = name if self.required else f"[{name}]"
        return f"{name}..." if self.nargs != 1 else name

    setattr(typer.core.TyperArgument, "display_type_rich", no_type)
    setattr(typer.core.TyperArgument, "_usage_display_name", usage_name)


_no_python_types_in_help()


app = typer.Typer(
    cls=_Commands,
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
        metavar="NAME|FILE|all",
        help="Built-in layout name (letter, a4, large-print, half-letter-2up), a layout .yaml file, "
        "or 'all'. Repeat to build several layouts.",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"routinecard {__version__}")
        raise typer.Exit()


@dataclass(frozen=True)
class Settings:
    """The global options, handed to every command through the click context."""

    quiet: bool = False
    verbose: bool = False


def _settings(ctx: typer.Context) -> Settings:
    found = ctx.find_object(Settings)
    return found if found is not None else Settings()


QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Also say what was skipped and why.")]


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Turn self-care routines (YAML) into illustrated one-page printable PDF cards."""
    ctx.obj = Settings(quiet=quiet, verbose=verbose)
    _verbosity(ctx, False, False)
    _show_notes(quiet)


def _show_notes(quiet: bool) -> None:
    """The domain's one-line notes about slow one-time work (e.g. making the bold fallback
    font) go to stderr as `note: ...`, unless --quiet."""
    import logging

    class Notes(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            typer.echo(f"note: {record.getMessage()}", err=True)

    logger = logging.getLogger("routinecard.notes")  # only the notes: not the web app's access log
    for old in [h for h in logger.handlers if isinstance(h, logging.Handler) and type(h).__name__ == "Notes"]:
        logger.removeHandler(old)
    logger.addHandler(Notes())
    logger.setLevel(logging.WARNING if quiet else logging.INFO)


def _verbosity(ctx: typer.Context, quiet: bool, verbose: bool) -> Settings:
    """-q/-v before or after the subcommand (the command's own options join the global
    ones); both together is a usage error (exit 2)."""
    given = _settings(ctx)
    settings = Settings(quiet=given.quiet or quiet, verbose=given.verbose or verbose)
    if settings.quiet and settings.verbose:
        typer.echo("Error: -q/--quiet and -v/--verbose cannot be used together", err=True)
        raise typer.Exit(2)
    return settings


class _Progress:
    """A progress bar on stderr, only when it is a terminal (and not --quiet)."""

    def __init__(self, total: int, settings: Settings) -> None:
        self.bar: Any = None  # a rich Progress, imported only for a terminal
        self.task: Any = None
        if total > 1 and not settings.quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("building", total=total)

    def advance(self, outcome: Outcome) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _layout_names(asked: list[str] | None) -> list[str | None]:
    """The layouts asked for, by name or file ('all' means every built-in), checked to
    exist; [None] to let each card choose (its patient file's layout, its clinic's, or
    letter)."""
    from routinecard.layouts import layout_name
    from routinecard.resources import builtin_layouts

    if not asked:
        return [None]
    known = builtin_layouts()
    wanted: list[str | None] = [n for name in asked for n in (known if name.lower() == "all" else [layout_name(name)])]
    return list(dict.fromkeys(wanted))


def _utf8(option: str, value: str | None) -> str | None:
    """An option's value, refused (one line, exit 1) if it was not valid UTF-8: Python keeps
    such bytes as surrogates, which no file or message can hold."""
    from routinecard.errors import InputError, Problem

    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(Problem(f"{option}: the value is not valid UTF-8 text; retype it")) from None
    return value


def _only(value: str | None) -> tuple[str, ...] | None:
    """--only a,b,c as point ids (parsed here, once)."""
    value = _utf8("--only", value)
    return tuple(i.strip() for i in value.split(",") if i.strip()) if value else None


PatientOption = Annotated[Optional[Path], typer.Option(
    "--patient", "-p", metavar="FILE",
    help="Patient file. With CARD: applied to CARD (like build_pdf(card, patient=...)); alone: applied to the card it names.")]
ClinicOption = Annotated[Optional[Path], typer.Option("--clinic", "-c", metavar="FILE", help="Clinic file: name, logo, phone, emergency number, country.")]
LangOption = Annotated[Optional[str], typer.Option(
    "--lang", metavar="CODE",
    help="Print the routine's version in this language, e.g. es; an error when the routine has none.")]
OnlyOption = Annotated[Optional[str], typer.Option("--only", metavar="IDS", help="Keep only these points: comma-separated ids.")]
SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", metavar="PATH=VALUE", help="Change a value, e.g. points.piriformis.timing.hold_s=[30,45] or "
                 "points.*.timing.per_day=2 (every point). Quote a value with ': ' in it. Repeatable."),
]
AllowOption = Annotated[
    Optional[list[Path]],
    typer.Option("--allow-path", metavar="DIR", help="Also allow images from this folder (repeatable)."),
]
CardsArgument = Annotated[
    Optional[list[Path]],
    typer.Argument(metavar="CARD", help="Card files, patient files, folders of them, or routine ids.", show_default=False),
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


def _parse_sets(values: list[str] | None) -> dict[str, Any]:
    """--set PATH=VALUE pairs; VALUE is read as YAML (strictly), so [30, 45] is a list."""
    from routinecard.errors import InputError, Problem
    from routinecard.loader import load_yaml_bytes

    sets: dict[str, Any] = {}
    if not values:
        return sets
    for item in values:
        _utf8("--set", item)
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            raise InputError(Problem(f"--set {item!r}: write PATH=VALUE, e.g. points.piriformis.timing.hold_s=[30,45]"))
        try:
            doc = load_yaml_bytes(f"value: {raw}".encode("utf-8", "surrogateescape"), "--set")
        except (InputError, UnicodeError):
            hint = ""
            if ": " in raw or raw.rstrip().endswith(":"):
                hint = f"; a value with ': ' in it needs quotes: --set '{path.strip()}=\"{raw}\"'"
            raise InputError(Problem(f"--set {item!r}: the value is not valid YAML{hint}")) from None
        sets[path.strip()] = doc.data["value"] if isinstance(doc.data, dict) else raw
    return sets


def _prepared(cards: list[Path], patient: Path | None, clinic: Path | None, layout: list[str] | None,
              lang: str | None, only: str | None, sets: list[str] | None,
              allow: list[Path] | None, split: bool = False) -> Iterator[Prepared | list[Problem]]:
    """Each card x layout, prepared, or the problems that stopped it (the others go on).
    With `split`, each may print as a set of one-page cards."""
    from routinecard.errors import attempt
    from routinecard.inputs import expand_inputs
    from routinecard.layouts import load_layout
    from routinecard.loader import load_yaml_file
    from routinecard.prepare import load_clinic, prepare

    allowed = tuple(allow or ())
    files = expand_inputs(list(cards)) if cards else expand_inputs([patient] if patient else [])
    layouts = [load_layout(name) for name in _layout_names(layout) if name is not None]
    given_clinic = load_clinic(clinic, allow=allowed) if clinic else None
    ids = _only(only)
    only_ids = list(ids) if ids is not None else None
    set_values = _parse_sets(sets)
    for file in files:
        if cards and patient is not None:  # the patient file applied to this card, as build_pdf(card, patient=...)
            prepared = attempt(lambda: prepare(patient, base=(load_yaml_file(file), file), clinic=given_clinic,
                                               language=lang, only=only_ids, sets=set_values, allow=allowed))
        else:
            prepared = attempt(lambda: prepare(file, clinic=given_clinic, language=lang, only=only_ids,
                                               sets=set_values, allow=allowed))
        if isinstance(prepared, list):
            yield prepared
            continue
        for one in layouts or [prepared.layout]:
            job = prepared.with_layout(one)
            yield job.splitting() if split else job


@app.command()
def build(
    ctx: typer.Context,
    cards: CardsArgument = None,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            metavar="FILE.pdf|DIR",
            help="PDF file (one card, one layout) or folder. Default: build/. Files are named "
            "<card id>.pdf (<patient file name>.pdf for patient files), .<lang>.pdf for a language "
            "other than English, with -<layout> when several layouts are built.",
        ),
    ] = None,
    layout: LayoutOption = None,
    patient: PatientOption = None,
    clinic: ClinicOption = None,
    lang: LangOption = None,
    only: OnlyOption = None,
    set_: SetOption = None,
    allow_path: AllowOption = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", help="Cards built at once. Default and most: the number of cores.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Read each PDF back and check every word of the input is on it.")
    ] = False,
    executor: Annotated[
        str,
        typer.Option(
            "--executor",
            metavar="WHERE",
            help="Where cards are built: process (this machine, the default), dask://HOST:PORT (the workers "
            "of a Dask scheduler; they must see the same files) or dask-local (a Dask cluster of --jobs "
            "processes on this machine). Dask needs: pip install 'routinecard[dask]'.",
        ),
    ] = "process",
    example: Annotated[
        Optional[str], typer.Option("--example", metavar="NAME", help="Build a built-in example card, e.g. sciatica.")
    ] = None,
    split: SplitOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Build each card into a one-page PDF (unchanged cards are skipped)."""
    import time

    from routinecard.batch import make_jobs, run
    from routinecard.errors import InputError, Problem, display_path
    from routinecard.inputs import expand_inputs
    from routinecard.prepare import clinic_file
    from routinecard.scaleout import absolute, check_spec, executor_for

    settings = _verbosity(ctx, quiet, verbose)
    try:
        spec = check_spec(executor)
    except ValueError as error:
        typer.echo(f"Error: --executor: {error}", err=True)
        raise typer.Exit(2) from None
    started = time.perf_counter()
    if example is not None:
        cards = list(cards or []) + [_example(example)]
    if not cards and patient is None:
        typer.echo("Error: give at least one card, patient file or folder", err=True)
        raise typer.Exit(2)
    files = expand_inputs(list(cards or [])) if cards else expand_inputs([patient] if patient else [])
    if cards and patient is not None and len(files) > 1:
        typer.echo(f"Error: --patient applies one patient file to one CARD, but {len(files)} cards were given", err=True)
        raise typer.Exit(2)
    apply_patient = patient if cards else None
    if patient is not None and not patient.is_file():
        raise InputError(Problem("no such patient file", file=str(patient)))
    names = _layout_names(layout)
    sets = tuple(_parse_sets(set_).items())
    if clinic is not None:
        clinic = clinic_file(clinic)
        if not clinic.is_file():
            raise InputError(Problem("no such clinic file", file=str(clinic)))
    cores = os.cpu_count() or 1
    if jobs is not None and jobs > cores:
        if not settings.quiet:
            typer.echo(f"note: --jobs {jobs} is more than the {cores} cores here; using {cores} (more would only be slower)", err=True)
        jobs = cores
    _utf8("--lang", lang)
    # -o names one PDF file when it ends in .pdf, unless it is an existing folder (like cp).
    single_file = output is not None and output.suffix.lower() == ".pdf" and not output.is_dir()
    if single_file and len(files) * len(names) > 1:
        typer.echo(f"Error: -o {output} names one PDF file, but {len(files) * len(names)} PDFs would be built; name a folder", err=True)
        raise typer.Exit(2)
    folder = output if output is not None and not single_file else Path("build")
    progress = _Progress(len(files) * len(names), settings)
    only_ids = _only(only)
    job_list = make_jobs(files, list(names), folder=folder, output=output if single_file else None, clinic=clinic,
                         language=lang, only=only_ids, sets=sets, allow=tuple(allow_path or ()), verify=verify,
                         patient=apply_patient, split=split)
    try:
        with executor_for(spec, jobs or cores) as pool:
            outcomes = run(
                job_list if pool is None else [absolute(job) for job in job_list],
                workers=jobs or cores,
                force=force,
                inputs=tuple(files) if pool is None else tuple(f.resolve() for f in files),
                executor=pool,
                on_done=progress.advance,
            )
    finally:
        progress.close()
    counts = {"built": 0, "skipped": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
        if outcome.status == "failed":
            _print_problems(outcome.problems)
            for was, now in outcome.stale:
                typer.echo(f"{display_path(was)}: out of date (this rebuild failed); moved to {display_path(now)} "
                           "so it is not printed by mistake", err=True)
        elif outcome.status == "built" and not settings.quiet:
            for notice in outcome.notices:
                typer.echo(notice, err=True)
            typer.echo(outcome.message)
        elif outcome.status == "skipped" and settings.verbose:
            typer.echo(f"unchanged {outcome.output}")
    elapsed = time.perf_counter() - started
    if not settings.quiet or counts["failed"]:
        stale = sum(len(outcome.stale) for outcome in outcomes)
        moved = f" ({stale} out-of-date PDF{'s' if stale != 1 else ''} moved aside)" if stale else ""
        typer.echo(
            f"built {counts['built']}, skipped {counts['skipped']} (unchanged), failed {counts['failed']}{moved} "
            f"in {elapsed:.1f} s",
            err=bool(counts["failed"]),
        )
    if counts["failed"]:
        raise typer.Exit(1)


@app.command()
def check(
    ctx: typer.Context,
    cards: CardsArgument = None,
    layout: LayoutOption = None,
    patient: PatientOption = None,
    clinic: ClinicOption = None,
    lang: LangOption = None,
    only: OnlyOption = None,
    set_: SetOption = None,
    allow_path: AllowOption = None,
    split: SplitOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Validate cards, check they fit one page of each layout, and report their reading
    level (English: Flesch-Kincaid grade, a warning above 8; Spanish: INFLESZ, a warning
    below 55), without writing anything."""
    from routinecard.advice import fit_summary
    from routinecard.api import fit_prepared
    from routinecard.errors import attempt

    settings = _verbosity(ctx, quiet, verbose)
    if not cards and patient is None:
        typer.echo("Error: give at least one card, patient file or folder", err=True)
        raise typer.Exit(2)
    jobs = list(_prepared(cards or [], patient, clinic, layout, _utf8("--lang", lang), only, set_, allow_path, split))
    failed = 0
    graded: set[str] = set()
    for prepared in jobs:
        if isinstance(prepared, list):
            _print_problems(prepared)
            failed += 1
            continue
        loaded, chosen = prepared.loaded, prepared.layout
        plans = attempt(lambda: tuple(fit_prepared(prepared)))  # a tuple: a list would be problems
        if isinstance(plans, list):
            _print_problems(plans)
            failed += 1
            continue
        if settings.quiet:
            continue
        for notice in prepared.notices:
            typer.echo(f"{loaded.name}: note: {notice}", err=True)
        typer.echo(f"{loaded.name}: {chosen.name}: {fit_summary([plan.fit_percent for plan in plans])}")
        if loaded.name not in graded:
            graded.add(loaded.name)
            from routinecard.readability import assess, report_lines

            notes = loaded.personal.notes if loaded.personal is not None else None
            report = assess(loaded.card, extra=[("notes", notes)] if notes else [])
            warn = report.measured and (report.above_limit or any(s.words > 20 for s in report.longest))
            for line in report_lines(report):
                typer.echo(f"{loaded.name}: {line}", err=warn)
    if failed:
        raise typer.Exit(1)


@app.command("library")
def library(
    ctx: typer.Context,
    json_: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON (for tools).")] = False,
    docs: Annotated[
        Optional[Path],
        typer.Option("--docs", help="Write library.md and a thumbnail of every card into this folder (e.g. docs).",
                     show_default=False),
    ] = None,
) -> None:
    """List every routine: the built-in library and the cards/ folder here (id, title,
    languages, body regions, points)."""
    import json

    from routinecard.catalogue import catalogue

    routines = catalogue()
    if docs is not None:
        from routinecard.write import write_atomic
        from routinecard.librarydocs import library_docs

        for item in library_docs(routines):
            write_atomic(docs / item.name, item.data)
        if not _settings(ctx).quiet:
            typer.echo(f"wrote {docs / 'library.md'} and {sum(len(r.versions) for r in routines)} thumbnails")
        return
    if json_:
        typer.echo(json.dumps([routine.as_json() for routine in routines], ensure_ascii=False, indent=2))
        return
    if not routines:
        typer.echo("no routines found (looked in cards/ and the built-in library)")
        return
    width = max(len(routine.id) for routine in routines)
    region_width = max(len(", ".join(routine.body_regions) or "-") for routine in routines)
    for routine in routines:
        where = "built-in" if routine.builtin else "cards/"
        regions = ", ".join(routine.body_regions) or "-"
        typer.echo(f"{routine.id:<{width}}  {', '.join(routine.languages):<7}  {regions:<{region_width}}  {routine.versions[0].title}")
        names = ", ".join(routine.versions[0].point_names)
        typer.echo(f"{'':<{width}}  {len(routine.points)} points: {names} ({where})")


@app.command("layouts")
def list_layouts() -> None:
    """List the built-in layouts."""
    from routinecard.errors import attempt
    from routinecard.layouts import load_layout
    from routinecard.resources import builtin_layouts

    names = list(builtin_layouts())
    width = max(len(name) for name in names)
    for name in names:
        loaded = attempt(lambda: load_layout(name))
        # a broken built-in is still listed
        description = f"(invalid: {loaded[0].message})" if isinstance(loaded, list) else loaded.description
        marker = " (default)" if name == "letter" else ""
        typer.echo(f"{name:<{width}}  {description}{marker}")


@app.command()
def preview(
    ctx: typer.Context,
    card: Annotated[Optional[Path], typer.Argument(metavar="CARD", help="Card file, patient file or routine id.", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE.png", help="PNG file. Default: build/<name>.png")] = None,
    dpi: Annotated[int, typer.Option("--dpi", min=30, max=600, metavar="N", help="Resolution of the picture, 30 to 600.")] = 100,
    layout: Annotated[Optional[str], typer.Option("--layout", "-l", metavar="NAME|FILE", help="Layout name or file.")] = None,
    patient: PatientOption = None,
    clinic: ClinicOption = None,
    lang: LangOption = None,
    only: OnlyOption = None,
    set_: SetOption = None,
    allow_path: AllowOption = None,
    open_: Annotated[bool, typer.Option("--open", help="Open the picture with the desktop's viewer.")] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Render a card to PNG to look at before printing (nothing is printed or kept as PDF)."""
    import io

    from routinecard.api import build_prepared
    from routinecard.errors import display_path
    from routinecard.inputs import expand_inputs
    from routinecard.loader import load_yaml_file
    from routinecard.prepare import output_stem, prepare
    from routinecard.write import write_atomic

    settings = _verbosity(ctx, quiet, verbose)
    if card is None and patient is None:
        typer.echo("Error: give a card, a patient file or --patient FILE", err=True)
        raise typer.Exit(2)
    if output is not None and output.suffix.lower() != ".png":
        typer.echo(f"Error: -o {output}: preview writes a PNG picture; name the file .png (build writes PDFs)", err=True)
        raise typer.Exit(2)
    if open_ and _viewer() is None:
        typer.echo("Error: --open needs a desktop picture viewer, and none was found (no display?); "
                   "leave out --open and open the PNG yourself", err=True)
        raise typer.Exit(2)
    ids = _only(only)
    only_ids = list(ids) if ids is not None else None
    sets = _parse_sets(set_)
    allowed = tuple(allow_path or ())
    if card is not None:
        [card_file] = expand_inputs([card])
    if card is not None and patient is not None:
        prepared = prepare(patient, base=(load_yaml_file(card_file), card_file), layout=layout, clinic=clinic,
                           language=lang, only=only_ids, sets=sets, allow=allowed)
    else:
        prepared = prepare(card_file if card is not None else patient, layout=layout, clinic=clinic, language=lang,
                           only=only_ids, sets=sets, allow=allowed)
    loaded, chosen = prepared.loaded, prepared.layout
    built = build_prepared(prepared)
    import pypdfium2 as pdfium

    from routinecard.verify import PDFIUM_LOCK

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(built.pdf)
        image = document[0].render(scale=dpi / 72).to_pil()
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    target = output or Path("build") / f"{output_stem(loaded)}.png"
    write_atomic(target, buffer.getvalue(), inputs=[p for p in (card, patient) if p is not None])
    if not settings.quiet:
        for notice in prepared.notices:
            typer.echo(f"{loaded.name}: note: {notice}", err=True)
        typer.echo(f"wrote {display_path(target)} ({image.width} x {image.height} px, {chosen.name}, fits at {built.plan.fit_percent}%: type at {built.plan.fit_percent}% of the layout's full size)")
    if open_:
        _open(target)


def _viewer() -> list[str] | None:
    """The desktop's command to open a file, or None on a machine without a display."""
    import shutil

    if sys.platform == "darwin" and shutil.which("open"):
        return ["open"]
    if os.name == "nt":
        return ["cmd", "/c", "start", ""]
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    found = shutil.which("xdg-open")
    return [found] if found else None


def _open(path: Path) -> None:
    """Open a file with the desktop's viewer (checked by `_viewer` before building)."""
    import subprocess

    command = _viewer()
    if command is None:  # pragma: no cover - checked before the build
        typer.echo(f"no picture viewer found; open {path} yourself", err=True)
        raise typer.Exit(1)
    subprocess.Popen([*command, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


new_app = typer.Typer(help="Write a commented starting file.", no_args_is_help=True)
app.add_typer(new_app, name="new")


@new_app.command("routine")
def new_routine(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="TITLE", help="The routine's title, e.g. 'Neck stretches'.")],
    site: Annotated[Optional[list[str]], typer.Option("--site", "-s", metavar="SITE", help="An atlas site for a point, e.g. upper-trapezius; repeat or separate with commas (`routinecard atlas` lists them).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="File. Default: cards/<id>.yaml")] = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Start a new routine card, one point per atlas site (asked for on a terminal): it
    parses as it is; build and check refuse it until its placeholder red flags and
    sources are replaced with real ones."""
    import sys

    from routinecard import scaffold

    settings = _verbosity(ctx, quiet, verbose)
    sites = [s.strip() for value in (site or []) for s in value.split(",") if s.strip()]
    if not sites and sys.stdin.isatty() and not settings.quiet:
        answer = typer.prompt("Sites for the points, separated by commas (`routinecard atlas` lists them)",
                              default=",".join(scaffold.DEFAULT_SITES))
        sites = [s.strip() for s in answer.split(",") if s.strip()]
    target = output or Path("cards") / f"{scaffold.slug(name)}.yaml"
    try:
        text = scaffold.routine(name, target, sites or scaffold.DEFAULT_SITES)
    except scaffold.UnknownSite as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1)
    _write_new(target, text, settings)


@new_app.command("patient")
def new_patient(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The patient's name, e.g. 'José Núñez'.")],
    card: Annotated[str, typer.Option("--card", metavar="ID|FILE", help="The base routine's id (or a card file).")],
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="CODE", help="Write `language: CODE` (the routine must have that version).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="File. Default: patients/<name>.yaml")] = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Start a patient file for a routine, listing the routine's real point ids."""
    from routinecard import library, scaffold
    from routinecard.errors import InputError
    from routinecard.loader import load_yaml_file

    target = output or Path("patients") / f"{scaffold.slug(name, 'patient')}.yaml"
    found = library.find(card, target.resolve(), lang) or library.find(card, target.resolve())
    if found is None:
        typer.echo(f"Error: no card {card!r} in the card library; known cards: {', '.join(library.known_ids(target.resolve())) or 'none'}", err=True)
        raise typer.Exit(1)
    data = load_yaml_file(found.path).data
    data = data if isinstance(data, dict) else {}
    listed = data.get("points")
    points = listed if isinstance(listed, list) else []
    ids = [p["id"] for p in points if isinstance(p, dict) and isinstance(p.get("id"), str)]
    card_id = data.get("id") if isinstance(data.get("id"), str) else card
    languages = [e.language for e in library.versions(str(card_id), library.library_folders(target.resolve()))]
    if lang is not None and not any(library.same_language(lang, have) for have in languages):
        typer.echo(f"Error: the routine {card_id!r} has no {lang!r} version; its languages: {', '.join(languages) or 'none'}", err=True)
        raise typer.Exit(1)
    reference = card if library.looks_like_path(card) else str(card_id)
    _write_new(target, scaffold.patient(reference, name, str(target), point_ids=ids, language=lang,
                                        languages=languages, target=target), _verbosity(ctx, quiet, verbose))


def _write_new(target: Path, text: str, settings: Settings) -> None:
    from routinecard.write import write_atomic

    if target.exists():
        typer.echo(f"Error: {target} already exists; choose another name or -o FILE", err=True)
        raise typer.Exit(1)
    write_atomic(target, text.encode("utf-8"))
    if not settings.quiet:
        typer.echo(f"wrote {target}; edit it, then: routinecard build {target}")


@app.command("atlas")
def atlas_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sites as JSON (for tools).")] = False,
    sheet: Annotated[Optional[Path], typer.Option("--sheet", help="Write a PDF of every view with each site's marker and id, the region names and a coordinate grid.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the names: en or es.")] = "en",
) -> None:
    """List the atlas's named sites (id, name, views, languages), or write the atlas sheet."""
    import json

    from routinecard.atlas import LANGUAGES, load_atlas

    if lang not in LANGUAGES:
        typer.echo(f"Error: unknown language {lang!r}; one of: {', '.join(LANGUAGES)}", err=True)
        raise typer.Exit(2)
    atlas = load_atlas()
    if sheet is not None:
        from routinecard.write import write_atomic
        from routinecard.figures.sheet import atlas_sheet_pdf

        write_atomic(sheet, atlas_sheet_pdf(lang))
        if not _settings(ctx).quiet:
            typer.echo(f"wrote {sheet} ({len(atlas.views)} views, {len(atlas.sites)} sites)")
        return
    if as_json:
        rows = [{"id": site.id, "name": site.names, "plain": site.plain, "views": list(site.views),
                 "languages": sorted(site.names),
                 "places": {p.view: {"x": p.x, "y": p.y, "regions": list(p.regions)} for p in site.places}}
                for site in atlas.sites.values()]
        typer.echo(json.dumps({"views": list(atlas.views), "sites": rows}, ensure_ascii=False, indent=1))
        return
    width = max(len(site_id) for site_id in atlas.sites)
    name_width = max(len(site.name(lang)) for site in atlas.sites.values())
    typer.echo(f"{'site':<{width}}  {'name':<{name_width}}  {'views':<26}  languages")
    for site in atlas.sites.values():
        typer.echo(f"{site.id:<{width}}  {site.name(lang):<{name_width}}  {', '.join(site.views):<26}  "
                   f"{', '.join(sorted(site.names))}")
    typer.echo(f"{len(atlas.sites)} sites on {len(atlas.views)} views ({', '.join(atlas.views)}); "
               "`routinecard atlas --sheet atlas.pdf` draws them")


@app.command("poses")
def poses_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print presets, props, motions and angles as JSON (for tools).")] = False,
    gallery: Annotated[Optional[Path], typer.Option("--gallery", help="Write every preset with a ball and with a roller, as PNG (or PDF by the file's suffix).")] = None,
) -> None:
    """List the pose presets, props and motions of the position pictures, or draw the gallery."""
    import json

    from routinecard.figures.poses import library
    from routinecard.figures.skeleton import JOINTS

    lib = library()
    if gallery is not None:
        from routinecard.figures.gallery import gallery_pdf, gallery_png
        from routinecard.write import write_atomic

        write_atomic(gallery, gallery_pdf() if gallery.suffix.lower() == ".pdf" else gallery_png())
        if not _settings(ctx).quiet:
            typer.echo(f"wrote {gallery} ({len(lib.presets)} poses, each with a ball and with a roller)")
        return
    if as_json:
        data = {
            "presets": [{"id": p.id, "name": p.words, "view": p.view, "angles": p.angles,
                         "supports": sorted(p.supports), "demo": p.demo} for p in lib.presets.values()],
            "props": [{"id": p.id, "kind": p.kind, "name": p.words, "radius": p.radius} for p in lib.props.values()],
            "motions": [{"id": m.id, "kind": m.kind, "name": m.words} for m in lib.motions.values()],
            "angles": [{"name": j.name, "min": j.low, "max": j.high, "meaning": j.meaning} for j in JOINTS.values()],
            "sites": sorted(lib.sites),
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    width = max(len(p) for p in lib.presets)
    typer.echo(f"{'pose':<{width}}  view   description")
    for preset in lib.presets.values():
        typer.echo(f"{preset.id:<{width}}  {preset.view:<5}  {preset.words['en']}")
    typer.echo("props: " + ", ".join(lib.props))
    typer.echo("motions: " + ", ".join(lib.motions))
    typer.echo("angles: " + ", ".join(f"{j.name} {j.low:g}..{j.high:g}" for j in JOINTS.values())
               + " (far_hip, far_knee... for the far limbs)")
    typer.echo("a point says `pose: back-to-wall` or `pose: {preset: back-to-wall, knee: 20, motion: lean-in}`")


@app.command()
def schema(
    kind: Annotated[str, typer.Argument(metavar="KIND", help="card, patient, clinic or layout.", show_default=False)],
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
    from routinecard.locale import available
    from routinecard.patients import library_folders
    from routinecard.resources import builtin_layouts, data_dir
    from routinecard.tools import builtin_tools

    lines = [f"routinecard {__version__} on Python {platform.python_version()} ({platform.system()})"]
    for package in ("reportlab", "rl-accel", "pydantic", "pyyaml", "typer", "pillow", "svglib", "pypdfium2",
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


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but 127.0.0.1/localhost needs a password.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8765,
    library: Annotated[Path, typer.Option("--library", help="Folder with cards/, clinics/ and patients/.")] = Path("."),
    password_file: Annotated[
        Optional[Path], typer.Option("--password-file", help="File whose first line is the password (else $ROUTINECARD_PASSWORD).")
    ] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, max=32, help="Cards built at once (default: up to 2).")] = None,
) -> None:
    """A local web app for clinicians: pick a routine, tick points, change the dose, preview, print or save."""
    try:
        from routinecard.serve.config import UsageError, make_config, start_message
        from routinecard.serve.server import run
    except ImportError as error:  # the serve extra is not installed
        typer.echo(f"Error: routinecard serve needs the serve extra: pip install 'routinecard[serve]' ({error.name} is missing)", err=True)
        raise typer.Exit(2)
    try:
        config = make_config(library, host, port, password_file, workers)
    except UsageError as error:
        for problem in error.problems:
            typer.echo(f"Error: {problem}", err=True)
        raise typer.Exit(2)
    typer.echo(start_message(config))
    run(config)


def schema_main(argv: Sequence[str] | None = None) -> int:
    """`python -m routinecard.schema [FOLDER]`: write every schema file (default: schema/
    in the checkout) and say which."""
    from routinecard.schema import default_folder, write_schemas

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        typer.echo("usage: python -m routinecard.schema [FOLDER]  (default: schema/ in the checkout)", err=True)
        return 2
    folder = Path(args[0]) if args else default_folder()
    for path in write_schemas(folder):
        typer.echo(str(path))
    return 0


def main() -> None:
    """Console-script entry point."""
    # We use no pydantic plugins; looking them up scans every installed package's
    # metadata, a fifth of a second on a big environment. Only this process is affected.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # A file name or argument that is not valid UTF-8 is printed with escapes, never a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
