"""HTTP hardening: security headers on every response, and no cross-site writes.

Plain ASGI middleware (not Starlette's BaseHTTPMiddleware): it adds no task or stream per
request, which matters at the p99 the clinic pages are held to (bench/web.py).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
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
