"""Portal invitations: the clinic sends one from the patient's page; the patient opens the
e-mailed link (no sign-in), chooses a password and lands on their portal home, signed in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import InputError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.home import home_of
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.entrypoints.web.signin import start_session
from scarplan.services.clinic.accounts.invitations import (
    InvitationExpiredError,
    accept_invitation,
    invitation_username,
    invite_patient,
)
from scarplan.services.clinic.core.access import Permission

router = APIRouter(include_in_schema=False)
WELCOME = "account/welcome.html"


@router.post(
    "/patients/{patient_id}/invite",
    dependencies=[require(Permission.INVITE_PATIENT)],
    response_class=HTMLResponse,
)
async def invite(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse:
    sent = await run_in_threadpool(invite_patient, clinic, actor, patient_id)
    return render(
        request, "patients/invited.html", {"sent": sent, "patient_id": patient_id, "actor": actor}
    )


def _expired(request: Request, error: InvitationExpiredError) -> HTMLResponse:
    # The same page for an unknown, used, replaced or expired link: nothing tells whether an
    # account exists.
    return render(
        request,
        "account/notice.html",
        {"title": "Link no longer valid", "message": str(error)},
        410,
    )


@router.get("/welcome/{token}", response_class=HTMLResponse)
def welcome(request: Request, clinic: ClinicDep, token: str) -> HTMLResponse:
    try:
        username = invitation_username(clinic, token)
    except InvitationExpiredError as error:
        return _expired(request, error)
    return render(request, WELCOME, {"token": token, "username": username})


@router.post("/welcome/{token}", response_model=None)
async def set_password(
    request: Request, clinic: ClinicDep, token: str
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    entered = {"password": text(form, "password"), "password_repeat": text(form, "password_repeat")}
    address = request.client.host if request.client is not None else ""
    try:
        actor, session_token = await run_slow(accept_invitation, clinic, token, entered, address)
    except InvitationExpiredError as error:
        return _expired(request, error)
    except InputError as error:
        username = await run_in_threadpool(invitation_username, clinic, token)
        context = {"token": token, "username": username, **form_errors(error)}
        return render(request, WELCOME, context, 422)
    start_session(request, session_token)
    return see_other(home_of(actor))
