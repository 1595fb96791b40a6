"""Patients: intake, edits, search. The intake is the case file's patient and preferences."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import PatientRecord
from scarplan.assessment.fitzpatrick import skin_type
from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.services.clinic.core.access import Permission, Role, authorize, can
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import PatientIntake, has_nul, validated
from scarplan.services.clinic.records.patient_fields import refuse_clinic_fields

MAX_PAGE = 200


@dataclass(frozen=True)
class PatientSummary:
    id: int
    code: str
    full_name: str
    birth_date: date | None
    sex: str
    fitzpatrick: str | None


@dataclass(frozen=True)
class PatientDetail(PatientSummary):
    intake: dict[str, Any]
    """The record in the PatientIntake shape: what a form or API client edits and sends back."""
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PatientPage:
    items: list[PatientSummary]
    total: int
    offset: int
    limit: int


def summary(record: PatientRecord | Row[Any]) -> PatientSummary:
    return PatientSummary(
        id=record.id,
        code=record.code,
        full_name=record.full_name,
        birth_date=record.birth_date,
        sex=record.sex,
        fitzpatrick=record.fitzpatrick,
    )


def intake_document(record: PatientRecord | Row[Any]) -> dict[str, Any]:
    return {
        "full_name": record.full_name,
        "email": record.email,
        "phone": record.phone,
        "patient": {"id": record.code, **record.intake},
        "preferences": record.preferences,
    }


def detail(record: PatientRecord | Row[Any]) -> PatientDetail:
    return PatientDetail(
        **vars(summary(record)),
        intake=intake_document(record),
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def load_patient(session: Session, patient_id: int) -> PatientRecord:
    record = session.get(PatientRecord, patient_id)
    if record is None:
        raise no_patient(patient_id)
    return record


def read_patient(rows: Connection, patient_id: int) -> Row[Any]:
    """The patient's row, for read models that need no ORM object."""
    row = rows.execute(_PATIENT_BY_ID, {"patient_id": patient_id}).one_or_none()
    if row is None:
        raise no_patient(patient_id)
    return row


_PATIENT_BY_ID = select(PatientRecord.__table__).where(
    PatientRecord.__table__.c.id == bindparam("patient_id")
)
"""Built once: the plan page reads the patient on every visit (as in progress.py)."""


def no_patient(patient_id: int) -> NotFoundError:
    return NotFoundError(
        "no such patient",
        [FieldProblem("patient_id", f"{patient_id} names no patient", "check the id")],
    )


def _search_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _check_dates(intake: PatientIntake, today: date) -> None:
    problems = []
    patient = intake.patient
    if patient.birth_date is not None and patient.birth_date > today:
        problems.append(
            FieldProblem("patient.birth_date", f"{patient.birth_date} is in the future", "")
        )
    stopped = patient.isotretinoin.stopped_on if patient.isotretinoin else None
    if stopped is not None and stopped > today:
        problems.append(
            FieldProblem(
                "patient.isotretinoin.stopped_on",
                f"{stopped} is in the future",
                "a course still running is status: current",
            )
        )
    for index, procedure in enumerate(patient.prior_procedures):
        if procedure.date is not None and procedure.date > today:
            problems.append(
                FieldProblem(
                    f"patient.prior_procedures[{index}].date",
                    f"{procedure.date} is in the future",
                    "an earlier procedure has been done: give the day it was done",
                )
            )
    if problems:
        raise InputError("the patient record is invalid", problems)


def _apply(record: PatientRecord, intake: PatientIntake, clinic: Clinic) -> None:
    patient = intake.patient
    questionnaire = clinic.knowledge.scales.fitzpatrick_questionnaire
    fitzpatrick = skin_type(patient.fitzpatrick, patient.fitzpatrick_answers, questionnaire).type
    record.code = patient.id
    record.full_name = intake.full_name.strip()
    record.email = intake.email
    record.phone = intake.phone
    record.search_name = _search_key(intake.full_name)
    record.birth_date = patient.birth_date
    record.sex = patient.sex.value
    record.fitzpatrick = fitzpatrick.value if fitzpatrick else None
    # exclude_unset keeps "not stated" apart from "no": unstated safety facts get flagged later.
    record.intake = patient.model_dump(mode="json", exclude_unset=True, exclude={"id"})
    record.preferences = intake.preferences.model_dump(mode="json", by_alias=True)
    record.updated_at = clinic.now()


def _code_taken(session: Session, code: str, other_than: int | None) -> bool:
    query = select(PatientRecord.id).where(PatientRecord.code == code)
    if other_than is not None:
        query = query.where(PatientRecord.id != other_than)
    return session.scalar(query) is not None


