"""HTTP hardening: security headers on every response, and no cross-site writes."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            # Patient data must not linger in shared caches or the browser's back-forward cache.
            response.headers["Cache-Control"] = "no-store"
        return response


class SameOriginWrites(BaseHTTPMiddleware):
    """Refuse a write whose Origin (or Referer) is another site: the cookie alone is not consent.

    Browsers send Origin with every cross-site POST, so this stops cross-site request forgery;
    clients that send neither header (scripts using the API) are not browsers riding a cookie.
    """

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method in UNSAFE_METHODS:
            claimed = request.headers.get("origin") or request.headers.get("referer")
            if claimed and claimed != "null":
                if urlsplit(claimed).netloc != request.headers.get("host", ""):
                    return JSONResponse(
                        {"title": "cross-site request refused", "status": 403}, status_code=403
                    )
            elif claimed == "null":
                return JSONResponse(
                    {"title": "cross-site request refused", "status": 403}, status_code=403
                )
        return await call_next(request)
