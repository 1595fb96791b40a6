"""Admin pages: user accounts and the audit trail (read-only, filtered)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, actor_cache, require
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.ids import MAX_ID
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.mail_outbox import outbox_status
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.audit import AuditQuery, search_audit
from scarplan.services.clinic.core.context import Actor, Clinic

router = APIRouter(include_in_schema=False)
PAGE = 100


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    user: str = "",
    patient_id: int | None = Query(None, ge=1, le=MAX_ID),
    action: str = "",
    since: date | None = None,
    until: date | None = None,
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> HTMLResponse:
    query = AuditQuery(user or None, patient_id, action or None, since, until, offset, PAGE)
    page = search_audit(clinic, actor, query)
    return render(request, "admin/audit.html", {"actor": actor, "page": page, "query": query})


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    return render(request, "admin/users.html", _context(clinic, actor))


def _context(clinic: Clinic, actor: Actor) -> dict[str, object]:
    return {
        "actor": actor,
        "users": users.list_users(clinic, actor),
        "roles": users.account_roles(actor),
        "mail": outbox_status(clinic, actor),
    }


@router.post("/admin/users", dependencies=[require(Permission.MANAGE_USERS)], response_model=None)
async def add_user(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    linked = text(form, "patient_id").strip()
    try:
        if linked and not linked.isdigit():
            raise InputError(
                "the user is invalid",
                [FieldProblem("patient_id", "is not a number", "give the patient's id")],
            )
        # Argon2 hashing: in the slow lane, never on the event loop.
        await run_slow(
            users.create_user,
            clinic,
            text(form, "username"),
            text(form, "full_name"),
            text(form, "password"),
            text(form, "role"),
            patient_id=int(linked) if linked else None,
            actor=actor,
        )
    except InputError as error:
        context = {**await run_in_threadpool(_context, clinic, actor), **form_errors(error)}
        return render(request, "admin/users.html", context, status=422)
    return see_other("/admin/users")


@router.post(
    "/admin/users/{username}/{state}",
    dependencies=[require(Permission.MANAGE_USERS)],
    response_model=None,
)
def set_state(
    request: Request, clinic: ClinicDep, actor: ActorDep, username: str, state: str
) -> HTMLResponse | RedirectResponse:
    if state not in ("enable", "disable"):
        raise NotFoundError("no such action")
    try:
        changed = users.set_active(clinic, username, state == "enable", actor)
    except InputError as error:
        context = {**_context(clinic, actor), **form_errors(error)}
        return render(request, "admin/users.html", context, status=422)
    actor_cache(request).drop(user_id=changed.id)
    return see_other("/admin/users")
