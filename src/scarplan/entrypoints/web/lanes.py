"""Where a request's blocking work runs: the pages' lane, or the slow lane.

Every `def` route and dependency runs in anyio's default thread pool, which the app narrows to
PAGE_THREADS (one). Page work is Python holding the GIL, so a second page thread in the same
process does not add speed; it adds waits for the GIL at every database round trip. Under 20
clients on two cores one thread served the plan page about 15 % faster than four, with p99
about 80 ms instead of 120 (bench/web.py; docs/web.md, "Threads").

Work that waits long without needing the GIL, or that takes far longer than a page, goes to the
slow lane instead, so that the pages behind it do not queue: password hashing (Argon2 holds a
thread for tens of milliseconds), proposing or changing a plan, photos, FHIR imports and patient
archives. Call `run_slow(function, *arguments)` from an `async def` route for those.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread

PAGE_THREADS = 1
SLOW_THREADS = 4

_SLOW_LANE = CapacityLimiter(SLOW_THREADS)

P = ParamSpec("P")
T = TypeVar("T")


def narrow_page_lane() -> None:
    """Give the pages' lane (anyio's default limiter) its one thread: call in the lifespan."""
    to_thread.current_default_thread_limiter().total_tokens = PAGE_THREADS


async def run_slow(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)` on a slow-lane thread, awaited."""
    return await to_thread.run_sync(partial(function, *args, **kwargs), limiter=_SLOW_LANE)
