"""Signing in and out of the browser session, shared by the login page and the API.

Besides the per-account lock in the database (users.sign_in), each process throttles sign-in
attempts per client address, so one address cannot try password after password across many
accounts.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import AuthenticationError, RateLimitedError
from scarplan.entrypoints.web.deps import actor_cache
from scarplan.entrypoints.web.session_keys import CSRF_KEY, SESSION_KEY
from scarplan.services.clinic.context import Actor, Clinic
from scarplan.services.clinic.users import sign_in, sign_out

ADDRESS_FAILURES = 20
ADDRESS_WINDOW_SECONDS = 15 * 60


class AddressThrottle:
    """Failed sign-ins per client address in a sliding window."""

    def __init__(
        self, limit: int = ADDRESS_FAILURES, window: float = ADDRESS_WINDOW_SECONDS
    ) -> None:
        self._limit = limit
        self._window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(address, deque())
        while failures and now - failures[0] > self._window:
            failures.popleft()
        return failures

    def check(self, address: str) -> None:
        with self._lock:
            if len(self._recent(address, time.monotonic())) >= self._limit:
                raise RateLimitedError(
                    "too many failed sign-ins from this address: wait a few minutes"
                )

    def failed(self, address: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(address, now).append(now)


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


async def open_session(request: Request, clinic: Clinic, username: str, password: str) -> Actor:
    throttle: AddressThrottle = request.app.state.sign_in_throttle
    address = _address(request)
    throttle.check(address)
    try:
        actor, token = await run_in_threadpool(sign_in, clinic, username, password, address)
    except AuthenticationError:
        throttle.failed(address)
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
        actor_cache(request).drop(token)
    request.session.clear()
