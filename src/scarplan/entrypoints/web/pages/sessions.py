"""Recording sessions and adverse events; the patient's session calendar."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import InputError
from scarplan.domain.vocabulary import Modality
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import adverse_event, treatment_session
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.calendar.appointments import patient_appointments
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import AdverseEventKind
from scarplan.services.clinic.plans.checklists import TEST_SPOT_RESULT_WORDS, session_checklist
from scarplan.services.clinic.plans.plans import PlannedSessionView
from scarplan.services.clinic.records.patients import get_patient
from scarplan.services.clinic.records.progress import open_plan_view, patient_calendar
from scarplan.services.clinic.records.sessions import (
    add_adverse_event,
    get_session,
    list_sessions,
    record_session,
)

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


def _planned(clinic: Clinic, actor: Actor, patient_id: int) -> list[PlannedSessionView]:
    plan = open_plan_view(clinic, actor, patient_id)
    if plan is None or plan.status == "proposed":
        return []
    return [s for s in plan.sessions if s.done_by_session_id is None]


def _chosen(raw: object) -> Modality | None:
    try:
        return Modality(str(raw)) if raw else None
    except ValueError:
        logger.info("no such procedure %r asked for on the session form", raw)
        return None


def _day(raw: object, today: date) -> date:
    try:
        return date.fromisoformat(str(raw)) if raw else today
    except ValueError:
        return today


def _form_context(
    clinic: Clinic, actor: Actor, patient_id: int, entered: dict[str, Any]
) -> dict[str, Any]:
    modality = _chosen(entered.get("modality"))
    day = _day(entered.get("performed_on"), clinic.today())
    checklist = session_checklist(clinic, actor, patient_id, modality, day) if modality else None
    return {
        "patient": get_patient(clinic, actor, patient_id),
        "entered": entered,
        "planned": _planned(clinic, actor, patient_id),
        "event_kinds": list(AdverseEventKind),
        "checklist": checklist,
        "answers": {a["item"]: a for a in entered.get("checklist", []) if "item" in a},
        "spot_results": TEST_SPOT_RESULT_WORDS,
    }


@router.get(
    "/patients/{patient_id}/sessions/new",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_class=HTMLResponse,
)
def new_session(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    patient_id: RecordId,
    planned: int | None = None,
    modality: str = "",
) -> HTMLResponse:
    """Step one: the procedure (a planned session, or any procedure); step two: its
    pre-procedure checklist on top of the session form."""
    choice = next((s for s in _planned(clinic, actor, patient_id) if s.id == planned), None)
    chosen = _chosen(modality)
    entered: dict[str, Any] = {
        "performed_on": clinic.today().isoformat(),
        "modality": choice.modality if choice else (chosen.value if chosen else ""),
        "regions": choice.regions if choice else [],
        "planned_session_id": choice.id if choice else None,
        "practitioner": "",
        "parameters": {},
        "notes": "",
    }
    context = {**_form_context(clinic, actor, patient_id, entered), "actor": actor}
    if modality and chosen is None:
        context["unknown_procedure"] = True
    return render(request, "sessions/new.html", context)


@router.post(
    "/patients/{patient_id}/sessions",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_model=None,
)
async def save_session(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    entered = treatment_session(await request.form())
    try:
        await run_in_threadpool(record_session, clinic, actor, patient_id, entered)
    except InputError as error:
        context = {
            **await run_in_threadpool(_form_context, clinic, actor, patient_id, entered),
            **form_errors(error),
            "actor": actor,
        }
        return render(request, "sessions/new.html", context, status=422)
    return see_other(f"/patients/{patient_id}/sessions")


@router.get("/patients/{patient_id}/sessions", response_class=HTMLResponse)
def session_list(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse:
    context = {
        "patient": get_patient(clinic, actor, patient_id),
        "sessions": list_sessions(clinic, actor, patient_id),
        "event_kinds": list(AdverseEventKind),
        "today": clinic.today(),
        "actor": actor,
    }
    return render(request, "sessions/list.html", context)


@router.post(
    "/sessions/{session_id}/adverse-events",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_model=None,
)
async def save_adverse_event(
    request: Request, clinic: ClinicDep, actor: ActorDep, session_id: RecordId
) -> HTMLResponse | RedirectResponse:
    entered = adverse_event(await request.form())
    treated = await run_in_threadpool(get_session, clinic, actor, session_id)
    try:
        await run_in_threadpool(add_adverse_event, clinic, actor, session_id, entered)
    except InputError as error:
        context = {
            "patient": await run_in_threadpool(get_patient, clinic, actor, treated.patient_id),
            "sessions": await run_in_threadpool(list_sessions, clinic, actor, treated.patient_id),
            "event_kinds": list(AdverseEventKind),
            "today": clinic.today(),
            "failed_session": session_id,
            "actor": actor,
            **form_errors(error),
        }
        return render(request, "sessions/list.html", context, status=422)
    return see_other(f"/patients/{treated.patient_id}/sessions")


@router.get("/patients/{patient_id}/calendar", response_class=HTMLResponse)
def calendar(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse:
    entries = patient_calendar(clinic, actor, patient_id)
    months: dict[str, list[Any]] = {}
    for entry in entries:
        months.setdefault(entry.day.strftime("%B %Y"), []).append(entry)
    context = {
        "patient": get_patient(clinic, actor, patient_id),
        "months": months,
        "appointments": patient_appointments(clinic, actor, patient_id),
        "today": clinic.today(),
        "actor": actor,
    }
    return render(request, "sessions/calendar.html", context)