def _code_problem(code: str) -> InputError:
    return InputError(
        "the patient record is invalid",
        [FieldProblem("patient.id", f"{code!r} is already used by another patient", "")],
    )


def patient_intake(clinic: Clinic, raw: Any) -> PatientIntake:
    """A patient record as entered, validated, or InputError naming each field."""
    intake = validated(PatientIntake, raw, "patient record")
    _check_dates(intake, clinic.today())
    return intake


def add_patient(
    session: Session, clinic: Clinic, actor: Actor, intake: PatientIntake
) -> PatientRecord:
    """Add the patient in the caller's transaction (creating one, or a whole import)."""
    if _code_taken(session, intake.patient.id, None):
        raise _code_problem(intake.patient.id)
    record = PatientRecord(created_at=clinic.now())
    _apply(record, intake, clinic)
    session.add(record)
    session.flush()
    clinic.audit.changed(session, actor, "create", "patient", record.id, record.id)
    return record


def code_taken_error(code: str) -> InputError:
    """The error for a patient code another record holds (also when a concurrent insert won)."""
    return _code_problem(code)


def create_patient(clinic: Clinic, actor: Actor, raw: Any) -> PatientDetail:
    authorize(actor, Permission.CREATE_PATIENT)
    intake = patient_intake(clinic, raw)
    try:
        with clinic.uow.write() as session:
            return detail(add_patient(session, clinic, actor, intake))
    except IntegrityError:
        raise _code_problem(intake.patient.id) from None


def update_patient(clinic: Clinic, actor: Actor, patient_id: int, raw: Any) -> PatientDetail:
    authorize(actor, Permission.WRITE_INTAKE, patient_id)
    intake = patient_intake(clinic, raw)
    try:
        with clinic.uow.write() as session:
            record = load_patient(session, patient_id)
            if actor.role == Role.PATIENT:
                refuse_clinic_fields(intake_document(record), intake)
            return detail(save_intake(session, clinic, actor, record, intake))
    except IntegrityError:
        raise _code_problem(intake.patient.id) from None


def save_intake(
    session: Session, clinic: Clinic, actor: Actor, record: PatientRecord, intake: PatientIntake
) -> PatientRecord:
    """Replace the record's intake in the caller's transaction, audited; the one way an
    existing patient record changes (an edit, or an approved identity change request)."""
    if _code_taken(session, intake.patient.id, record.id):
        raise _code_problem(intake.patient.id)
    _apply(record, intake, clinic)
    session.flush()
    clinic.audit.changed(session, actor, "update", "patient", record.id, record.id)
    return record


def get_patient(clinic: Clinic, actor: Actor, patient_id: int) -> PatientDetail:
    authorize(actor, Permission.READ_PATIENT, patient_id)
    with clinic.uow.read() as session:
        found = detail(load_patient(session, patient_id))
    clinic.audit.read(actor, "patient", patient_id, patient_id)
    return found


def search_patients(
    clinic: Clinic, actor: Actor, query: str = "", offset: int = 0, limit: int = 50
) -> PatientPage:
    """Patients whose name or code contains `query` (case-insensitive), by name."""
    authorize(actor, Permission.LIST_PATIENTS)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InputError(
            "invalid page",
            [FieldProblem("limit", f"{limit}", f"1..{MAX_PAGE}, with offset 0 or more")],
        )
    if has_nul(query):
        raise InputError(
            "invalid search", [FieldProblem("q", "contains a NUL character", "remove it")]
        )
    text = _search_key(query)
    condition = (
        or_(
            PatientRecord.search_name.contains(text, autoescape=True),
            func.lower(PatientRecord.code).contains(text, autoescape=True),
        )
        if text
        else None
    )
    with clinic.uow.read() as session:
        items_query = select(PatientRecord).order_by(PatientRecord.search_name, PatientRecord.id)
        count_query = select(func.count()).select_from(PatientRecord)
        if condition is not None:
            items_query = items_query.where(condition)
            count_query = count_query.where(condition)
        records = session.scalars(items_query.offset(offset).limit(limit)).all()
        total = session.scalar(count_query) or 0
    clinic.audit.read(actor, "patient_list", None, None, {"query": query, "shown": len(records)})
    found = [summary(r) for r in records]
    if not can(actor, Permission.READ_PATIENT):
        # Who the patient is (to find them for an erasure), not their skin type.
        found = [replace(s, fitzpatrick=None) for s in found]
    return PatientPage(found, total, offset, limit)
