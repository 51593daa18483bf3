"""Batch builds: every card and patient file x every layout, in parallel, incrementally.

A `Job` is one input file with one layout and the command line's options: small and
picklable. `run_job` is a pure top-level function from a job to an `Outcome` (status,
output path, the PDF's SHA-256, problems): it runs in a worker, writes its own PDF
atomically and returns no PDF bytes, so any `concurrent.futures.Executor` can run it
(a process pool by default; a Dask executor works the same way).

`run` does what must happen in one place, in this order:
1. remove temporary files left by killed builds in the output folders;
2. skip jobs whose inputs are unchanged (see `incremental`), before any parsing;
3. plan every other job's output name and refuse collisions (two cards with the same
   id, a layout file named like a built-in, an output over an input) before anything
   is written;
4. run the jobs, recording each finished PDF in the folder's manifest at once
   (atomically), so a killed batch loses at most the cards in flight.
Pool workers watch their parent and exit when it dies (no orphans after `kill -9`).

Why one long module: the pool, its workers and the outcome bookkeeping share the process-wide
state of one batch run.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal

from routinecard.errors import Problem
from routinecard.incremental import JobKey, Manifest, file_hash, locked
from routinecard.resources import looks_like_path

if TYPE_CHECKING:
    from routinecard.prepare import Prepared

Status = Literal["built", "skipped", "failed"]


@dataclass(frozen=True)
class Job:
    """One PDF to build. Small and picklable: it travels to a worker process."""

    input: Path
    layout: str | None  # a built-in name or a file; None: the patient's, the clinic's, or letter
    clinic: Path | None
    language: str | None
    only: tuple[str, ...] | None  # point ids to keep (--only)
    sets: tuple[tuple[str, Any], ...]
    allow: tuple[Path, ...]
    output: Path | None  # a PDF file, or None to name it in `folder`
    folder: Path
    suffix_layout: bool  # add -<layout> to the file name (several layouts built)
    verify: bool
    patient: Path | None = None  # a patient file applied to `input` (a card), as build_pdf(card, patient=...)
    target: Path | None = None  # the planned output (set by `plan`)
    split: bool = False  # --split: a card too long for one page becomes a set of cards

    @property
    def key(self) -> JobKey:
        return JobKey(
            input=str(self.input.resolve()),
            layout=str(Path(self.layout).resolve()) if self.layout and looks_like_path(self.layout) else self.layout,
            clinic=str(self.clinic.resolve()) if self.clinic else None,
            language=self.language,
            only=",".join(self.only) if self.only is not None else None,
            sets=json.dumps([self.sets, str(self.patient.resolve()) if self.patient else None], sort_keys=True,
                            default=str),
            split=self.split,
        )

    @property
    def out_folder(self) -> Path:
        return self.output.parent if self.output is not None else self.folder


@dataclass
class Outcome:
    """What became of one job: small, so it travels back from a worker cheaply."""

    job: Job
    status: Status
    output: Path | None = None
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    sha256: str | None = None  # of the PDF written
    deps: tuple[tuple[str, str], ...] = ()  # (absolute path, SHA-256) of every file it was made from
    notices: list[str] = field(default_factory=list)  # worth saying, not errors (e.g. a language fallback)
    stale: list[tuple[Path, Path]] = field(default_factory=list)  # a failed job's old PDF: (was, moved to)


def make_jobs(
    files: list[Path],
    layouts: list[str | None],
    *,
    folder: Path,
    output: Path | None = None,
    clinic: Path | None = None,
    language: str | None = None,
    only: tuple[str, ...] | None = None,
    sets: tuple[tuple[str, Any], ...] = (),
    allow: tuple[Path, ...] = (),
    verify: bool = False,
    patient: Path | None = None,
    split: bool = False,
) -> list[Job]:
    """One job per input file and layout, in that order (the CLI's and the Python API's
    batches are made here). `output` names one PDF file (one file, one layout)."""
    return [
        Job(file, layout, clinic, language, only, sets, allow, output, folder, len(layouts) > 1, verify, patient,
            split=split)
        for file in files
        for layout in layouts
    ]


def _name_the_card(problems: list[Problem], job: Job) -> list[Problem]:
    """Problems of the command line (--only, --set) say which card they failed for."""
    from routinecard.errors import display_path

    named: list[Problem] = []
    for problem in problems:
        if problem.file is None and (problem.field or "").startswith("--"):
            problem = Problem(problem.message, file=display_path(job.input), field=problem.field)
        elif problem.file == "command line":
            field_ = problem.field or ""
            match = re.fullmatch(r"set\['(.*)'\]", field_)
            option = f"--set {match.group(1)}" if match else "--only" if field_.startswith("only") else field_ or None
            problem = Problem(problem.message, file=display_path(job.input), field=option)
        named.append(problem)
    return named


def run_job(job: Job) -> Outcome:
    """Load, fit, render, verify (if asked) and write one PDF. Runs in a worker.

    Pure apart from writing `job.target`: returns the PDF's SHA-256 and the files it was
    made from (with their hashes, taken here, right after they were read), never the bytes.
    """
    from routinecard.errors import attempt

    done = attempt(lambda: _build_and_write(job))
    return Outcome(job, "failed", problems=_name_the_card(done, job)) if isinstance(done, list) else done


def _build_and_write(job: Job) -> Outcome:
    import hashlib

    from routinecard.api import build_prepared
    from routinecard.errors import display_path
    from routinecard.write import write_file

    prepared = _PLANNED.pop(_plan_key(job), None) or _prepare(job)
    loaded, layout = prepared.loaded, prepared.layout
    target = target_for(job, prepared)
    if job.target is not None and target.resolve() != job.target.resolve():
        # The plan named this PDF from the card's id and language without validating the
        # card (`_light_target`); a different real name would dodge the collision check.
        from routinecard.errors import OutputError

        raise OutputError(Problem(
            f"internal error: this card's PDF was planned as {display_path(job.target)} but is "
            f"{display_path(target)}; nothing was written for it", file=display_path(job.input)))
    built = build_prepared(prepared, verify=job.verify)
    protect = [job.input, *([job.patient] if job.patient is not None else []),
               *([loaded.patient.card_file] if loaded.patient is not None else [])]
    write_file(target, built.pdf, protect=tuple(protect))
    deps = [job.input, *prepared.files]
    hashed: dict[str, str] = {}
    for dep in deps:
        digest = file_hash(dep)
        if digest is not None:
            hashed[str(dep.resolve())] = digest
    from routinecard.advice import fit_summary

    cards = len(built.plans)
    sheet = layout.page.sheet
    pages = -(-cards // sheet.copies) if sheet is not None and cards > 1 else cards
    fitted = fit_summary([p.fit_percent for p in built.plans], one="fits at")
    message = (
        f"wrote {display_path(target)} ({pages} page{'s' if pages > 1 else ''}, {layout.name}, "
        f"{fitted}, {len(built.pdf) / 1024:.0f} KB)"
    )
    notices = [f"{loaded.name}: note: {notice}" for notice in prepared.notices]
    return Outcome(job, "built", target, message, sha256=hashlib.sha256(built.pdf).hexdigest(),
                   deps=tuple(sorted(hashed.items())), notices=notices)


def _prepare(job: Job) -> Prepared:
    from routinecard.loader import load_yaml_file
    from routinecard.prepare import prepare

    only = list(job.only) if job.only is not None else None
    if job.patient is not None:  # the patient file applied to this card (build CARD --patient P)
        prepared = prepare(job.patient, base=(load_yaml_file(job.input), job.input), layout=job.layout,
                           clinic=job.clinic, language=job.language, only=only, sets=dict(job.sets), allow=job.allow)
    else:
        prepared = prepare(job.input, layout=job.layout, clinic=job.clinic, language=job.language, only=only,
                           sets=dict(job.sets), allow=job.allow)
    return prepared.splitting() if job.split else prepared


def target_for(job: Job, prepared: Prepared) -> Path:
    """Where a job's PDF goes: `-o FILE`, else `<folder>/<stem>[-<layout>].pdf`, where the
    stem is the card's id or the patient file's name sanitised to an id (`prepare.output_stem`),
    with `.<language>` for a language other than English. Never a path that a file wrote."""
    from routinecard.prepare import output_stem

    if job.output is not None:
        return job.output
    suffix = f"-{prepared.layout.name}" if job.suffix_layout else ""
    return job.folder / f"{output_stem(prepared.loaded)}{suffix}.pdf"


_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_LANGUAGE = re.compile(r"[a-z]{2,3}\Z")


def _light_target(job: Job) -> Path | None:
    """The output of a plain card built as it is (no patient, language, clinic or several
    layouts), from its id and language alone: a library of a thousand cards is planned
    in a parse each (cached for the build), not a full validation each in the parent,
    which would leave the workers waiting. None: use the full rule. The job checks the
    name again before writing."""
    if job.patient is not None or job.language is not None or job.clinic is not None or job.suffix_layout:
        return None
    from routinecard.errors import RoutineCardError
    from routinecard.library import output_stem
    from routinecard.loader import load_yaml_file

    try:
        data = load_yaml_file(job.input).data
    except RoutineCardError:
        return None
    if not isinstance(data, dict) or "card" in data:
        return None  # a patient file: its name and language come from the full rule
    card_id, language = data.get("id"), data.get("language", "en")
    if not (isinstance(card_id, str) and _ID.match(card_id) and isinstance(language, str) and _LANGUAGE.match(language)):
        return None
    return job.folder / f"{output_stem(card_id, language)}.pdf"


_PLANNED: dict[str, Prepared] = {}
_PLANNED_LIMIT = 4


def _plan_key(job: Job) -> str:
    return json.dumps([job.key.text(), str(job.output), str(job.folder), job.suffix_layout, job.verify])


def planned_target(job: Job) -> Path | None:
    """The output a job will write, worked out before anything is built by the same rule
    the job uses (prepare: load and validate, no fit). None: the job will fail before
    writing, and says why itself."""
    from routinecard.errors import RoutineCardError

    if job.output is not None:
        return job.output
    light = _light_target(job)
    if light is not None:
        return light
    try:
        prepared = _prepare(job)
    except RoutineCardError:
        return None
    # The job that runs in this process next (one card, or --jobs 1) reuses this
    # preparation instead of loading and validating its card a second time. A few only:
    # a big batch must not keep every card alive in the parent.
    _PLANNED[_plan_key(job)] = prepared
    while len(_PLANNED) > _PLANNED_LIMIT:
        _PLANNED.pop(next(iter(_PLANNED)))
    try:
        return target_for(job, prepared)
    except RoutineCardError:
        return None


def _pid_watchdog(parent: int) -> None:
    """Exit this worker as soon as its parent is gone (reparented), removing any half-written file."""
    import time

    from routinecard.write import discard_current_temporary

    while True:
        if os.getppid() != parent:
            discard_current_temporary()
            os._exit(1)
        time.sleep(0.2)


def _die_with_parent(parent: int) -> None:
    """Per-worker set-up: die with the parent (Linux: at once; elsewhere: within 0.2 s)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before we got here
        os._exit(1)
    threading.Thread(target=_pid_watchdog, args=(parent,), daemon=True, name="routinecard-watchdog").start()


