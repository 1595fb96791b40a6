"""Where heavy work runs: a worker thread of this process (the embedded default), or a queue
that `scarplan worker` processes on any host take jobs from (adapters/job_queue.py).

A runner only carries a job's id to something that calls `jobs.execute_job`; what a job is,
its inputs and its state live in the jobs table (`jobs.py`), so runners are interchangeable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobTicket:
    """What a runner needs to have a stored job run."""

    job_id: int
    kind: str
    serial: bool
    """Jobs of this kind run one at a time across the whole clinic group (an optimiser run
    takes every core of its machine)."""


class RetryLater(Exception):  # noqa: N818 - an instruction to the runner, not a failure
    """Raised by `jobs.execute_job` when a transient failure (the database briefly away) cut
    the job short: run it again after `delay_s` seconds. The job is back in the queue."""

    def __init__(self, job_id: int, delay_s: float) -> None:
        super().__init__(f"job {job_id}: run again in {delay_s:.0f} s")
        self.job_id = job_id
        self.delay_s = delay_s


class JobRunner(Protocol):
    durable: bool
    """True when a submitted job outlives this process (a queue); False for threads here."""

    def submit(self, ticket: JobTicket, run_here: Callable[[], None]) -> None:
        """Have the job run some time soon: `run_here` runs it in this process (what the
        in-process runner does); a queue sends the ticket to a worker instead. May raise
        `RetryLater` from `run_here`."""

    def shutdown(self) -> None:
        """Finish the jobs already submitted, then stop (the app's shutdown)."""

    def describe(self) -> str:
        """Who runs the jobs, in a few words (readiness): raises if that cannot be told."""


class InProcessJobRunner:
    """One worker thread per kind, started on first use; the default with SQLite.

    Per kind, not one pool: an optimiser run takes up to its time limit (a minute) on both
    cores, and a 3D analysis of a few seconds queued behind it would keep its user waiting for
    that minute. Within a kind jobs run one at a time, so two optimiser runs never compete for
    the cores. CP-SAT and NumPy release the GIL while they compute, so a running job does not
    stall the web worker's other requests. A job cut short by a transient failure is submitted
    again after the delay `jobs` chose.
    """

    durable = False

    def __init__(self) -> None:
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._futures: set[Future[None]] = set()
        self._timers: set[threading.Timer] = set()
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, ticket: JobTicket, run_here: Callable[[], None]) -> None:
        with self._lock:
            if self._closed:
                _log.warning("job %s not run: the app is shutting down", ticket.job_id)
                return
            pool = self._lanes.get(ticket.kind)
            if pool is None:
                pool = ThreadPoolExecutor(1, thread_name_prefix=f"scarplan-job-{ticket.kind}")
                self._lanes[ticket.kind] = pool
            future = pool.submit(self._run, ticket, run_here)
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _run(self, ticket: JobTicket, run_here: Callable[[], None]) -> None:
        try:
            run_here()
        except RetryLater as retry:
            _log.warning("%s", retry)
            timer = threading.Timer(retry.delay_s, self._again, (ticket, run_here))
            timer.daemon = True
            with self._lock:
                self._timers.add(timer)
            timer.start()

    def _again(self, ticket: JobTicket, run_here: Callable[[], None]) -> None:
        with self._lock:
            self._timers.discard(threading.current_thread())
        self.submit(ticket, run_here)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def describe(self) -> str:
        return "run on threads of this process"

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until every submitted job has finished; False if `timeout_s` passed first."""
        with self._lock:
            pending = list(self._futures)
        for future in pending:
            try:
                future.result(timeout=timeout_s)
            except TimeoutError:
                return False
        return True

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            lanes, self._lanes = list(self._lanes.values()), {}
            timers, self._timers = list(self._timers), set()
        for timer in timers:
            timer.cancel()
        for pool in lanes:
            pool.shutdown(wait=True)
