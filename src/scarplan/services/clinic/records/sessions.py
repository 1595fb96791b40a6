"""Treatment sessions as carried out: parameters, practitioner, adverse events, plan progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scarplan.adapters.db.tables import (
    AdverseEventRecord,
    PlannedSessionRecord,
    PlanRecord,
    TreatmentSessionRecord,
)
from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.planning.lifecycle import Plan
from scarplan.services.clinic.calendar.appointments import mark_done
from scarplan.services.clinic.core.access import Permission, authorize, authorize_record
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import AdverseEventInput, SessionInput, validated
from scarplan.services.clinic.plans.checklists import (
    ChecklistAnswerView,
    answer_views,
    record_checklist,
)
from scarplan.services.clinic.plans.consents import require_consent
from scarplan.services.clinic.plans.plans import (
    active_plan,
    aggregate,
    current_version,
    save_status,
)
from scarplan.services.clinic.records.patients import load_patient


@dataclass(frozen=True)
class AdverseEventView:
    id: int
    kind: str
    severity: str
    onset_on: date
    resolved_on: date | None
    notes: str
    outcome: str | None = None
    """resolved | resolving | persisting | resolved_with_sequelae, once recorded."""
    treatment: str = ""


@dataclass(frozen=True)
class SessionView:
    id: int
    patient_id: int
    plan_id: int | None
    planned_session_id: int | None
    performed_on: date
    modality: str
    regions: list[str]
    parameters: dict[str, Any]
    practitioner: str
    notes: str
    adverse_events: list[AdverseEventView]
    created_at: datetime
    checklist: list[ChecklistAnswerView]


def session_view(record: TreatmentSessionRecord) -> SessionView:
    return SessionView(
        id=record.id,
        patient_id=record.patient_id,
        plan_id=record.plan_id,
        planned_session_id=record.planned_session_id,
        performed_on=record.performed_on,
        modality=record.modality,
        regions=list(record.regions),
        parameters=dict(record.parameters),
        practitioner=record.practitioner,
        notes=record.notes,
        adverse_events=[adverse_event_view(e) for e in record.adverse_events],
        created_at=record.created_at,
        checklist=answer_views(record),
    )


def adverse_event_view(e: AdverseEventRecord) -> AdverseEventView:
    return AdverseEventView(
        e.id, e.kind, e.severity, e.onset_on, e.resolved_on, e.notes, e.outcome, e.treatment
    )


def _event(entered: AdverseEventInput) -> AdverseEventRecord:
    return AdverseEventRecord(
        kind=entered.kind.value,
        severity=entered.severity.value,
        onset_on=entered.onset_on,
        resolved_on=entered.resolved_on,
        notes=entered.notes,
    )


def _planned_match(
    session: Session, plan: PlanRecord, entered: SessionInput
) -> tuple[Plan, PlannedSessionRecord | None]:
    """The plan's aggregate and the planned session this one fulfils: the one named, or the
    next open one of its kind (the aggregate's rule)."""
    state = aggregate(session, plan)
    rows = {s.position: s for s in current_version(plan).sessions}
    named: int | None = None
    if entered.planned_session_id is not None:
        # An id of another plan or version names no position: the aggregate refuses it.
        named = next((p for p, s in rows.items() if s.id == entered.planned_session_id), len(rows))
    position = state.fulfilment(entered.modality, named)
    return state, rows[position] if position is not None else None


def _check_dates(entered: SessionInput, today: date) -> None:
    problems = []
    if entered.performed_on > today:
        problems.append(
            FieldProblem("performed_on", f"{entered.performed_on} is in the future", "")
        )
    for i, event in enumerate(entered.adverse_events):
        if event.onset_on < entered.performed_on:
            problems.append(
                FieldProblem(f"adverse_events[{i}].onset_on", "is before the session", "")
            )
    if problems:
        raise InputError("the session is invalid", problems)


def record_session(clinic: Clinic, actor: Actor, patient_id: int, raw: Any) -> SessionView:
    """Save a session; it fulfils a planned session and moves the plan along its statuses."""
    authorize(actor, Permission.WRITE_CLINICAL, patient_id)
    entered = session_input(clinic, raw)
    with clinic.uow.write() as session:
        load_patient(session, patient_id)
        plan = active_plan(session, patient_id)
        if plan is None:
            return session_view(add_session(session, clinic, actor, patient_id, entered, None))
        state, planned = _planned_match(session, plan, entered)
        linked = (plan.id, planned.id) if planned is not None else None
        record = add_session(session, clinic, actor, patient_id, entered, linked)
        if planned is not None:
            state.record_session(planned.position)
            save_status(plan, state, clinic.now())
            plan.updated_at = clinic.now()
        return session_view(record)


def session_input(clinic: Clinic, raw: Any) -> SessionInput:
    """A session as entered, validated (dates too), or InputError naming each field."""
    entered = validated(SessionInput, raw, "session")
    _check_dates(entered, clinic.today())
    return entered


def add_session(
    session: Session,
    clinic: Clinic,
    actor: Actor,
    patient_id: int,
    entered: SessionInput,
    planned: tuple[int, int] | None,
    *,
    imported: bool = False,
) -> TreatmentSessionRecord:
    """Add a performed session in the caller's transaction; `planned` is the (plan id,
    planned session id) it fulfils. The plan's status is the caller's business. A session
    `imported` from another system's record was checked there, not here."""
    if not imported:
        require_consent(session, clinic, actor, patient_id, entered)
    record = TreatmentSessionRecord(
        patient_id=patient_id,
        plan_id=planned[0] if planned is not None else None,
        planned_session_id=planned[1] if planned is not None else None,
        performed_on=entered.performed_on,
        modality=entered.modality.value,
        regions=[r.value for r in entered.regions],
        parameters=entered.parameters.filled(),
        practitioner=entered.practitioner.strip(),
        notes=entered.notes,
        created_at=clinic.now(),
        created_by=actor.user_id,
    )
    record.adverse_events = [_event(e) for e in entered.adverse_events]
    session.add(record)
    session.flush()
    if not imported:
        record_checklist(session, clinic, actor, record, entered)
    clinic.audit.changed(session, actor, "create", "session", record.id, patient_id)
    appointment = mark_done(session, patient_id, record.modality, record.performed_on, record.id)
    if appointment is not None:
        clinic.audit.changed(session, actor, "done", "appointment", appointment, patient_id)
    return record


def _load_session(session: Session, session_id: int) -> TreatmentSessionRecord:
    record = session.get(
        TreatmentSessionRecord,
        session_id,
        options=[
            selectinload(TreatmentSessionRecord.adverse_events),
            selectinload(TreatmentSessionRecord.checklist_answers),
        ],
    )
    if record is None:
        raise NotFoundError(
            "no such session", [FieldProblem("session_id", f"{session_id} names no session", "")]
        )
    return record


def add_adverse_event(clinic: Clinic, actor: Actor, session_id: int, raw: Any) -> SessionView:
    """Adverse events often show days after the session: they are added to it later."""
    entered = validated(AdverseEventInput, raw, "adverse event")
    with clinic.uow.write() as session:
        record = _load_session(session, session_id)
        authorize_record(
            actor, Permission.WRITE_CLINICAL, record.patient_id, "session_id", session_id, "session"
        )
        problems = []
        if entered.onset_on < record.performed_on:
            problems.append(FieldProblem("onset_on", "is before the session", ""))
        if entered.onset_on > clinic.today():
            problems.append(FieldProblem("onset_on", "is in the future", ""))
        if problems:
            raise InputError("the adverse event is invalid", problems)
        record.adverse_events.append(_event(entered))
        session.flush()
        clinic.audit.changed(
            session, actor, "add_adverse_event", "session", session_id, record.patient_id
        )
        return session_view(record)


def get_session(clinic: Clinic, actor: Actor, session_id: int) -> SessionView:
    with clinic.uow.read() as session:
        record = _load_session(session, session_id)
        authorize_record(
            actor, Permission.READ_CLINICAL, record.patient_id, "session_id", session_id, "session"
        )
        found = session_view(record)
    clinic.audit.read(actor, "session", session_id, found.patient_id)
    return found


def list_sessions(clinic: Clinic, actor: Actor, patient_id: int) -> list[SessionView]:
    """A patient's sessions, oldest first."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "session_list", None, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        return patient_sessions(session, patient_id)


def patient_sessions(session: Session, patient_id: int) -> list[SessionView]:
    """A patient's sessions with their adverse events, oldest first."""
    records = session.scalars(
        select(TreatmentSessionRecord)
        .where(TreatmentSessionRecord.patient_id == patient_id)
        .options(
            selectinload(TreatmentSessionRecord.adverse_events),
            selectinload(TreatmentSessionRecord.checklist_answers),
        )
        .order_by(TreatmentSessionRecord.performed_on, TreatmentSessionRecord.id)
    ).all()
    return [session_view(r) for r in records]
