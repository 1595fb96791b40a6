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
    def submit(self, work: Callable[[], None], lane: str) -> None:
        """Run `work` some time soon; it records its own outcome and never raises. Work of one
        `lane` (the job's kind) runs in order; lanes do not wait for each other."""

    def shutdown(self) -> None:
        """Finish the jobs already submitted, then stop (the app's shutdown)."""


class InProcessJobRunner:
    """One worker thread per lane, started on first use.

    Per lane, not one pool: an optimiser run takes up to its time limit (a minute) on both
    cores, and a 3D analysis of a few seconds queued behind it would keep its user waiting for
    that minute. Within a lane jobs run one at a time, so two optimiser runs never compete for
    the cores. CP-SAT and NumPy release the GIL while they compute, so a running job does not
    stall the web worker's other requests.
    """

    def __init__(self) -> None:
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], None], lane: str) -> None:
        with self._lock:
            pool = self._lanes.get(lane)
            if pool is None:
                pool = ThreadPoolExecutor(1, thread_name_prefix=f"scarplan-job-{lane}")
                self._lanes[lane] = pool
            future = pool.submit(work)
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
            lanes, self._lanes = list(self._lanes.values()), {}
        for pool in lanes:
            pool.shutdown(wait=True)
