"""The analysis pool: drafts are analysed in a few worker processes, off the event loop, within a
time budget per request.

Why processes: fugashi holds the GIL for a whole parse (~0.1 s for a 10,000-character run of
symbols), so an analysis in a thread would still stall /healthz and every other client. Why a
budget: a request that cannot finish in `timeout` seconds, waiting included, is answered 503 with
Retry-After instead of holding its client; the batch itself stops at its next draft (its worker is
busy until then and takes no other request). Why admission control: more than `processes + queue`
requests in flight are refused at once (503), so a flood queues nowhere and memory stays flat.

Each worker is one spawned process with one pipe; the event loop writes a job to an idle worker's
pipe and is woken by the loop's own reader when the answer is there. (concurrent.futures'
ProcessPoolExecutor adds a manager thread and two more wake-ups per request, which cost as much
as a short draft's analysis on a loaded machine.)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

from app.api import jobs

T = TypeVar("T")
_BUDGET = "the analysis did not finish within the {timeout:g} s budget; retry later or send fewer or shorter drafts"


def _retrieved(answer: asyncio.Future[Any]) -> None:
    if not answer.cancelled():
        answer.exception()


class Unavailable(Exception):
    """The analysis could not be done now: the detail says why, `retry_after` when to try again."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


@dataclass(eq=False)
class _Worker:
    """One analysis process and the parent's end of its pipe."""

    process: BaseProcess
    conn: Connection
    answer: asyncio.Future[Any] | None = field(default=None)  # set while a job runs


class AnalysisPool:
    """A bounded pool of analysis processes with a time budget per request (event loop only)."""

    def __init__(self, model_path: Path, processes: int, queue: int, timeout: float) -> None:
        self.model_path = model_path
        self.processes = processes
        self.capacity = processes + queue
        self.timeout = timeout
        self.in_flight = 0
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: list[_Worker] = []
        self._closed = False

    def _spawn(self) -> _Worker:
        # spawn, not fork: the server process holds threads and sockets a fork would copy
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe(duplex=True)
        process = context.Process(target=jobs.serve, args=(child, self.model_path), daemon=True, name="urikomi-analysis")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers.append(worker)
        asyncio.get_running_loop().add_reader(parent.fileno(), self._on_answer, worker)
        return worker

    def deadline(self) -> float:
        """The monotonic time by which a request starting now must be done (passed to its job)."""
        return time.monotonic() + self.timeout

    async def warm_up(self, timeout: float = 120.0) -> None:
        """Start every process and wait until each has loaded the model and scored a probe
        (outside the request budget: starting Python and mapping the dictionary takes seconds)."""
        workers = [self._spawn() for _ in range(self.processes)]
        answers = [self._send(worker, jobs.probe, ()) for worker in workers]  # each joins the idle queue when done
        await asyncio.wait_for(asyncio.gather(*answers), timeout)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in a worker process; Unavailable when busy, over budget or broken."""
        if self.in_flight >= self.capacity or self._closed:
            raise Unavailable(f"the server is busy ({self.in_flight} analyses in progress); retry shortly", 1)
        self.in_flight += 1
        deadline = asyncio.get_running_loop().time() + self.timeout
        try:
            async with asyncio.timeout_at(deadline):
                worker = await self._idle.get()
                answer = self._send(worker, fn, args)
                result: T = await asyncio.shield(answer)  # on timeout the job runs on; its worker stays busy
                return result
        except (TimeoutError, jobs.OverBudget):
            raise Unavailable(_BUDGET.format(timeout=self.timeout), max(1, round(self.timeout))) from None
        finally:
            self.in_flight -= 1

    def _send(self, worker: _Worker, fn: Callable[..., Any], args: tuple[Any, ...]) -> asyncio.Future[Any]:
        worker.answer = asyncio.get_running_loop().create_future()
        worker.answer.add_done_callback(_retrieved)  # an abandoned job's error is nobody's to log
        try:
            worker.conn.send((fn, args))
        except (OSError, ValueError):  # the process is gone
            self._replace(worker)
            raise Unavailable("an analysis process stopped; retry shortly", 1) from None
        return worker.answer

    def _on_answer(self, worker: _Worker) -> None:
        """The worker's pipe is readable: its answer, or end of file if the process died."""
        answer, worker.answer = worker.answer, None
        try:
            outcome, value = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            if answer is not None and not answer.done():
                answer.set_exception(Unavailable("an analysis process stopped; retry shortly", 1))
            return
        if answer is not None and not answer.done():
            if outcome == "ok":
                answer.set_result(value)
            else:
                answer.set_exception(value)
        self._idle.put_nowait(worker)  # busy until now, even when its client gave up

    def _replace(self, worker: _Worker) -> None:
        """Drop a dead worker and start another in its place (it joins the idle queue once ready)."""
        asyncio.get_running_loop().remove_reader(worker.conn.fileno())
        worker.conn.close()
        self._workers.remove(worker)
        if not self._closed:
            self._send(self._spawn(), jobs.probe, ())  # joins the idle queue once it has answered

    def close(self) -> None:
        """Stop the processes now; queued and running work is dropped (the server is going away,
        after uvicorn's graceful-shutdown timeout)."""
        self._closed = True
        loop = asyncio.get_running_loop()
        for worker in self._workers:
            loop.remove_reader(worker.conn.fileno())
            worker.conn.close()
            worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout=5)
        self._workers.clear()
