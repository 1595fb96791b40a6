"""Follow-up visits and the outcome review; an adverse event's outcome."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import InputError, StateError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.planning.follow_up import DueVisit
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.follow_up import (
    follow_ups_due,
    list_visits,
    outcome_comparison,
    record_visit,
)
from scarplan.services.clinic.records.adverse_events import EventOutcome, adverse_event, set_outcome
from scarplan.services.clinic.records.patients import get_patient

router = APIRouter(include_in_schema=False)

BOOKING_PAGE = "/desk/book"
"""The front desk's booking page (another change of issue 22 builds it)."""


def book_url(patient_id: int, visit: DueVisit) -> str:
    """The front desk booking page, asked for this visit's kind and window."""
    query = {
        "patient": patient_id,
        "kind": visit.kind.value,
        "earliest": visit.earliest.isoformat(),
        "latest": visit.latest.isoformat(),
    }
    return f"{BOOKING_PAGE}?{urlencode(query)}"


def _review_context(
    clinic: Clinic, actor: Actor, patient_id: int, entered: dict[str, Any]
) -> dict[str, Any]:
    return {
        "patient": get_patient(clinic, actor, patient_id),
        "due": follow_ups_due(clinic, actor, patient_id),
        "review": outcome_comparison(clinic, actor, patient_id),
        "visits": list_visits(clinic, actor, patient_id),
        "entered": entered,
        "today": clinic.today(),
        "actor": actor,
    }


@router.get(
    "/patients/{patient_id}/follow-up",
    dependencies=[require(Permission.WRITE_CLINICAL)],  # clinicians' pages, not the portal
    response_class=HTMLResponse,
)
def follow_up_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse:
    entered = {"kind": "outcome_review", "visited_on": clinic.today().isoformat(), "notes": ""}
    return render(
        request, "follow_up/review.html", _review_context(clinic, actor, patient_id, entered)
    )


@router.post(
    "/patients/{patient_id}/follow-up-visits",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_model=None,
)
async def save_visit(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    entered = {
        "kind": text(form, "kind"),
        "visited_on": text(form, "visited_on"),
        "notes": text(form, "notes"),
    }
    try:
        await run_in_threadpool(record_visit, clinic, actor, patient_id, entered)
    except (InputError, StateError) as error:
        shown = await run_in_threadpool(_review_context, clinic, actor, patient_id, entered)
        context = {**shown, **form_errors(error)}
        return render(
            request, "follow_up/review.html", context, status=form_errors(error)["status"]
        )
    return see_other(f"/patients/{patient_id}/follow-up#visits-h")


def _event_context(
    clinic: Clinic, actor: Actor, event_id: int, entered: dict[str, Any]
) -> dict[str, Any]:
    detail = adverse_event(clinic, actor, event_id)
    return {
        "detail": detail,
        "patient": get_patient(clinic, actor, detail.patient_id),
        "outcomes": list(EventOutcome),
        "entered": entered,
        "today": clinic.today(),
        "actor": actor,
    }


@router.get(
    "/adverse-events/{event_id}",
    dependencies=[require(Permission.WRITE_CLINICAL)],  # clinicians' pages, not the portal
    response_class=HTMLResponse,
)
def event_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, event_id: RecordId
) -> HTMLResponse:
    context = _event_context(clinic, actor, event_id, {})
    event = context["detail"].event
    context["entered"] = {
        "outcome": event.outcome or "resolved",
        "resolved_on": (event.resolved_on or clinic.today()).isoformat(),
        "treatment": event.treatment,
        "note": "",
    }
    return render(request, "follow_up/adverse_event.html", context)


@router.post(
    "/adverse-events/{event_id}/outcome",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_model=None,
)
async def save_event_outcome(
    request: Request, clinic: ClinicDep, actor: ActorDep, event_id: RecordId
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    entered: dict[str, Any] = {
        "outcome": text(form, "outcome"),
        "treatment": text(form, "treatment"),
        "note": text(form, "note"),
    }
    if text(form, "resolved_on"):
        entered["resolved_on"] = text(form, "resolved_on")
    try:
        await run_in_threadpool(set_outcome, clinic, actor, event_id, entered)
    except InputError as error:
        shown = await run_in_threadpool(_event_context, clinic, actor, event_id, entered)
        context = {**shown, **form_errors(error)}
        return render(request, "follow_up/adverse_event.html", context, status=422)
    return see_other(f"/adverse-events/{event_id}")


__all__ = ["book_url", "router"]