def _worker_init(parent: int, warm: bool) -> None:
    _die_with_parent(parent)
    if warm:
        _warm()


def _warm() -> None:
    """Per-worker one-time set-up: fonts and body maps, before the first card."""
    from routinecard.figures.bodymap import body_map
    from routinecard.fonts import font_set

    font_set()
    body_map("back")


# The manifest is written again at most this often while a batch runs (and always at its
# end). Writing it after every PDF made a 1000-card batch serialise ~1.5 GB of JSON in the
# parent, on a core the workers need. A build killed in between only rebuilds the PDFs of
# its last half second next time.
SAVE_EVERY_S = 0.5


class _Ledger:
    """The manifests of the output folders, saved as PDFs finish (at most every
    SAVE_EVERY_S) and when the batch ends."""

    def __init__(self) -> None:
        self.manifests: dict[Path, Manifest] = {}
        self.broken: set[Path] = set()  # folders whose manifest could not be written (reported once)
        self.saved_at: dict[Path, float] = {}

    def of(self, job: Job) -> Manifest:
        folder = job.out_folder.resolve()
        if folder not in self.manifests:
            self.manifests[folder] = Manifest(folder)
        return self.manifests[folder]

    def save(self, manifest: Manifest, *, now: bool = False) -> list[Problem]:
        """Write the manifest if it changed and was not written in the last SAVE_EVERY_S
        (`now`: whenever it changed); an error line if it cannot be written."""
        from routinecard.errors import OutputError
        from routinecard.write import write_file

        if not manifest.changed or manifest.folder in self.broken or not manifest.folder.is_dir():
            return []
        if not now and time.monotonic() - self.saved_at.get(manifest.folder, -SAVE_EVERY_S) < SAVE_EVERY_S:
            return []
        try:
            with locked(manifest.folder):  # another build into this folder keeps its entries
                manifest.merge()
                write_file(manifest.path, manifest.payload(), replace_special=True)
                manifest.saved()
        except OutputError as error:
            self.broken.add(manifest.folder)
            return list(error.problems)
        self.saved_at[manifest.folder] = time.monotonic()
        return []

    def save_all(self) -> list[Problem]:
        """Write every manifest that changed (the end of a batch)."""
        return [problem for manifest in self.manifests.values() for problem in self.save(manifest, now=True)]


