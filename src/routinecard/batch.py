"""Batch builds: every card and patient file x every layout, in parallel, incrementally.

A job is one input file with one layout and the command line's options. Jobs whose
inputs are unchanged since the last build (see `incremental`) are skipped before any
parsing; the rest run in a pool of worker processes (`--jobs`), each of which writes
its own PDF atomically. A failed job is reported and the others go on.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from routinecard.errors import Problem
from routinecard.incremental import JobKey, Manifest
from routinecard.resources import looks_like_path


@dataclass(frozen=True)
class Job:
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


@dataclass
class Outcome:
    job: Job
    status: str  # built | skipped | failed
    output: Path | None = None
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    pdf: bytes | None = None
    deps: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # worth saying, not errors (e.g. a language fallback)


def run_job(job: Job, inputs: tuple[Path, ...] = ()) -> Outcome:
    """Load, fit, render, verify (if asked) and write one PDF. Runs in a worker."""
    from routinecard.errors import attempt

    done = attempt(lambda: _build_and_write(job, inputs))
    return Outcome(job, "failed", problems=done) if isinstance(done, list) else done


def _build_and_write(job: Job, inputs: tuple[Path, ...]) -> Outcome:
    from routinecard.api import build_prepared
    from routinecard.errors import display_path
    from routinecard.loader import load_yaml_file
    from routinecard.prepare import output_stem, prepare
    from routinecard.write import write_atomic

    only = list(job.only) if job.only is not None else None
    if job.patient is not None:  # the patient file applied to this card (build CARD --patient P)
        prepared = prepare(job.patient, base=(load_yaml_file(job.input), job.input), layout=job.layout,
                           clinic=job.clinic, language=job.language, only=only, sets=dict(job.sets), allow=job.allow)
    else:
        prepared = prepare(job.input, layout=job.layout, clinic=job.clinic, language=job.language, only=only,
                           sets=dict(job.sets), allow=job.allow)
    if job.split:
        prepared = prepared.splitting()
    loaded, layout = prepared.loaded, prepared.layout
    built = build_prepared(prepared, verify=job.verify)
    if job.output is not None:
        target = job.output
    else:
        target = job.folder / f"{output_stem(loaded)}{'-' + layout.name if job.suffix_layout else ''}.pdf"
    write_atomic(target, built.pdf, inputs=list(inputs) + [job.input])
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
    return Outcome(job, "built", target, message, pdf=built.pdf, deps=[job.input, *prepared.files], notices=notices)


def _warm() -> None:
    """Per-worker one-time set-up: fonts and body maps, before the first card."""
    from routinecard.figures.bodymap import body_map
    from routinecard.fonts import font_set

    font_set()
    body_map("back")


def run(
    jobs: list[Job],
    *,
    workers: int,
    force: bool,
    inputs: tuple[Path, ...],
    on_done: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Run the jobs; outcomes come back in the jobs' order."""
    manifests: dict[Path, Manifest] = {}

    def manifest_for(job: Job) -> Manifest:
        folder = (job.output.parent if job.output is not None else job.folder).resolve()
        if folder not in manifests:
            manifests[folder] = Manifest(folder)
        return manifests[folder]

    outcomes: dict[int, Outcome] = {}
    pending: list[tuple[int, Job]] = []
    for index, job in enumerate(jobs):
        previous = None if force else manifest_for(job).up_to_date(job.key)
        if previous is not None and (job.output is None or previous == job.output.resolve()):
            outcome = Outcome(job, "skipped", previous)
            outcomes[index] = outcome
            on_done(outcome)
        else:
            pending.append((index, job))

    if workers <= 1 or len(pending) <= 1:
        for index, job in pending:
            outcomes[index] = run_job(job, inputs)
            on_done(outcomes[index])
    else:
        forking = hasattr(os, "fork")
        context = multiprocessing.get_context("fork" if forking else "spawn")
        if forking:
            # Import and warm up once here: forked workers inherit it all and start at once,
            # instead of each paying for imports, fonts and body maps.
            import routinecard.api  # noqa: F401

            _warm()
        with ProcessPoolExecutor(
            max_workers=min(workers, len(pending)), mp_context=context, initializer=None if forking else _warm
        ) as pool:
            futures = {pool.submit(run_job, job, inputs): index for index, job in pending}
            for future in as_completed(futures):
                index = futures[future]
                outcomes[index] = future.result()
                on_done(outcomes[index])

    ordered = [outcomes[i] for i in range(len(jobs))]
    _refuse_collisions(ordered)
    for outcome in ordered:
        if outcome.status == "built" and outcome.output is not None and outcome.pdf is not None:
            manifest_for(outcome.job).record(outcome.job.key, outcome.output, outcome.pdf, outcome.deps)
    for manifest in manifests.values():
        if manifest.entries:
            manifest.save()
    return ordered


def _refuse_collisions(outcomes: Iterable[Outcome]) -> None:
    """Two jobs that wrote the same PDF: the later one replaced the earlier; say so."""
    seen: dict[Path, Outcome] = {}
    for outcome in outcomes:
        if outcome.status != "built" or outcome.output is None:
            continue
        target = outcome.output.resolve()
        if target in seen:
            first = seen[target].job.input
            outcome.status = "failed"
            outcome.problems = [Problem(
                f"writes the same PDF as {first} ({outcome.output}); "
                "give the cards different ids or build them into different folders",
                file=str(outcome.job.input),
            )]
        else:
            seen[target] = outcome
