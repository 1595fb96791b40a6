"""Domain errors to HTTP, once: JSON problem details for the API, an error page for people."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from scarplan.domain.errors import (
    AuthenticationError,
    FieldProblem,
    InfeasibleError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ScarplanError,
    StateError,
)


class LoginRequiredError(Exception):
    """No valid login cookie: people go to the login page, API clients get 401."""


STATUS = (
    (InputError, 422),
    (NotFoundError, 404),
    (InfeasibleError, 409),
    (StateError, 409),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (RateLimitedError, 429),
)


def status_of(error: ScarplanError) -> int:
    return next((code for kind, code in STATUS if isinstance(error, kind)), 500)


def wants_json(request: Request) -> bool:
    # FHIR clients get problem details too, never the sign-in page.
    return request.url.path.startswith(("/api/", "/fhir/"))


def problem(status: int, title: str, problems: list[FieldProblem], **extra: Any) -> JSONResponse:
    """RFC 9457 problem details, with the field problems that say what to fix."""
    return JSONResponse(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "problems": [{"path": p.path, "message": p.message, "hint": p.hint} for p in problems],
            **extra,
        },
        status_code=status,
        media_type="application/problem+json",
    )


def _page(request: Request, status: int, title: str, problems: list[FieldProblem]) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "error.html",
        {
            "title": title,
            "problems": problems,
            "status": status,
            "csrf_token": request.session.get("csrf", "") if "session" in request.scope else "",
        },
        status_code=status,
    )


def _request_problems(error: RequestValidationError) -> list[FieldProblem]:
    problems = []
    for item in error.errors():
        location = [str(part) for part in item["loc"] if part not in ("body", "query", "path")]
        path = ".".join(location).replace(".[", "[")
        problems.append(FieldProblem(path, item["msg"].removeprefix("Value error, "), ""))
    return problems


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ScarplanError)
    async def domain_error(request: Request, error: ScarplanError) -> Response:
        status = status_of(error)
        problems = list(error.problems)
        if wants_json(request):
            extra: dict[str, Any] = {"retryable": error.retryable}
            if isinstance(error, InfeasibleError):
                extra["conflicts"] = [
                    {"constraint": c.constraint, "detail": c.detail, "relax": c.relax}
                    for c in error.conflicts
                ]
            return problem(status, error.message, problems, **extra)
        return _page(request, status, error.message, problems)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = _request_problems(error)
        if wants_json(request):
            return problem(422, "the request is invalid", problems)
        return _page(request, 422, "the request is invalid", problems)

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, _error: LoginRequiredError) -> Response:
        if wants_json(request):
            return problem(401, "sign in first", [FieldProblem("", "no valid session", "")])
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if wants_json(request):
            return problem(error.status_code, str(error.detail), [])
        return _page(request, error.status_code, str(error.detail), [])
