"""Request dependencies: the clinic services, the signed-in actor, and CSRF checks.

A browser is signed in by a random session token kept inside the signed cookie; API clients may
instead send `Authorization: Bearer <token>`. Both are looked up in the database (revoked,
expired and disabled ones fail) and the answer is cached for a few seconds per process, so most
requests need no database round trip before their own work. Logging out or disabling a user in
this process drops the cache entry at once; other worker processes notice within ACTOR_TTL.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any

from cachetools import TTLCache
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from scarplan.bootstrap import Container
from scarplan.domain.errors import PermissionDeniedError
from scarplan.entrypoints.web.client_address import client_address
from scarplan.entrypoints.web.errors import LoginRequiredError
from scarplan.entrypoints.web.observability import bind_actor
from scarplan.entrypoints.web.session_keys import CSRF_KEY, SESSION_KEY
from scarplan.services.clinic.accounts.users import session_actor, token_actor
from scarplan.services.clinic.core.access import Permission, can
from scarplan.services.clinic.core.context import Actor, Clinic

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
ACTOR_TTL = 2.0
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CredentialKind(StrEnum):
    """What a token was presented as: each is looked up in its own table, and cached apart."""

    SESSION = "session"
    BEARER = "bearer"


class ActorCache:
    """(kind, token) -> actor, for ACTOR_TTL seconds; thread-safe, bounded (cachetools).

    Keyed by the kind as well as the token: a session id is never a bearer token, so a session
    just checked for a cookie must not answer for `Authorization: Bearer <session id>`. Each
    process keeps its own: a sign-out or a disabled account reaches another process's cache
    within the TTL, the bound on how long a revoked credential can still be honoured there.
    """

    def __init__(self, ttl: float = ACTOR_TTL, size: int = 10_000) -> None:
        self._entries: TTLCache[tuple[CredentialKind, str], Actor] = TTLCache(size, ttl)
        self._lock = threading.Lock()

    def get(self, kind: CredentialKind, token: str) -> Actor | None:
        with self._lock:
            return self._entries.get((kind, token))

    def put(self, kind: CredentialKind, token: str, actor: Actor) -> None:
        with self._lock:
            self._entries[(kind, token)] = actor

    def drop(self, session: str | None = None, user_id: int | None = None) -> None:
        """Forget a session id (signed out), or everything cached for a user."""
        with self._lock:
            if session is not None:
                self._entries.pop((CredentialKind.SESSION, session), None)
            if user_id is not None:
                for key in [k for k, a in self._entries.items() if a.user_id == user_id]:
                    self._entries.pop(key, None)


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _clinic(request: Request) -> Clinic:
    return _container(request).clinic


# Async because it does no I/O: a plain `def` dependency would cost a thread hop per request.
async def get_clinic(request: Request) -> Clinic:
    return _clinic(request)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def actor_cache(request: Request) -> ActorCache:
    cache: ActorCache = request.app.state.actor_cache
    return cache


async def get_actor(request: Request) -> Actor:
    """The signed-in actor, stamped with where the request came from and its route."""
    bearer = bearer_token(request)
    token = bearer if bearer is not None else request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        raise LoginRequiredError
    kind = CredentialKind.SESSION if bearer is None else CredentialKind.BEARER
    cache = actor_cache(request)
    actor = cache.get(kind, token)
    if actor is None:
        lookup = session_actor if kind is CredentialKind.SESSION else token_actor
        actor = await run_in_threadpool(lookup, _clinic(request), token)
        if actor is None:
            if kind is CredentialKind.SESSION:
                request.session.clear()
            raise LoginRequiredError
        cache.put(kind, token, actor)
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    stamped = replace(actor, address=client_address(request), route=f"{request.method} {template}")
    # For the error page, which offers the way back to this actor's own start page.
    request.state.actor = stamped
    bind_actor(stamped.user_id, stamped.role)
    return stamped


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; forms and HTMX send it back."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


async def check_csrf(request: Request) -> None:
    """Every state-changing request riding the session cookie must carry the session's token,
    as the X-CSRF-Token header (HTMX, scripts) or a `csrf_token` form field (plain forms).
    Bearer-token API calls carry no ambient credential and need none."""
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return
    expected = request.session.get(CSRF_KEY)
    if not request.session:
        return  # no cookie, so nothing to ride on; the route's own sign-in check decides
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not isinstance(expected, str) or sent is None or not hmac.compare_digest(sent, expected):
        raise PermissionDeniedError(
            "the form is out of date or came from another site (CSRF check failed): "
            "reload the page and try again"
        )


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


ClinicDep = Annotated[Clinic, Depends(get_clinic)]
ActorDep = Annotated[Actor, Depends(get_actor)]


def require(permission: Permission) -> Any:
    """A route dependency that refuses roles without `permission` before anything else runs
    (before a request body is even validated). The services check again, with the record's
    patient: this is the coarse gate, not the only one."""

    async def check(actor: ActorDep) -> None:
        if not can(actor, permission):
            raise PermissionDeniedError(
                f"the {actor.role} role may not do this ({permission.value})"
            )

    return Depends(check)
