"""The signed-in user's own API tokens: list, create (the secret is shown once), revoke.

Open to every role, portal patients included: the services list and revoke only the caller's
own tokens and never issue one with a role wider than the caller's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from scarplan.domain.errors import ScarplanError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, actor_cache
from scarplan.entrypoints.web.forms import number, text
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic

router = APIRouter(include_in_schema=False)
TEMPLATE = "account/tokens.html"
DEFAULT_DAYS = 90


def _context(clinic: Clinic, actor: Actor, entered: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "actor": actor,
        "tokens": users.list_api_tokens(clinic, actor),
        "roles": users.token_roles(actor),
        "entered": entered or {"name": "", "role": actor.role, "days": str(DEFAULT_DAYS)},
        "max_days": users.MAX_TOKEN_DAYS,
    }


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    return render(request, TEMPLATE, _context(clinic, actor))


def _new_token(form: FormData) -> dict[str, Any]:
    # An empty role means "my own" (the service's default); days stay text when they do not
    # parse, so the validator names the field.
    raw: dict[str, Any] = {"name": text(form, "name")}
    if text(form, "role"):
        raw["role"] = text(form, "role")
    if text(form, "days"):
        raw["days"] = number(text(form, "days"), int)
    return raw


@router.post("/account/tokens", response_model=None)
async def create_token(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    form = await request.form()
    entered = {key: text(form, key) for key in ("name", "role", "days")}
    try:
        issued = await run_in_threadpool(users.issue_api_token, clinic, actor, _new_token(form))
    except ScarplanError as error:
        context = {
            **await run_in_threadpool(_context, clinic, actor, entered),
            **form_errors(error),
        }
        return render(request, TEMPLATE, context, form_errors(error)["status"])
    # Rendered, not redirected: the secret exists only in this response (sent with no-store),
    # so reloading the list never shows it again.
    shown = await run_in_threadpool(_context, clinic, actor)
    return render(request, TEMPLATE, {**shown, "issued": issued}, 201)


@router.post("/account/tokens/{token_id}/revoke", response_model=None)
async def revoke_token(
    request: Request, clinic: ClinicDep, actor: ActorDep, token_id: RecordId
) -> HTMLResponse | RedirectResponse:
    try:
        await run_in_threadpool(users.revoke_api_token, clinic, actor, token_id)
    except ScarplanError as error:
        context = {**await run_in_threadpool(_context, clinic, actor), **form_errors(error)}
        return render(request, TEMPLATE, context, form_errors(error)["status"])
    actor_cache(request).drop(user_id=actor.user_id)  # other workers follow within ACTOR_TTL
    return see_other("/account/tokens")
