"""The scheduling instance of the clinic as it stands: accepted plans' sessions still to do.

Each active plan's current version gives its sessions in date order; a session's id is its
`session_key` ("plan12:fractional_co2:2"), stable across plan edits. Its ideal day is the
planned day; the minimum and maximum days after the patient's previous session come from the
plan's own courses and sequencing rules (`services.plan_gaps`). Dates the patient avoids become
unavailable days, widened by the longest downtime among their sessions so that no recovery
falls in them. Booked appointments of these sessions are the previous schedule to keep.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import (
    AppointmentRecord,
    PatientRecord,
    PlannedSessionRecord,
    PlanRecord,
    PlanVersionRecord,
    TreatmentSessionRecord,
)
from scarplan.domain.vocabulary import Modality
from scarplan.planning.document import PlanDocument, read_plan_document
from scarplan.scheduling.model import (
    Assignment,
    Availability,
    DateRange,
    Horizon,
    Instance,
    PatientRequest,
    SessionRequest,
    clock_time,
)
from scarplan.services.clinic.calendar.appointments import BOOKED, PROCEDURE
from scarplan.services.clinic.calendar.schedule_setup import ClinicSchedule
from scarplan.services.clinic.plans.plans import ACTIVE
from scarplan.services.plan_gaps import gap_limits


@dataclass(frozen=True)
class SessionRef:
    """What an instance's session id stands for in the records."""

    patient_id: int
    plan_id: int
    planned_session_id: int
    modality: str


@dataclass(frozen=True)
class ClinicInstance:
    instance: Instance
    previous: list[Assignment]
    sessions: dict[str, SessionRef]
    booked: dict[str, int]
    """Session key -> appointment id of every booking from the horizon's start on. `previous`
    holds them all: those whose session is no longer planned come back as cancelled."""


@dataclass(frozen=True)
class _Planned:
    key: str
    row_id: int
    plan_id: int
    patient_id: int
    modality: str
    day: date
    position: int
    downtime_days: int


def session_key(plan_id: int, modality: str, number: int) -> str:
    return f"plan{plan_id}:{modality}:{number}"


def patient_key(patient_id: int) -> str:
    return f"patient{patient_id}"


def clinic_instance(
    session: Session, setup: ClinicSchedule, start: date, days: int, default_gap: int
) -> ClinicInstance:
    """The instance for the horizon of `days` days from `start`, from the records."""
    end = start + timedelta(days=days - 1)
    planned = _planned_sessions(session, end)
    documents = _documents(session, {p.plan_id for p in planned})
    by_patient: dict[int, list[_Planned]] = defaultdict(list)
    for item in planned:
        by_patient[item.patient_id].append(item)
    avoid = _avoid_windows(session, list(by_patient))
    patients: list[PatientRequest] = []
    refs: dict[str, SessionRef] = {}
    for patient_id, items in sorted(by_patient.items()):
        items.sort(key=lambda p: (p.day, p.plan_id, p.position))
        requests = _requests(items, documents, start, default_gap)
        downtime = max(p.downtime_days for p in items)
        patients.append(
            PatientRequest(
                id=patient_key(patient_id),
                availability=Availability(
                    unavailable=[
                        DateRange(start=first - timedelta(days=downtime), end=last)
                        for first, last in avoid.get(patient_id, [])
                    ]
                ),
                sessions=requests,
            )
        )
        refs.update((p.key, SessionRef(patient_id, p.plan_id, p.row_id, p.modality)) for p in items)
    previous, booked = _bookings(session, start)
    instance = Instance(
        version=1,
        horizon=Horizon(start=start, days=days),
        slot_minutes=setup.slot_minutes,
        resources=setup.resources,
        patients=patients,
        durations=setup.durations,
    )
    return ClinicInstance(instance, previous, refs, booked)


