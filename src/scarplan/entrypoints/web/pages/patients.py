"""Patient list with search, intake, overview, edit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import InputError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import patient_intake
from scarplan.entrypoints.web.home import PORTAL, is_patient
from scarplan.entrypoints.web.ids import MAX_ID, RecordId
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.entrypoints.web.pages.follow_up import book_url
from scarplan.services.clinic.accounts.identity_requests import patient_requests
from scarplan.services.clinic.core.access import Permission, Role
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.patient_page import patient_page
from scarplan.services.clinic.records.patients import (
    create_patient,
    get_patient,
    search_patients,
    update_patient,
)

router = APIRouter(include_in_schema=False)
PAGE = 50


@router.get("/patients", response_class=HTMLResponse)
def patient_list(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    q: str = "",
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> HTMLResponse:
    page = search_patients(clinic, actor, q, offset=max(offset, 0), limit=PAGE)
    template = "patients/rows.html" if request.headers.get("hx-request") else "patients/list.html"
    return render(request, template, {"page": page, "q": q, "actor": actor})


def _intake_context(clinic: Clinic, intake: dict[str, Any]) -> dict[str, Any]:
    return {
        "intake": intake,
        "questionnaire": clinic.knowledge.scales.fitzpatrick_questionnaire,
        "agents": sorted(clinic.knowledge.agents),
    }


@router.get(
    "/patients/new", dependencies=[require(Permission.CREATE_PATIENT)], response_class=HTMLResponse
)
def new_patient(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    blank = {"full_name": "", "patient": {"id": ""}, "preferences": {"avoid": []}}
    return render(
        request, "patients/intake.html", {**_intake_context(clinic, blank), "actor": actor}
    )


@router.post("/patients", dependencies=[require(Permission.CREATE_PATIENT)], response_model=None)
async def add_patient(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    entered = patient_intake(await request.form())
    try:
        patient = await run_in_threadpool(create_patient, clinic, actor, entered)
    except InputError as error:
        shown = await run_in_threadpool(_intake_context, clinic, entered)
        context = {**shown, **form_errors(error), "actor": actor}
        return render(request, "patients/intake.html", context, status=422)
    return see_other(f"/patients/{patient.id}")


@router.get("/patients/{patient_id}", response_class=HTMLResponse, response_model=None)
def overview(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    if is_patient(actor) and patient_id == actor.patient_id:
        return see_other(PORTAL)  # their own page, made for them (another's: 404 below)
    page = patient_page(clinic, actor, patient_id)
    context = {
        "o": page.overview,
        "today": clinic.today(),
        "actor": actor,
        "identity_pending": page.identity_pending,
    }
    if page.due_visits is not None:
        context["due_visits"] = [(v, book_url(patient_id, v)) for v in page.due_visits]
    return render(request, "patients/overview.html", context)


@router.get(
    "/patients/{patient_id}/edit",
    dependencies=[require(Permission.WRITE_INTAKE)],
    response_class=HTMLResponse,
    response_model=None,
)
def edit_patient(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    if is_patient(actor) and patient_id == actor.patient_id:
        return see_other(f"{PORTAL}/intake")  # the intake at home, in steps made for them
    patient = get_patient(clinic, actor, patient_id)
    context = {
        **_intake_context(clinic, patient.intake),
        **_identity_context(clinic, actor, patient_id),
        "patient": patient,
        "actor": actor,
    }
    return render(request, "patients/intake.html", context)


def _identity_context(clinic: Clinic, actor: Actor, patient_id: int) -> dict[str, Any]:
    """The patient's own correction requests, for the section under their details."""
    if actor.role != Role.PATIENT:
        return {}
    return {"identity_requests": patient_requests(clinic, actor, patient_id)}


@router.post(
    "/patients/{patient_id}", dependencies=[require(Permission.WRITE_INTAKE)], response_model=None
)
async def save_patient(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    entered = patient_intake(await request.form())
    try:
        await run_in_threadpool(update_patient, clinic, actor, patient_id, entered)
    except InputError as error:
        patient = await run_in_threadpool(get_patient, clinic, actor, patient_id)
        context = {
            **await run_in_threadpool(_intake_context, clinic, entered),
            **await run_in_threadpool(_identity_context, clinic, actor, patient_id),
            **form_errors(error),
            "patient": patient,
            "actor": actor,
        }
        return render(request, "patients/intake.html", context, status=422)
    return see_other(f"/patients/{patient_id}")
