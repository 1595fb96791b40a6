"""Plan proposal with its reasons, clinician edits into versions, acceptance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import ScarplanError
from scarplan.domain.vocabulary import Region
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import plan_edit
from scarplan.entrypoints.web.ids import MAX_ID, RecordId
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor
from scarplan.services.clinic.plans.plans import (
    PlanPage,
    accept_plan,
    cancel_plan,
    complete_plan,
    edit_plan,
    plan_page,
    propose_plan,
)

router = APIRouter(include_in_schema=False)


@router.post("/patients/{patient_id}/plans", dependencies=[require(Permission.WRITE_CLINICAL)])
async def propose(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> RedirectResponse:
    plan = await run_slow(propose_plan, clinic, actor, patient_id)
    return see_other(f"/plans/{plan.id}")


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def show_plan(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    plan_id: RecordId,
    version: int | None = Query(None, ge=1, le=MAX_ID),
) -> HTMLResponse:
    page = plan_page(clinic, actor, plan_id, version)
    return render(request, "plans/show.html", _context(page, actor))


def _context(page: PlanPage, actor: Actor) -> dict[str, Any]:
    return {
        "plan": page.plan,
        "patient": page.patient,
        "actor": actor,
        "procedures": page.procedures,
        "regions": [r.value for r in Region],
    }


@router.post(
    "/plans/{plan_id}/edit", dependencies=[require(Permission.WRITE_CLINICAL)], response_model=None
)
async def edit(
    request: Request, clinic: ClinicDep, actor: ActorDep, plan_id: RecordId
) -> HTMLResponse | RedirectResponse:
    page = await run_in_threadpool(plan_page, clinic, actor, plan_id)
    entered = plan_edit(
        await request.form(), {s.position: (s.id, s.day) for s in page.plan.sessions}
    )
    try:
        await run_slow(edit_plan, clinic, actor, plan_id, entered)
    except ScarplanError as error:  # bad input (422) or a colleague's newer version (409)
        shown = form_errors(error)
        context = {**_context(page, actor), "edit": entered, **shown}
        kind = next((k for k in ("add", "swap", "change") if k in entered), None)
        if kind is not None:  # the change forms say why in words, beside the form
            context.update({"error": None, "change_error": error, "change_kind": kind})
        return render(request, "plans/show.html", context, status=shown["status"])
    return see_other(f"/plans/{plan_id}")


@router.post("/plans/{plan_id}/{action}", dependencies=[require(Permission.WRITE_CLINICAL)])
async def transition(
    clinic: ClinicDep, actor: ActorDep, plan_id: RecordId, action: str
) -> RedirectResponse:
    actions = {"accept": accept_plan, "complete": complete_plan, "cancel": cancel_plan}
    if action not in actions:
        raise HTTPException(404, f"no plan action {action!r}")
    await run_in_threadpool(actions[action], clinic, actor, plan_id)
    return see_other(f"/plans/{plan_id}")
