"""HTTP hardening: security headers on every response, and no cross-site writes.

Plain ASGI middleware (not Starlette's BaseHTTPMiddleware): it adds no task or stream per
request, which matters at the p99 the clinic pages are held to (bench/web.py).
"""

from __future__ import annotations

import email.message
import json
import logging
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scarplan.domain.errors import FieldProblem
from scarplan.domain.json_text import MAX_JSON_DEPTH, nesting_depth, too_deep
from scarplan.entrypoints.web.errors import machine_error

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_JSON_BODY_BYTES = 256_000_000
"""The largest JSON body (a FHIR bundle carries its photos inline: api/fhir.py)."""
_log = logging.getLogger(__name__)
BASE_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
# Two years, as the HSTS preload list asks (at least one); only sent where cookies are Secure,
# i.e. in production behind TLS: on plain-HTTP demo set-ups it would be ignored or, worse,
# remembered for localhost.
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


class SecurityHeaders:
    """`hsts`: also send Strict-Transport-Security (production, served over TLS)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*BASE_HEADERS, HSTS] if hsts else BASE_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if static or k.lower() != b"cache-control"
                ]
                headers.extend(self.headers)
                if not static:
                    # Patient data must not linger in shared caches or the back-forward cache.
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class SameOriginWrites:
    """Refuse a write whose Origin (or Referer) is another site: the cookie alone is not consent.

    Browsers send Origin with every cross-site POST, so this stops cross-site request forgery;
    clients that send neither header (scripts using the API) are not browsers riding a cookie.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = {k.lower(): v.decode("latin-1") for k, v in scope["headers"]}
            claimed = headers.get(b"origin") or headers.get(b"referer")
            host = headers.get(b"host", "")
            if claimed is not None and (claimed == "null" or urlsplit(claimed).netloc != host):
                body = json.dumps({"title": "cross-site request refused", "status": 403}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [(b"content-type", b"application/problem+json")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name.lower() == b"content-type":
            message = email.message.Message()
            message["content-type"] = value.decode("latin-1")
            subtype = message.get_content_subtype()
            return message.get_content_maintype() == "application" and (
                subtype == "json" or subtype.endswith("+json")
            )
    return False


class JsonBodyLimits:
    """Every JSON request body is measured before anything parses it: nested deeper than
    `MAX_JSON_DEPTH` it is refused with 422 problem details naming `(body)`, so no parser or
    validator downstream can meet a RecursionError (issue 24). JSON typed into a form field
    goes through the same rule (`domain.json_text.load_json`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BODY_BYTES:
                problem = FieldProblem(
                    "(body)", f"is over {MAX_JSON_BODY_BYTES} bytes", "send it in parts"
                )
                await self._refuse(scope, 413, "the request body is too large", problem, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        del chunks
        if nesting_depth(body) > MAX_JSON_DEPTH:
            _log.info(
                "refused a JSON body nested over %s levels: %s", MAX_JSON_DEPTH, scope["path"]
            )
            await self._refuse(
                scope, 422, "the request body is nested too deeply", too_deep("(body)"), send
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(
        self, scope: Scope, status: int, title: str, problem: FieldProblem, send: Send
    ) -> None:
        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        response = machine_error(Request(scope), status, title, [problem])
        await response(scope, nothing, send)
