"""Rendering helpers shared by the pages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from scarplan.domain.errors import ScarplanError
from scarplan.entrypoints.web.deps import csrf_token
from scarplan.entrypoints.web.errors import status_of
from scarplan.services.assessment import NOTICE


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        template,
        {"notice": NOTICE, "csrf_token": csrf_token(request), **context},
        status_code=status,
    )
    return response


def form_errors(error: ScarplanError) -> dict[str, Any]:
    """What a form template needs to show an error: the summary and each field's message."""
    return {
        "error": error,
        "field_errors": {p.path: p.message for p in error.problems},
        "status": status_of(error),
    }


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
