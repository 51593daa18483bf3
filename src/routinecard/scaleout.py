"""Scale-out: run a batch on an existing engine instead of this machine's process pool.

A batch is a list of small, picklable `batch.Job`s and one pure top-level function,
`batch.run_job`, that builds and writes one PDF and returns a small `Outcome` (status,
output path, the PDF's SHA-256, problems). Anything that implements
`concurrent.futures.Executor` can therefore run it; for more than one machine we use
Dask's distributed scheduler (`Client.get_executor()`), not a scheduler of our own.
Planning (output names, collisions) and the manifest stay in the calling process.

Workers must see the same files at the same paths as the caller (a shared or synced
folder): jobs carry absolute paths, never file contents, so a million-card run does not
pass a million cards through the scheduler.

    from distributed import Client
    from routinecard.scaleout import build_on_dask

    with Client("tcp://scheduler:8786") as client:
        outcomes = build_on_dask(client, ["cards/", "patients/"], output="build")
    failed = [o for o in outcomes if o.status == "failed"]

On the command line: `routinecard build cards/ --executor dask://HOST:PORT` (an existing
scheduler) or `--executor dask-local` (a cluster of `--jobs` worker processes on this
machine, loopback only). Needs the `dask` extra: `pip install 'routinecard[dask]'`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routinecard.batch import Job, Outcome, make_jobs, run
from routinecard.errors import InputError, Problem

if TYPE_CHECKING:  # only for the type checker: distributed is an optional extra
    from distributed import Client

DASK_SCHEMES = ("dask://", "tcp://", "tls://")
EXECUTORS_HELP = "process (this machine, the default), dask://HOST:PORT (a Dask scheduler) or dask-local"


def absolute(job: Job) -> Job:
    """The job with every path made absolute, so a worker with another working folder
    (another machine) reads and writes the same files."""

    def abs_path(path: Path | None) -> Path | None:
        return None if path is None else path.resolve()

    layout = job.layout
    if layout is not None and (layout.endswith((".yaml", ".yml")) or "/" in layout):
        layout = str(Path(layout).resolve())
    return replace(
        job,
        input=job.input.resolve(),
        layout=layout,
        clinic=abs_path(job.clinic),
        allow=tuple(p.resolve() for p in job.allow),
        output=abs_path(job.output),
        folder=job.folder.resolve(),
        patient=abs_path(job.patient),
    )


def check_spec(spec: str) -> str:
    """The `--executor` value, normalised; ValueError (a usage error) for an unknown one."""
    text = spec.strip()
    if text in ("", "process", "dask-local") or (text.startswith(DASK_SCHEMES) and len(text.split("://", 1)[1]) > 0):
        return text or "process"
    raise ValueError(f"unknown executor {spec!r}; use {EXECUTORS_HELP}")


def _require_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError(Problem(
            "the Dask executor needs the dask extra: pip install 'routinecard[dask]'", file="--executor")) from None
    return distributed


# Dask's own logger, in this process and (through the environment, read when a worker
# process imports distributed) in the workers `dask-local` starts.
_DASK_LOG_ENV = "DASK_LOGGING__DISTRIBUTED"


@contextmanager
def quiet_dask() -> Iterator[None]:
    """Dask's log quiet for the duration of the block.

    Dask logs connection trouble with tracebacks on stderr, and does so by itself while a
    cluster shuts down (a worker's heartbeat can race the scheduler's exit). On the command
    line that reads as a crash; a card's failure comes back as its `Outcome` and a lost
    scheduler as an exception, so the log adds nothing for a clinic. Only critical
    messages are kept.
    """
    logger = logging.getLogger("distributed")
    level = logger.level
    saved = os.environ.get(_DASK_LOG_ENV)
    logger.setLevel(logging.CRITICAL)
    os.environ[_DASK_LOG_ENV] = "critical"
    try:
        yield
    finally:
        logger.setLevel(level)
        if saved is None:
            os.environ.pop(_DASK_LOG_ENV, None)
        else:
            os.environ[_DASK_LOG_ENV] = saved


@contextmanager
def executor_for(spec: str, workers: int) -> Iterator[Executor | None]:
    """The executor a `--executor` value names, open for the duration of the block.

    `process` gives None: the batch's own pool of `workers` processes (which die with
    this one). `dask://HOST:PORT` connects to a running Dask scheduler. `dask-local`
    starts a Dask cluster of `workers` processes on 127.0.0.1 and stops it afterwards.
    """
    text = check_spec(spec)
    if text == "process":
        yield None
        return
    if text == "dask-local":
        distributed = _require_distributed()
        with quiet_dask(), distributed.LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, silence_logs=logging.CRITICAL) as cluster, \
                distributed.Client(cluster) as client:
            yield client.get_executor()
        return
    if text.startswith(DASK_SCHEMES):
        distributed = _require_distributed()
        address = "tcp://" + text.removeprefix("dask://") if text.startswith("dask://") else text
        with quiet_dask():
            try:
                client = distributed.Client(address, timeout="5s")
            except OSError as error:
                raise InputError(Problem(f"cannot reach the Dask scheduler at {address}: {error}",
                                         file="--executor")) from None
            with client:
                yield client.get_executor()
        return


def build_on(
    executor: Executor,
    cards: Sequence[str | Path],
    *,
    output: str | Path = "build",
    layouts: Sequence[str] | None = None,
    force: bool = False,
    verify: bool = False,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Build cards, patient files or folders of them into `output` on any executor.

    Returns one `Outcome` per PDF, in input order; a card that fails is an outcome with
    status "failed" and its problems, never an exception. Unchanged cards are skipped
    (the manifest in `output`), as with `routinecard build`.
    """
    from routinecard.inputs import expand_inputs

    files = expand_inputs([Path(c) for c in cards])
    chosen: list[str | None] = list(layouts) if layouts else [None]
    jobs = [absolute(job) for job in make_jobs(files, chosen, folder=Path(output), verify=verify)]
    return run(jobs, force=force, inputs=tuple(f.resolve() for f in files), executor=executor, on_done=on_done)


def build_on_dask(client: Client, cards: Sequence[str | Path], **options: Any) -> list[Outcome]:
    """`build_on` with a `distributed.Client`: the cards are built by the cluster's workers."""
    executor: Executor = client.get_executor()  # type: ignore[no-untyped-call]  # distributed is untyped
    return build_on(executor, cards, **options)