def _collision(job: Job, target: Path, first: Job) -> Outcome:
    from routinecard.errors import display_path

    what = "layout" if job.input == first.input else "card"
    advice = ("give the layouts different names (a layout's `name:`)" if what == "layout"
              else "give the cards different ids or build them into different folders")
    return Outcome(job, "failed", problems=[Problem(
        f"writes the same PDF as {display_path(first.input)}"
        f"{' with layout ' + str(first.layout) if what == 'layout' else ''} ({display_path(target)}); {advice}; "
        "nothing was written for it", file=display_path(job.input))])


def plan(jobs: list[Job], ledger: _Ledger, *, force: bool, inputs: tuple[Path, ...]) -> tuple[dict[int, Outcome], list[tuple[int, Job]]]:
    """Skipped jobs, refused jobs, and the jobs to run with their targets; nothing written."""
    from routinecard.errors import display_path

    done: dict[int, Outcome] = {}
    pending: list[tuple[int, Job]] = []
    claimed: dict[Path, Job] = {}
    protected: set[Path] = set()
    for source in inputs:
        try:
            protected.add(source.resolve())
        except (OSError, RuntimeError):
            pass
    for index, job in enumerate(jobs):
        manifest = ledger.of(job)
        previous = None if force else manifest.up_to_date(job.key)
        if previous is not None and job.output is not None and previous.resolve() != job.output.resolve():
            previous = None
        target = previous if previous is not None else planned_target(job)
        if target is not None:
            where = target.resolve()
            if where in claimed:
                done[index] = _collision(job, target, claimed[where])
                continue
            if where in protected:
                done[index] = Outcome(job, "failed", problems=[Problem(
                    "refusing to write the PDF over an input file; choose another output name", file=display_path(target))])
                continue
            claimed[where] = job
        if previous is not None:
            done[index] = Outcome(job, "skipped", previous)
        else:
            pending.append((index, replace(job, target=target)))
    return done, pending


