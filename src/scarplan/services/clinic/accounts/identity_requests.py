"""A portal patient's request to correct their name or date of birth, and the clinic's answer.

The patient's identity is the clinic's: a patient editing their own record cannot change it
(`patients.update_patient`), and never sets a clinic code at all. They ask instead; a clinician
or the front desk (`patients.identity`) approves, which changes the record through the one
patient update (audited as an update by the approver), or declines with a note the patient
reads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field
from sqlalchemy import Connection, Row, bindparam, select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import IdentityChangeRequestRecord, PatientRecord
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.services.clinic.core.access import Permission, authorize, not_found
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import InputModel, validated
from scarplan.services.clinic.records.patients import (
    intake_document,
    load_patient,
    patient_intake,
    save_intake,
)

log = logging.getLogger(__name__)
ENTITY = "identity_request"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class IdentityChange(InputModel):
    """What the patient asks to be corrected, and why."""

    full_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Your name as it should be."
    )
    birth_date: date | None = Field(default=None, description="Your date of birth.")
    reason: str = Field(
        min_length=3, max_length=1000, description="Why (e.g. a typing error, a new surname)."
    )


class Decision(InputModel):
    note: str = Field(
        min_length=3,
        max_length=1000,
        description="What the patient reads: why it was declined, what to bring.",
    )


@dataclass(frozen=True)
class IdentityRequestView:
    id: int
    patient_id: int
    patient_name: str
    """The name on file when the request is read: how staff recognise whose it is."""
    full_name: str | None
    birth_date: date | None
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    note: str


def _view(record: IdentityChangeRequestRecord | Row[Any], current_name: str) -> IdentityRequestView:
    return IdentityRequestView(
        record.id,
        record.patient_id,
        current_name,
        record.full_name,
        record.birth_date,
        record.reason,
        record.status,
        record.created_at,
        record.decided_at,
        record.note,
    )


def request_change(clinic: Clinic, actor: Actor, patient_id: int, raw: Any) -> IdentityRequestView:
    """The patient (or anyone who edits their intake) asks for a correction; pending."""
    authorize(actor, Permission.WRITE_INTAKE, patient_id)
    change = validated(IdentityChange, raw, "request")
    _check_change(change, clinic.today())
    with clinic.uow.write() as session:
        patient = load_patient(session, patient_id)
        record = IdentityChangeRequestRecord(
            patient_id=patient_id,
            full_name=change.full_name.strip() if change.full_name else None,
            birth_date=change.birth_date,
            reason=change.reason.strip(),
            status=RequestStatus.PENDING.value,
            created_at=clinic.now(),
            created_by=actor.user_id,
            note="",
        )
        session.add(record)
        session.flush()
        clinic.audit.changed(session, actor, "create", ENTITY, record.id, patient_id)
        return _view(record, patient.full_name)


def _check_change(change: IdentityChange, today: date) -> None:
    problems = []
    if change.full_name is not None and not change.full_name.strip():
        problems.append(FieldProblem("full_name", "is blank", "give your name as it should be"))
    elif change.full_name is None and change.birth_date is None:
        problems.append(
            FieldProblem(
                "full_name", "nothing to correct", "give your name or date of birth as it should be"
            )
        )
    if change.birth_date is not None and change.birth_date > today:
        problems.append(FieldProblem("birth_date", f"{change.birth_date} is in the future", ""))
    if problems:
        raise InputError("the request is invalid", problems)


def patient_requests(clinic: Clinic, actor: Actor, patient_id: int) -> list[IdentityRequestView]:
    """The patient's requests, newest first, with the clinic's answers."""
    authorize(actor, Permission.READ_PATIENT, patient_id)
    r = IdentityChangeRequestRecord
    with clinic.uow.read() as session:
        patient = load_patient(session, patient_id)
        found = session.scalars(
            select(r).where(r.patient_id == patient_id).order_by(r.created_at.desc(), r.id.desc())
        ).all()
        return [_view(record, patient.full_name) for record in found]


def read_pending_of(
    rows: Connection, patient_id: int, current_name: str
) -> list[IdentityRequestView]:
    """The patient's pending requests, newest first, read on `rows` in the caller's
    transaction (the patient page's box); the caller has authorised the actor to review."""
    found = rows.execute(_PENDING_OF_PATIENT, {"patient_id": patient_id}).all()
    return [_view(row, current_name) for row in found]


_REQUESTS = IdentityChangeRequestRecord.__table__
# Built once: read on every visit to a patient's page (as in records/progress.py).
_PENDING_OF_PATIENT = (
    select(_REQUESTS)
    .where(
        _REQUESTS.c.patient_id == bindparam("patient_id"),
        _REQUESTS.c.status == RequestStatus.PENDING.value,
    )
    .order_by(_REQUESTS.c.created_at.desc(), _REQUESTS.c.id.desc())
)


def pending_requests(clinic: Clinic, actor: Actor) -> list[IdentityRequestView]:
    """Every pending request of the clinic, oldest first: the front desk's list."""
    authorize(actor, Permission.REVIEW_IDENTITY)
    r = IdentityChangeRequestRecord
    with clinic.uow.read() as session:
        found = session.execute(
            select(r, PatientRecord)
            .join(PatientRecord, PatientRecord.id == r.patient_id)
            .where(r.status == RequestStatus.PENDING.value)
            .order_by(r.created_at, r.id)
        ).all()
        return [_view(record, patient.full_name) for record, patient in found]


def approve_request(clinic: Clinic, actor: Actor, request_id: int) -> IdentityRequestView:
    """Make the asked-for change through the normal patient update, audited."""
    authorize(actor, Permission.REVIEW_IDENTITY)
    with clinic.uow.write() as session:
        record = _pending(session, request_id)
        patient = load_patient(session, record.patient_id)
        document = intake_document(patient)
        if record.full_name is not None:
            document["full_name"] = record.full_name
        if record.birth_date is not None:
            document["patient"]["birth_date"] = record.birth_date.isoformat()
            document["patient"].pop("age_years", None)
        save_intake(session, clinic, actor, patient, patient_intake(clinic, document))
        _decide(clinic, session, actor, record, RequestStatus.APPROVED, "")
        return _view(record, patient.full_name)


def decline_request(
    clinic: Clinic, actor: Actor, request_id: int, note: str
) -> IdentityRequestView:
    """Leave the record as it is; the note tells the patient why."""
    authorize(actor, Permission.REVIEW_IDENTITY)
    decision = validated(Decision, {"note": note.strip()}, "decision")
    with clinic.uow.write() as session:
        record = _pending(session, request_id)
        _decide(clinic, session, actor, record, RequestStatus.DECLINED, decision.note)
        return _view(record, load_patient(session, record.patient_id).full_name)


def _pending(session: Session, request_id: int) -> IdentityChangeRequestRecord:
    record = session.get(IdentityChangeRequestRecord, request_id)
    if record is None:
        raise not_found("request_id", request_id, "request")
    if record.status != RequestStatus.PENDING.value:
        raise StateError(
            f"the request was already {record.status}",
            [FieldProblem("request_id", f"is {record.status}", "reload the list")],
        )
    return record


def _decide(
    clinic: Clinic,
    session: Session,
    actor: Actor,
    record: IdentityChangeRequestRecord,
    status: RequestStatus,
    note: str,
) -> None:
    record.status = status.value
    record.decided_at = clinic.now()
    record.decided_by = actor.user_id
    record.note = note
    session.flush()
    action = "approve" if status == RequestStatus.APPROVED else "decline"
    clinic.audit.changed(session, actor, action, ENTITY, record.id, record.patient_id)
    log.info("identity request %s %sd by %s", record.id, action, actor.username)
