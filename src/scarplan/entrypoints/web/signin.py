"""Signing in and out of the browser session, shared by the login page and the API.

Failed sign-ins are throttled by client address (services/clinic/accounts/sign_in_throttle.py,
counted in the database so every process sees them; see client_address.py for how the address is
found behind a proxy), besides the per-account lock in the database (users.sign_in).
"""

from __future__ import annotations

import secrets

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import AuthenticationError, RateLimitedError
from scarplan.entrypoints.web.client_address import client_address
from scarplan.entrypoints.web.deps import actor_cache
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.entrypoints.web.metrics import AppMetrics
from scarplan.entrypoints.web.session_keys import CSRF_KEY, SESSION_KEY
from scarplan.services.clinic.accounts.sign_in_throttle import SignInThrottle
from scarplan.services.clinic.accounts.users import sign_in, sign_out
from scarplan.services.clinic.core.context import Actor, Clinic


async def open_session(request: Request, clinic: Clinic, username: str, password: str) -> Actor:
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    address = client_address(request)
    metrics: AppMetrics = request.app.state.metrics
    try:
        await run_in_threadpool(throttle.check, address, username)
    except RateLimitedError:
        metrics.sign_in_failures.inc()
        raise
    try:
        actor, token = await run_slow(sign_in, clinic, username, password, address)
    except AuthenticationError:
        await run_in_threadpool(throttle.failed, address, username)
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