def _planned_sessions(session: Session, end: date) -> list[_Planned]:
    """Sessions of active plans' current versions, not yet carried out, up to `end`."""
    done = select(TreatmentSessionRecord.planned_session_id).where(
        TreatmentSessionRecord.planned_session_id.is_not(None)
    )
    rows = session.execute(
        select(
            PlannedSessionRecord.id,
            PlannedSessionRecord.modality,
            PlannedSessionRecord.number,
            PlannedSessionRecord.day,
            PlannedSessionRecord.position,
            PlannedSessionRecord.downtime_days,
            PlanRecord.id.label("plan_id"),
            PlanRecord.patient_id,
        )
        .join(PlanVersionRecord, PlanVersionRecord.id == PlannedSessionRecord.plan_version_id)
        .join(
            PlanRecord,
            (PlanRecord.id == PlanVersionRecord.plan_id)
            & (PlanRecord.current_version == PlanVersionRecord.version),
        )
        .where(
            PlanRecord.status.in_([s.value for s in ACTIVE]),
            PlannedSessionRecord.day <= end,
            PlannedSessionRecord.id.not_in(done),
        )
    ).all()
    return [
        _Planned(
            key=session_key(row.plan_id, row.modality, row.number),
            row_id=row.id,
            plan_id=row.plan_id,
            patient_id=row.patient_id,
            modality=row.modality,
            day=row.day,
            position=row.position,
            downtime_days=row.downtime_days,
        )
        for row in rows
    ]


def _documents(session: Session, plan_ids: set[int]) -> dict[int, PlanDocument]:
    if not plan_ids:
        return {}
    rows = session.execute(
        select(PlanRecord.id, PlanVersionRecord.document)
        .join(
            PlanVersionRecord,
            (PlanVersionRecord.plan_id == PlanRecord.id)
            & (PlanVersionRecord.version == PlanRecord.current_version),
        )
        .where(PlanRecord.id.in_(plan_ids))
    ).all()
    return {row.id: read_plan_document(row.document) for row in rows if row.document}


def _avoid_windows(session: Session, patient_ids: list[int]) -> dict[int, list[tuple[date, date]]]:
    if not patient_ids:
        return {}
    rows = session.execute(
        select(PatientRecord.id, PatientRecord.preferences).where(PatientRecord.id.in_(patient_ids))
    ).all()
    return {
        row.id: [
            (date.fromisoformat(w["from"]), date.fromisoformat(w["to"]))
            for w in (row.preferences or {}).get("avoid", [])
        ]
        for row in rows
    }


def _requests(
    items: Sequence[_Planned], documents: dict[int, PlanDocument], start: date, default_gap: int
) -> list[SessionRequest]:
    requests: list[SessionRequest] = []
    for index, item in enumerate(items):
        low: int | None = None
        high: int | None = None
        if index > 0:
            before = items[index - 1]
            low, high = gap_limits(
                before.modality,
                item.modality,
                (item.day - before.day).days,
                documents.get(item.plan_id),
                default_gap,
            )
        requests.append(
            SessionRequest(
                id=item.key,
                procedure=Modality(item.modality),
                earliest=start,
                ideal=item.day,
                min_days_after_previous=low,
                max_days_after_previous=high,
            )
        )
    return requests


def _bookings(session: Session, start: date) -> tuple[list[Assignment], dict[str, int]]:
    rows = session.scalars(
        select(AppointmentRecord).where(
            AppointmentRecord.status == BOOKED,
            AppointmentRecord.kind == PROCEDURE,
            AppointmentRecord.day >= start,
            AppointmentRecord.session_key.is_not(None),
        )
    ).all()
    keyed = [(row, row.session_key) for row in rows if row.session_key is not None]
    previous = [
        Assignment(
            session=key,
            patient=patient_key(row.patient_id),
            date=row.day,
            start=clock_time(row.start_minute),
            end=clock_time(row.end_minute),
            practitioner=row.practitioner,
            device=row.device,
            room=row.room,
        )
        for row, key in keyed
    ]
    return previous, {key: row.id for row, key in keyed}