def run(
    jobs: list[Job],
    *,
    workers: int = 1,
    force: bool = False,
    inputs: tuple[Path, ...] = (),
    executor: Executor | None = None,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Run the jobs; outcomes come back in the jobs' order.

    `executor`: any `concurrent.futures.Executor` to run `run_job` on (it is not shut
    down here). Default: this process for one job or `workers <= 1`, else a pool of
    `workers` processes that die with this one. `inputs`: files no output may replace.
    """
    ledger = _Ledger()
    outcomes, pending = plan(jobs, ledger, force=force, inputs=inputs)
    for outcome in outcomes.values():
        on_done(outcome)

    left = [len(pending)]  # jobs not finished yet: the last one saves every manifest

    def finish(index: int, outcome: Outcome) -> None:
        manifest = ledger.of(outcome.job)
        if outcome.status == "built" and outcome.output is not None and outcome.sha256 is not None:
            # Interned: every card of a library names the same fonts, layouts and icons with
            # the same digests; a thousand outcomes then share those strings, not copy them.
            outcome.deps = tuple((sys.intern(path), sys.intern(digest)) for path, digest in outcome.deps)
            manifest.record(outcome.job.key, outcome.output, outcome.sha256, dict(outcome.deps))
        elif outcome.status == "failed":
            outcome.stale = _retire(manifest, outcome.job, inputs)
        left[0] -= 1
        problems = ledger.save(manifest) if left[0] > 0 else ledger.save_all()
        if problems:
            outcome.status = "failed" if outcome.status == "built" else outcome.status
            outcome.problems = outcome.problems + problems
        outcomes[index] = outcome
        on_done(outcome)

    if executor is not None:
        _run_on(executor, pending, finish)
    elif workers <= 1 or len(pending) <= 1:
        for index, job in pending:
            finish(index, run_job(job))
    else:
        forking = hasattr(os, "fork") and sys.platform != "darwin"
        context = multiprocessing.get_context("fork" if forking else "spawn")
        if forking:
            # Import and warm up once here: forked workers inherit it all and start at once,
            # instead of each paying for imports, fonts and body maps.
            import routinecard.api  # noqa: F401

            _warm()
        todo, first = pending, True
        while todo:
            # A worker that dies (killed, out of memory) breaks the whole pool: the jobs it
            # took down with it are tried once more in a fresh pool, then reported.
            retry: list[tuple[int, Job]] = []
            with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=context,
                                     initializer=_worker_init, initargs=(os.getpid(), not forking)) as pool:
                _run_on(pool, todo, finish, retry=retry if first else None)
            todo, first = retry, False
    return [outcomes[i] for i in range(len(jobs))]


def _run_on(executor: Executor, pending: list[tuple[int, Job]], finish: Callable[[int, Outcome], None],
            retry: list[tuple[int, Job]] | None = None) -> None:
    """Submit every job, finish each as it completes; jobs lost with a broken pool go to
    `retry` if given, else fail with a message."""
    futures: dict[Future[Outcome], int] = {executor.submit(run_job, job): index for index, job in pending}
    jobs = dict(pending)
    for future in as_completed(futures):
        index = futures[future]
        try:
            outcome = future.result()
        except BrokenProcessPool:
            if retry is not None:
                retry.append((index, jobs[index]))
                continue
            from routinecard.errors import display_path

            outcome = Outcome(jobs[index], "failed", problems=[Problem(
                "the process building this card stopped unexpectedly (out of memory?); nothing was written for it",
                file=display_path(jobs[index].input))])
        except Exception as error:  # noqa: BLE001 - another executor's failure (a lost Dask worker): this card only
            from routinecard.errors import display_path

            outcome = Outcome(jobs[index], "failed", problems=[Problem(
                f"the worker building this card failed ({type(error).__name__}: {error}); nothing was recorded for it",
                file=display_path(jobs[index].input))])
        finish(index, outcome)


STALE_SUFFIX = ".out-of-date"


def _retire(manifest: Manifest, job: Job, inputs: tuple[Path, ...]) -> list[tuple[Path, Path]]:
    """A rebuild failed: the PDF an earlier build left under this job's name no longer
    matches its inputs, and staff print from the output folder. Rename it
    `NAME.pdf.out-of-date` (no longer a .pdf, so it cannot be printed as current; nothing
    is deleted) and forget it. Returns (old path, new path) pairs for the summary."""
    candidates: list[Path] = []
    entry = manifest.entries.get(job.key.text())
    if entry is not None:
        old = manifest.folder / entry.output
        if file_hash(old) == entry.pdf:  # still the one we wrote
            candidates.append(old)
    candidates += [job.output] if job.output is not None else [job.folder / f"{stem}.pdf" for stem in _default_stems(job)]
    protected = {p.absolute() for p in (*inputs, job.input, job.patient) if p is not None}
    moved: list[tuple[Path, Path]] = []
    for candidate in dict.fromkeys(c.absolute() for c in candidates):
        if candidate in protected or candidate.suffix.lower() != ".pdf" or not _looks_like_pdf(candidate):
            continue
        aside = candidate.with_name(candidate.name + STALE_SUFFIX)
        try:
            os.replace(candidate, aside)
        except OSError:
            return moved  # a read-only folder: nothing can change there (the failure is still reported)
        moved.append((candidate, aside))
    if entry is not None:
        manifest.forget(job.key)
    return moved


def _looks_like_pdf(path: Path) -> bool:
    """Only a regular file that is a PDF is ever set aside (never an input that happens to
    be named .pdf); any trouble reaching it (a name too long, no permission) means no."""
    import stat

    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except (OSError, ValueError):
        return False


def _default_stems(job: Job) -> list[str]:
    """The file names (without .pdf) a failed job would have written, as far as they can
    be known without a valid card: a card file's id and language; a patient file's name."""
    from routinecard.library import output_stem, read_entry

    suffix = f"-{job.layout}" if job.suffix_layout and job.layout and not looks_like_path(job.layout) else ""
    if job.suffix_layout and not suffix:
        return []
    if job.patient is not None:
        return [job.patient.stem + suffix]
    entry = read_entry(job.input)
    if entry is not None:
        return [output_stem(entry.id, job.language or entry.language) + suffix]
    return [job.input.stem + suffix]
