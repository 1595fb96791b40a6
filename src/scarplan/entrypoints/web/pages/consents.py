"""Procedure consent pages: the patient's consents, the form to read and sign on a tablet or in
the portal, and the clinician's countersignature and withdrawal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import InputError, StateError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import render, see_other
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import consents
from scarplan.services.clinic.records.patients import get_patient

router = APIRouter(include_in_schema=False)


@router.get(
    "/patients/{patient_id}/consents",
    dependencies=[require(Permission.SIGN_CONSENT)],
    response_class=HTMLResponse,
)
def consent_list(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse:
    overview = consents.consent_overview(clinic, actor, patient_id)
    patient = get_patient(clinic, actor, patient_id)
    context = {"overview": overview, "actor": actor, "patient": patient}
    return render(request, "consents/list.html", context)


def _sign_page(
    request: Request,
    clinic: Clinic,
    actor: Actor,
    patient_id: int,
    modality: str,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    page = consents.consent_page(clinic, actor, patient_id, modality)
    patient = get_patient(clinic, actor, patient_id)
    context = {"page": page, "actor": actor, "patient": patient, "entered": {}, **(extra or {})}
    return render(request, "consents/sign.html", context, status=status)


@router.get(
    "/patients/{patient_id}/consents/{modality}",
    dependencies=[require(Permission.SIGN_CONSENT)],
    response_class=HTMLResponse,
)
def consent_form(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId, modality: str
) -> HTMLResponse:
    return _sign_page(request, clinic, actor, patient_id, modality)


@router.post(
    "/patients/{patient_id}/consents/{modality}",
    dependencies=[require(Permission.SIGN_CONSENT)],
    response_model=None,
)
async def sign(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId, modality: str
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    entered = {
        "form_version": text(form, "form_version"),
        "patient_name": text(form, "patient_name"),
        "signature": text(form, "signature"),
        "understood": text(form, "understood") == "yes",
    }
    try:
        await run_in_threadpool(consents.sign_consent, clinic, actor, patient_id, modality, entered)
    except InputError as error:
        extra = {"sign_error": error, "entered": entered}
        return _sign_page(request, clinic, actor, patient_id, modality, extra, status=422)
    return see_other(f"/patients/{patient_id}/consents/{modality}?signed=1#signed")


async def _change(
    request: Request,
    clinic: Clinic,
    actor: Actor,
    consent_id: int,
    action: str,
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    given, modality = text(form, "patient_id"), text(form, "modality")
    patient_id = int(given) if given.isdigit() and len(given) < 10 else 0
    try:
        if action == "countersign":
            entered = {"clinician_name": text(form, "clinician_name")}
            done = await run_in_threadpool(
                consents.countersign_consent, clinic, actor, consent_id, entered
            )
        else:
            entered = {"reason": text(form, "reason")}
            done = await run_in_threadpool(
                consents.withdraw_consent, clinic, actor, consent_id, entered
            )
    except (InputError, StateError) as error:
        if patient_id < 1 or not modality:
            raise
        extra = {f"{action}_error": error, "changed_id": consent_id}
        return _sign_page(request, clinic, actor, patient_id, modality, extra, status=422)
    return see_other(f"/patients/{done.patient_id}/consents/{done.modality}#consent-{done.id}")


@router.post(
    "/consents/{consent_id}/countersign",
    dependencies=[require(Permission.MANAGE_CONSENT)],
    response_model=None,
)
async def countersign(
    request: Request, clinic: ClinicDep, actor: ActorDep, consent_id: RecordId
) -> HTMLResponse | RedirectResponse:
    return await _change(request, clinic, actor, consent_id, "countersign")


@router.post(
    "/consents/{consent_id}/withdraw",
    dependencies=[require(Permission.MANAGE_CONSENT)],
    response_model=None,
)
async def withdraw(
    request: Request, clinic: ClinicDep, actor: ActorDep, consent_id: RecordId
) -> HTMLResponse | RedirectResponse:
    return await _change(request, clinic, actor, consent_id, "withdraw")
