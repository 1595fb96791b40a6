"""Identity change requests: a portal patient asks the clinic to correct their name or date
of birth; a clinician or the front desk approves or declines."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from scarplan.entrypoints.web.api.common import ERRORS, PREFIX, body
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.ids import RecordId
from scarplan.services.clinic.accounts import identity_requests as requests
from scarplan.services.clinic.accounts.identity_requests import IdentityChange, IdentityRequestView
from scarplan.services.clinic.core.access import Permission

router = APIRouter(prefix=PREFIX, tags=["identity requests"], responses=ERRORS)
REVIEW = [require(Permission.REVIEW_IDENTITY)]


class DeclineBody(BaseModel):
    note: str = Field(description="What the patient reads: why, and what to do instead.")


@router.post(
    "/patients/{patient_id}/identity-requests",
    dependencies=[require(Permission.WRITE_INTAKE)],
    status_code=201,
)
def ask(
    clinic: ClinicDep, actor: ActorDep, patient_id: RecordId, change: IdentityChange
) -> IdentityRequestView:
    """Ask the clinic to correct the name or date of birth (at least one), with a reason.
    Pending until the clinic answers; the clinic code is never asked for or shown."""
    return requests.request_change(clinic, actor, patient_id, body(change))


@router.get("/patients/{patient_id}/identity-requests")
def of_patient(
    clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> list[IdentityRequestView]:
    """The patient's requests, newest first, with the clinic's answers."""
    return requests.patient_requests(clinic, actor, patient_id)


@router.get("/identity-requests", dependencies=REVIEW)
def pending(clinic: ClinicDep, actor: ActorDep) -> list[IdentityRequestView]:
    """Every pending request, oldest first."""
    return requests.pending_requests(clinic, actor)


@router.post("/identity-requests/{request_id}/approve", dependencies=REVIEW)
def approve(clinic: ClinicDep, actor: ActorDep, request_id: RecordId) -> IdentityRequestView:
    """Make the change through the patient update (audited); 409 if already answered."""
    return requests.approve_request(clinic, actor, request_id)


@router.post("/identity-requests/{request_id}/decline", dependencies=REVIEW)
def decline(
    clinic: ClinicDep, actor: ActorDep, request_id: RecordId, entered: DeclineBody
) -> IdentityRequestView:
    """Leave the record as it is; the note is shown to the patient. 409 if already answered."""
    return requests.decline_request(clinic, actor, request_id, entered.note)
