"""Reminder e-mails, the patient's choice: on or off in the portal, or off from the signed
link in every reminder (no sign-in needed; mail programs' one-click POST lands here too)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import NotFoundError, PermissionDeniedError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.pages.common import render, see_other
from scarplan.services.clinic.calendar.reminders import (
    UNSUBSCRIBED,
    check_unsubscribe,
    reminder_choice,
    set_reminders,
    unsubscribe,
)
from scarplan.services.clinic.core.access import Role
from scarplan.services.clinic.core.context import Actor

router = APIRouter(include_in_schema=False)
NOTICE = "account/notice.html"


def _own_patient(actor: Actor) -> int:
    if actor.role != Role.PATIENT or actor.patient_id is None:
        raise PermissionDeniedError("reminders are the patient's own choice, made in the portal")
    return actor.patient_id


@router.get("/portal/reminders", response_class=HTMLResponse)
def reminders_page(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    choice = reminder_choice(clinic, actor, _own_patient(actor))
    context = {"choice": choice, "actor": actor, "portal_page": "reminders"}
    return render(request, "account/reminders.html", context)


@router.post("/portal/reminders", response_model=None)
async def save_reminders(request: Request, clinic: ClinicDep, actor: ActorDep) -> RedirectResponse:
    patient_id = _own_patient(actor)
    enabled = text(await request.form(), "reminders") == "on"
    await run_in_threadpool(set_reminders, clinic, actor, patient_id, enabled)
    return see_other("/portal/reminders")


def _bad_link(request: Request, error: NotFoundError) -> HTMLResponse:
    return render(request, NOTICE, {"title": "Link not valid", "message": str(error)}, 404)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, clinic: ClinicDep, token: str) -> HTMLResponse:
    # A link checker opening the page must not turn reminders off: the button does.
    try:
        check_unsubscribe(clinic, token)
    except NotFoundError as error:
        return _bad_link(request, error)
    return render(request, "account/unsubscribe.html", {"token": token})


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_now(request: Request, clinic: ClinicDep, token: str) -> HTMLResponse:
    try:
        await run_in_threadpool(unsubscribe, clinic, token)
    except NotFoundError as error:
        return _bad_link(request, error)
    return render(request, NOTICE, {"title": "Reminders are off", "message": UNSUBSCRIBED})
