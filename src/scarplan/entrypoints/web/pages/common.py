"""Rendering helpers shared by the pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from scarplan.adapters.presentation.words import NOWHERE, Where, said_at_field
from scarplan.domain.errors import ScarplanError
from scarplan.entrypoints.web.deps import csrf_token
from scarplan.entrypoints.web.errors import status_of
from scarplan.entrypoints.web.templating import page_response
from scarplan.services.assessment import NOTICE


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    return page_response(
        request,
        template,
        {"notice": NOTICE, "csrf_token": csrf_token(request), **context, "where": _where(context)},
        status,
    )


def _where(context: dict[str, Any]) -> Where:
    """What the page's problems are about: the patient on the page names "Ana Silva's session"."""
    where = context.get("where")
    where = where if isinstance(where, Where) else NOWHERE
    name = getattr(context.get("patient"), "full_name", None)
    if not where.subject and isinstance(name, str) and name:
        return replace(where, subject=name)
    return where


def form_errors(error: ScarplanError, where: Where = NOWHERE) -> dict[str, Any]:
    """What a form template needs to show an error: the summary and each field's message, in
    words (`where`: whose record and which scar groups the paths point into)."""
    return {
        "error": error,
        "field_errors": {p.path: said_at_field(p, where) for p in error.problems},
        "status": status_of(error),
        "where": where,
    }


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
