"""A bounded pool of card builders with a queue in front of it.

Twenty clinicians typing at once must slow the app down, not exhaust the machine: at
most `workers` cards are built at a time (in worker processes, so they use the cores
and a crash stays in the worker); up to `queue_limit` more wait their turn; beyond that
a request is refused at once as busy (the page says so and the next keystroke tries
again). Jobs carry a key (one per open form): a queued preview whose form has since
asked for a newer one is dropped before it starts (superseded). A preview already being
built runs to the end and its result is thrown away; building one card takes a fraction
of a second, so that costs less than killing and restarting a worker.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from routinecard.serve import engine

T = TypeVar("T")


class Busy(Exception):
    """The queue is full."""


class Superseded(Exception):
    """A newer job with the same key arrived before this one started."""


@dataclass
class _Job:
    key: str | None
    seq: int
    function: Callable[[Any], Any]
    argument: Any
    future: asyncio.Future[Any]


@dataclass
class Stats:
    workers: int
    queue_limit: int
    queued: int = 0
    running: int = 0
    done: int = 0
    superseded: int = 0
    refused: int = 0
    failed: int = 0


def process_executor(workers: int) -> Executor:
    """Worker processes started clean (spawn: no copy of the server's threads), each
    warmed up once (imports, fonts)."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=engine.warm_up)


class BuildPool:
    """Runs jobs `workers` at a time; `queue_limit` more may wait."""

    def __init__(self, workers: int, queue_limit: int, executor: Executor | None = None) -> None:
        self.workers = max(1, workers)
        self.queue_limit = max(0, queue_limit)
        self._executor = executor
        self._queue: asyncio.Queue[_Job] | None = None
        self._runners: list[asyncio.Task[None]] = []
        self._latest: dict[str, int] = {}
        self._seq = 0
        self.stats = Stats(self.workers, self.queue_limit)
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's, once started

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = process_executor(self.workers)
            for _ in range(self.workers):  # start the workers now, not on the first clinician's preview
                self._executor.submit(engine.warm_up)
        self._queue = asyncio.Queue()
        self._runners = [asyncio.create_task(self._run()) for _ in range(self.workers)]

    async def stop(self) -> None:
        for runner in self._runners:
            runner.cancel()
        await asyncio.gather(*self._runners, return_exceptions=True)
        self._runners = []
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def submit(self, function: Callable[[Any], T], argument: Any, *, key: str | None = None) -> T:
        """Run `function(argument)` in a worker. Raises Busy or Superseded."""
        if self._queue is None:
            raise RuntimeError("the build pool is not started")
        if self._queue.qsize() >= self.queue_limit + max(0, self.workers - self.stats.running):
            self.stats.refused += 1
            raise Busy()
        self._seq += 1
        if key is not None:
            self._latest[key] = self._seq
            if len(self._latest) > 10_000:  # forget forms long closed
                self._latest = dict(list(self._latest.items())[-1000:])
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(key, self._seq, function, argument, future))
        self.stats.queued = self._queue.qsize()
        result: T = await future
        return result

    async def _run(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            job = await self._queue.get()
            self.stats.queued = self._queue.qsize()
            if job.future.cancelled():
                continue
            if job.key is not None and self._latest.get(job.key, job.seq) > job.seq:
                self.stats.superseded += 1
                job.future.set_exception(Superseded())
                continue
            self.stats.running += 1
            try:
                result = await loop.run_in_executor(self._executor, job.function, job.argument)
            except Exception as error:  # a crashed worker: the request gets an error page
                self.stats.failed += 1
                if not job.future.done():
                    job.future.set_exception(error)
            else:
                self.stats.done += 1
                if not job.future.done():
                    job.future.set_result(result)
            finally:
                self.stats.running -= 1
