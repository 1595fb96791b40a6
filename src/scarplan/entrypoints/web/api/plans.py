"""Plans: propose, read (any version), edit, accept, complete, cancel."""

from __future__ import annotations

from fastapi import APIRouter, Query

from scarplan.entrypoints.web.api.common import ERRORS, PREFIX, body
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.ids import MAX_ID, RecordId
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.inputs import PlanEdit
from scarplan.services.clinic.plans.plans import (
    PlanView,
    accept_plan,
    cancel_plan,
    complete_plan,
    edit_plan,
    get_plan,
    list_plans,
    propose_plan,
)

router = APIRouter(prefix=PREFIX, tags=["plans"], responses=ERRORS)


@router.get("/patients/{patient_id}/plans")
def plans(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> list[PlanView]:
    return list_plans(clinic, actor, patient_id)


@router.post(
    "/patients/{patient_id}/plans",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    status_code=201,
)
async def propose(
    clinic: ClinicDep,
    actor: ActorDep,
    patient_id: RecordId,
    assessment_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> PlanView:
    """Run the planner on an assessment (the latest by default). 409 with `conflicts` when the
    patient's constraints cannot all hold."""
    return await run_slow(propose_plan, clinic, actor, patient_id, assessment_id)


@router.get("/plans/{plan_id}")
def read_plan(
    clinic: ClinicDep,
    actor: ActorDep,
    plan_id: RecordId,
    version: int | None = Query(None, ge=1, le=MAX_ID),
) -> PlanView:
    return get_plan(clinic, actor, plan_id, version)


@router.post(
    "/plans/{plan_id}/versions", dependencies=[require(Permission.WRITE_CLINICAL)], status_code=201
)
async def edit(
    clinic: ClinicDep, actor: ActorDep, plan_id: RecordId, entered: PlanEdit
) -> PlanView:
    """Change the plan; the result is a new version with the edit's `reason`. One kind of
    change per version: move or remove sessions (`move`, `remove`), add a course (`add`), swap
    a course for another in its place (`swap`), or change the regions and technique settings
    of planned sessions (`change`). Every change is checked with the proposal's rules (safety,
    the gap rule, the knowledge base's ranges, the first-session rule) and refused with 422
    and the reason per field otherwise; rules left to judgement need `override_reason`, which
    is saved in the plan's notes. `based_on` (the version the edit was made from) is required:
    409 if another edit made a newer one since. `remove` and `change.sessions` name sessions
    by their `id` in that version, never by position."""
    return await run_slow(edit_plan, clinic, actor, plan_id, body(entered))


@router.post("/plans/{plan_id}/accept", dependencies=[require(Permission.WRITE_CLINICAL)])
def accept(clinic: ClinicDep, actor: ActorDep, plan_id: RecordId) -> PlanView:
    return accept_plan(clinic, actor, plan_id)


@router.post("/plans/{plan_id}/complete", dependencies=[require(Permission.WRITE_CLINICAL)])
def complete(clinic: ClinicDep, actor: ActorDep, plan_id: RecordId) -> PlanView:
    return complete_plan(clinic, actor, plan_id)


@router.post("/plans/{plan_id}/cancel", dependencies=[require(Permission.WRITE_CLINICAL)])
def cancel(clinic: ClinicDep, actor: ActorDep, plan_id: RecordId) -> PlanView:
    return cancel_plan(clinic, actor, plan_id)
