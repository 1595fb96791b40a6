"""Domain errors to HTTP, once: JSON problem details for the API, an error page for people."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
from scarplan.domain.json_text import load_json
from scarplan.domain.validation import field_problems
from scarplan.entrypoints.web.home import home_of, is_patient
from scarplan.entrypoints.web.session_keys import CSRF_KEY
from scarplan.entrypoints.web.templating import page_response
from scarplan.services.clinic.core.context import Actor

_log = logging.getLogger(__name__)


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
    # API and FHIR clients get machine-readable errors, never the sign-in page.
    return request.url.path.startswith(("/api/", "/fhir/"))


FHIR_JSON = "application/fhir+json"
ISSUE_TYPES = {401: "login", 403: "forbidden", 404: "not-found", 409: "conflict", 422: "invalid"}
"""FHIR IssueType codes (hl7.org/fhir/R4/valueset-issue-type.html) for our statuses."""


def wants_fhir(request: Request) -> bool:
    """The FHIR base always answers in FHIR; the FHIR import under the REST API does when the
    client asks for it (Accept), and answers problem details like the rest of the API if not."""
    if request.url.path.startswith("/fhir/"):
        return True
    return request.url.path.startswith("/api/v1/fhir/") and FHIR_JSON in request.headers.get(
        "accept", ""
    )


def operation_outcome(status: int, title: str, problems: list[FieldProblem]) -> Response:
    """A FHIR OperationOutcome: one issue per problem, its path as a FHIRPath expression on the
    bundle (`Bundle.entry[3].resource.code`), or one issue with the title alone."""
    code = ISSUE_TYPES.get(status, "throttled" if status == 429 else "exception")
    issues = [
        {
            "severity": "error",
            "code": code,
            "diagnostics": f"{title}: {p.message}" + (f" ({p.hint})" if p.hint else ""),
            **({"expression": [f"Bundle.{p.path}"]} if p.path.startswith("entry[") else {}),
        }
        for p in problems
    ] or [{"severity": "error", "code": code, "diagnostics": title}]
    body = {"resourceType": "OperationOutcome", "issue": issues}
    return Response(orjson.dumps(body), status_code=status, media_type=FHIR_JSON)


def machine_error(
    request: Request, status: int, title: str, problems: list[FieldProblem], **extra: Any
) -> Response:
    if wants_fhir(request):
        return operation_outcome(status, title, problems)
    return problem(status, title, problems, **extra)


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


REFUSED_FOR_PATIENT = {
    403: "This page is for the clinic team",
    404: "This page does not exist, or it is not one of yours",
}
"""What a portal patient reads instead of the refusal's wording (a role, a permission id, a
field path and a record number are for the clinic, not for them)."""


def _page(request: Request, status: int, title: str, problems: list[FieldProblem]) -> Response:
    actor: Actor | None = getattr(request.state, "actor", None)
    if is_patient(actor) and status in REFUSED_FOR_PATIENT:
        title, problems = REFUSED_FOR_PATIENT[status], []
    return page_response(
        request,
        "error.html",
        {
            "title": title,
            "problems": problems,
            "status": status,
            "actor": actor,
            "home": home_of(actor) if actor is not None else "/login",
            "patient_view": is_patient(actor),
            "csrf_token": request.session.get(CSRF_KEY, "") if "session" in request.scope else "",
        },
        status,
    )


def request_problems(error: RequestValidationError) -> list[FieldProblem]:
    """A request that does not fit its model, field by field; a body that is not JSON is read
    again by the one JSON reader, which names its line and column (FastAPI gives only an
    offset, as the path `[17]`)."""
    invalid_json = any(item.get("type") == "json_invalid" for item in error.errors())
    if invalid_json and isinstance(error.body, str | bytes):
        try:
            load_json(error.body, path="(body)", what="request body")
        except InputError as refused:
            return list(refused.problems)
    return field_problems(error)


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
            return machine_error(request, status, error.message, problems, **extra)
        return _page(request, status, error.message, problems)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = request_problems(error)
        if wants_json(request):
            return machine_error(request, 422, "the request is invalid", problems)
        return _page(request, 422, "the request is invalid", problems)

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, _error: LoginRequiredError) -> Response:
        if wants_json(request):
            missing = [FieldProblem("", "no valid session", "")]
            return machine_error(request, 401, "sign in first", missing)
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if wants_json(request):
            return machine_error(request, error.status_code, str(error.detail), [])
        return _page(request, error.status_code, str(error.detail), [])


SERVER_ERROR = "something went wrong on our side"


class UnhandledErrors:
    """An exception no handler took still gets an answer through the normal path: logged with
    its traceback, then a 500 as problem details (API) or the error page (people), inside the
    security-headers middleware. Starlette's own last resort (ServerErrorMiddleware) sits
    outside every middleware and answered plain text without the headers (issue 24)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            _log.exception("unhandled error answering %s %s", scope["method"], scope["path"])
            if started:
                raise  # part of an answer is out; the server closes the connection
            request = Request(scope, receive)
            if wants_json(request):
                response = machine_error(request, 500, SERVER_ERROR, [], retryable=False)
            else:
                response = _page(request, 500, SERVER_ERROR, [])
            await response(scope, receive, send)
