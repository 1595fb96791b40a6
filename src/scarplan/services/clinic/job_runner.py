"""Where heavy work runs. The default runs it on a worker thread of the process that accepted it.

The runner only executes callables; what a job is and where its state lives (the jobs table)
belong to `jobs.py`, so another runner (a queue and separate worker processes) can replace this
one without touching the use cases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol


class JobRunner(Protocol):
    def submit(self, work: Callable[[], None]) -> None:
        """Run `work` some time soon; it records its own outcome and never raises."""

    def shutdown(self) -> None:
        """Finish the jobs already submitted, then stop (the app's shutdown)."""


class InProcessJobRunner:
    """A small thread pool, started on first use. CP-SAT and NumPy release the GIL while they
    compute, so a running job does not stall the web worker's other requests."""

    def __init__(self, workers: int = 1) -> None:
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], None]) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="scarplan-job")
            future = self._pool.submit(work)
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

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
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
