"""One log line and one latency observation per request, and a request id on every log line.

The request id comes from the client's X-Request-ID when it is a plain token (a proxy or a
load balancer sets one), else a new one; the response sends it back. The route is the path
template ("/patients/{patient_id}"), never the path: paths and query strings can hold a
patient's name. The actor is the signed-in account's id and role, bound by deps.get_actor.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scarplan.entrypoints.web.metrics import AppMetrics

_log = logging.getLogger("scarplan.request")
REQUEST_ID_HEADER = b"x-request-id"
_PLAIN_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")
UNMATCHED = "(no route)"


def request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER and _PLAIN_ID.match(value):
            return str(value, "ascii")
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else UNMATCHED


def bind_actor(user_id: int | None, role: str) -> None:
    """Called once the request's account is known: the lines after it name the actor."""
    structlog.contextvars.bind_contextvars(actor=actor_label(user_id, role))


class RequestObservation:
    def __init__(self, app: ASGIApp, metrics: AppMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid, method=scope["method"])
        status = 500
        took = 0.0

        async def observed(message: Message) -> None:
            nonlocal status, took
            if message["type"] == "http.response.start":
                status = message["status"]
                took = time.perf_counter() - started
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (REQUEST_ID_HEADER, rid.encode())],
                }
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            route = route_template(scope)
            if not took:
                took = time.perf_counter() - started
            self.metrics.requests.labels(scope["method"], route, f"{status // 100}xx").observe(took)
            actor = _actor(scope)
            _log.info(
                "%s %s %d in %.1f ms",
                scope["method"],
                route,
                status,
                took * 1000,
                extra={"route": route, "status": status, "ms": round(took * 1000, 1)}
                | ({"actor": actor} if actor else {}),
            )
            structlog.contextvars.clear_contextvars()


def actor_label(user_id: int | None, role: str) -> str:
    """An account as logs name it: role and user id, never a name."""
    return f"{role}:{user_id}" if user_id else role


def _actor(scope: Scope) -> str | None:
    # deps.get_actor keeps the request's actor in request.state, which lives in the scope.
    actor = scope.get("state", {}).get("actor")
    return None if actor is None else actor_label(actor.user_id, actor.role)
