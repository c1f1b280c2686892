"""The analysis pool: drafts are analysed in a few worker processes, off the event loop, within a
time budget per request.

Why processes: fugashi holds the GIL for a whole parse (~0.1 s for a 10,000-character run of
symbols), so an analysis in a thread would still stall /healthz and every other client. Why a
budget: a request that cannot finish in `timeout` seconds (a large batch on a busy server) is
answered 503 with Retry-After instead of holding its client and a process; the batch itself stops
at its next draft. Why admission control: more than `processes + queue` requests in flight are
refused at once (503), so a flood queues nowhere and memory stays flat.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import TypeVar

from app.api import jobs

T = TypeVar("T")


class Unavailable(Exception):
    """The analysis could not be done now: the detail says why, `retry_after` when to try again."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


class AnalysisPool:
    """A bounded process pool with a time budget per request."""

    def __init__(self, model_path: Path, processes: int, queue: int, timeout: float) -> None:
        self.model_path = model_path
        self.processes = processes
        self.capacity = processes + queue
        self.timeout = timeout
        self.in_flight = 0  # touched on the event loop thread only
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the server process holds threads and sockets a fork would copy
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.processes, mp_context=context, initializer=jobs.load, initargs=(self.model_path,))

    def deadline(self) -> float:
        """The monotonic time by which a request starting now must be done (passed to its job)."""
        return time.monotonic() + self.timeout

    async def warm_up(self, timeout: float = 120.0) -> None:
        """Start every process and load its model now, not on the first request (outside the
        request budget: starting Python and loading the dictionary takes a few seconds)."""
        futures = [asyncio.wrap_future(self._executor.submit(jobs.probe)) for _ in range(self.processes)]
        await asyncio.wait_for(asyncio.gather(*futures), timeout)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """Run `fn(*args)` in a process; Unavailable when busy, over budget or broken."""
        if self.in_flight >= self.capacity:
            raise Unavailable(f"the server is busy ({self.in_flight} analyses in progress); retry shortly", 1)
        future = self._submit(fn, *args)
        self.in_flight += 1
        # the slot is freed when the process is done, not when the client stops waiting
        loop = asyncio.get_running_loop()
        future.add_done_callback(lambda _: self._release_from(loop))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except (TimeoutError, jobs.OverBudget):
            raise Unavailable(
                f"the analysis did not finish within the {self.timeout:g} s budget; retry later or send fewer or shorter drafts",
                max(1, round(self.timeout)),
            ) from None
        except BrokenProcessPool:
            self._executor = self._start()  # a process died (killed, out of memory): start afresh
            raise Unavailable("an analysis process stopped; retry shortly", 1) from None

    def _submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        try:
            return self._executor.submit(partial(fn, *args))
        except BrokenProcessPool:
            self._executor = self._start()
            return self._executor.submit(partial(fn, *args))

    def _release(self) -> None:
        self.in_flight -= 1

    def _release_from(self, loop: asyncio.AbstractEventLoop) -> None:
        """Free a slot from the executor's thread; at shutdown the loop may be closed already."""
        try:
            loop.call_soon_threadsafe(self._release)
        except RuntimeError:
            pass

    def close(self) -> None:
        """Stop the processes now; queued and running work is dropped (the server is going away,
        after uvicorn's graceful-shutdown timeout). Without the terminate, the executor's exit
        hook would wait for a running batch to reach its deadline."""
        processes = list(getattr(self._executor, "_processes", {}).values())  # no public handle
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
