"""Identity change requests on pages: the patient asks (a section of their details page),
the front desk and clinicians answer (a short list, and on the patient's page)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import ScarplanError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import identity_change, text
from scarplan.entrypoints.web.home import is_patient
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.accounts import identity_requests as requests
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic

router = APIRouter(include_in_schema=False)
REVIEW = [require(Permission.REVIEW_IDENTITY)]
LIST = "/identity-requests"


@router.post(
    "/patients/{patient_id}/identity-requests",
    dependencies=[require(Permission.WRITE_INTAKE)],
    response_model=None,
)
async def ask(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    entered = identity_change(await request.form())
    try:
        await run_in_threadpool(requests.request_change, clinic, actor, patient_id, entered)
    except ScarplanError as error:
        asked = await run_in_threadpool(requests.patient_requests, clinic, actor, patient_id)
        context = {
            "patient_id": patient_id,
            "identity_requests": asked,
            "change": entered,
            "actor": actor,
            **form_errors(error),
        }
        return render(request, "identity/ask.html", context, status=form_errors(error)["status"])
    if is_patient(actor):
        return see_other("/portal/intake/about#identity")
    return see_other(f"/patients/{patient_id}/edit#identity")


@router.get(LIST, dependencies=REVIEW, response_class=HTMLResponse)
def pending(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    context = {"pending": requests.pending_requests(clinic, actor), "actor": actor}
    return render(request, "identity/pending.html", context)


@router.post(f"{LIST}/{{request_id}}/approve", dependencies=REVIEW, response_model=None)
async def approve(
    request: Request, clinic: ClinicDep, actor: ActorDep, request_id: RecordId
) -> HTMLResponse | RedirectResponse:
    back = text(await request.form(), "back")
    try:
        decided = await run_in_threadpool(requests.approve_request, clinic, actor, request_id)
    except ScarplanError as error:
        return _again(request, clinic, actor, error)
    return see_other(f"/patients/{decided.patient_id}" if back == "patient" else LIST)


@router.post(f"{LIST}/{{request_id}}/decline", dependencies=REVIEW, response_model=None)
async def decline(
    request: Request, clinic: ClinicDep, actor: ActorDep, request_id: RecordId
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    try:
        decided = await run_in_threadpool(
            requests.decline_request, clinic, actor, request_id, text(form, "note")
        )
    except ScarplanError as error:
        return _again(request, clinic, actor, error, request_id)
    return see_other(f"/patients/{decided.patient_id}" if text(form, "back") == "patient" else LIST)


def _again(
    request: Request,
    clinic: Clinic,
    actor: Actor,
    error: ScarplanError,
    request_id: int | None = None,
) -> HTMLResponse:
    """The list again with the problem beside the request it concerns (a missing note, or
    a request a colleague answered first)."""
    context = {
        "pending": requests.pending_requests(clinic, actor),
        "actor": actor,
        "failed": request_id,
        **form_errors(error),
    }
    return render(request, "identity/pending.html", context, status=form_errors(error)["status"])
