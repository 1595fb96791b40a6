"""Signing in and out of the browser session, shared by the login page and the API.

Besides the per-account lock in the database (users.sign_in), each process throttles failed
sign-ins by client address (see client_address.py for how it is found behind a proxy):

- per address and user name as typed: NAME_FAILURES in the window, so one address cannot keep
  guessing one name (the database lock covers real accounts; this covers every name alike);
- per address, whatever the names: ADDRESS_FAILURES, a ceiling on spraying guesses over many
  names, set well above what a handful of mistyped names produces.

Names are counted the same whether an account exists or not, so the throttle's answers reveal
nothing about which accounts exist, and a flood of made-up names reaches only the address
ceiling, not a colleague's own name. IPv6 clients are counted per /64, the block one subscriber
usually holds.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from ipaddress import IPv6Address, ip_address, ip_network

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import AuthenticationError, RateLimitedError
from scarplan.entrypoints.web.client_address import client_address
from scarplan.entrypoints.web.deps import actor_cache
from scarplan.entrypoints.web.metrics import AppMetrics
from scarplan.entrypoints.web.session_keys import CSRF_KEY, SESSION_KEY
from scarplan.services.clinic.context import Actor, Clinic
from scarplan.services.clinic.users import normalized_username, sign_in, sign_out

NAME_FAILURES = 10
ADDRESS_FAILURES = 50
WINDOW_SECONDS = 15 * 60
MAX_KEYS = 100_000
SWEEP_SECONDS = 60.0
_NAME_CHARS = 100  # longer than any valid user name; a megabyte of name is not kept whole


def address_key(address: str) -> str:
    """What the throttle counts an address as: itself, or its /64 for IPv6."""
    try:
        parsed = ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, IPv6Address):
        return str(ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class SignInThrottle:
    """Failed sign-ins in a sliding window, per (address, name) and per address.

    Entries whose failures have all left the window are dropped, so the table holds at most
    the keys that failed within one window (and never more than `max_keys`).
    """

    def __init__(
        self,
        name_limit: int = NAME_FAILURES,
        address_limit: int = ADDRESS_FAILURES,
        window: float = WINDOW_SECONDS,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._name_limit = name_limit
        self._address_limit = address_limit
        self._window = window
        self._max_keys = max_keys
        self._failures: dict[tuple[str, str | None], deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def __len__(self) -> int:
        return len(self._failures)

    @staticmethod
    def _keys(address: str, username: str) -> tuple[tuple[str, None], tuple[str, str]]:
        where = address_key(address)
        return (where, None), (where, normalized_username(username)[:_NAME_CHARS])

    def _count(self, key: tuple[str, str | None], now: float) -> int:
        failures = self._failures.get(key)
        if failures is None:
            return 0
        while failures and now - failures[0] > self._window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0
        return len(failures)

    def _sweep(self, now: float) -> None:
        if now - self._swept < SWEEP_SECONDS and len(self._failures) < self._max_keys:
            return
        self._swept = now
        for key in list(self._failures):
            self._count(key, now)
        # Still full within one window: forget the quietest keys rather than grow without bound
        # (down to 90 %, so a flood does not pay for a full sweep on every attempt).
        excess = len(self._failures) - self._max_keys * 9 // 10
        for key in list(self._failures)[: max(0, excess)]:
            del self._failures[key]

    def check(self, address: str, username: str) -> None:
        whole, named = self._keys(address, username)
        with self._lock:
            now = self._clock()
            self._sweep(now)
            if (
                self._count(whole, now) >= self._address_limit
                or self._count(named, now) >= self._name_limit
            ):
                raise RateLimitedError(
                    "too many failed sign-ins from this address: wait a few minutes"
                )

    def failed(self, address: str, username: str) -> None:
        with self._lock:
            now = self._clock()
            self._sweep(now)
            for key in self._keys(address, username):
                # Moved to the end: the table is kept in order of last failure, so a full one
                # forgets the quietest keys, never a flooding address's own count.
                failures = self._failures.pop(key, None) or deque()
                failures.append(now)
                self._failures[key] = failures


async def open_session(request: Request, clinic: Clinic, username: str, password: str) -> Actor:
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    address = client_address(request)
    metrics: AppMetrics = request.app.state.metrics
    try:
        throttle.check(address, username)
    except RateLimitedError:
        metrics.sign_in_failures.inc()
        raise
    try:
        actor, token = await run_in_threadpool(sign_in, clinic, username, password, address)
    except AuthenticationError:
        throttle.failed(address, username)
        metrics.sign_in_failures.inc()
        raise
    start_session(request, token)
    return actor


def start_session(request: Request, token: str) -> None:
    """Put a session token made by the service into the cookie (sign-in, invitation links)."""
    # A fresh session (and CSRF token) at sign-in: nothing set before it carries over.
    request.session.clear()
    request.session[SESSION_KEY] = token
    request.session[CSRF_KEY] = secrets.token_urlsafe(32)


async def close_session(request: Request, clinic: Clinic) -> None:
    token = request.session.get(SESSION_KEY)
    if isinstance(token, str):
        await run_in_threadpool(sign_out, clinic, token)
        actor_cache(request).drop(session=token)
    request.session.clear()
