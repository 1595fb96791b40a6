"""Booked appointments: the clinic calendar by practitioner, device or room, and cancelling.

Appointments are made by confirming an optimiser run (schedule_runs.py); here they are read and
cancelled. The calendar shows patients' names and procedures, no clinical detail: staff who
book see it (schedule.read), and one audit entry records each calendar read with the patients
it showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AppointmentRecord, PatientRecord
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.scheduling.model import clock_time
from scarplan.services.clinic.calendar.schedule_setup import (
    ResourceKind,
    SetupView,
    current_setup,
    humanised,
)
from scarplan.services.clinic.core.access import Permission, authorize, authorize_record, not_found
from scarplan.services.clinic.core.context import Actor, Clinic

BOOKED = "booked"
CANCELLED = "cancelled"
CHECKED_IN = "checked_in"
NO_SHOW = "no_show"
DONE = "done"
"""Carried out: a session was recorded for it (`session_id`)."""
OCCUPYING = (BOOKED, CHECKED_IN)
"""Statuses that hold a practitioner, device, room and the patient at their time."""
PROCEDURE = "procedure"
"""The kind of an appointment for a planned session (the others are visits)."""
MAX_DAYS = 31


class CalendarAxis(StrEnum):
    PRACTITIONER = "practitioner"
    DEVICE = "device"
    ROOM = "room"


@dataclass(frozen=True)
class AppointmentView:
    id: int
    patient_id: int
    patient_code: str
    patient_name: str
    plan_id: int | None
    session_key: str | None
    modality: str | None
    day: date
    start_minute: int
    end_minute: int
    practitioner: str
    device: str | None
    room: str
    status: str
    practitioner_name: str = ""
    room_name: str = ""
    device_name: str | None = None
    kind: str = PROCEDURE

    @property
    def start(self) -> str:
        return clock_time(self.start_minute)

    @property
    def end(self) -> str:
        return clock_time(self.end_minute)

    def lane(self, axis: CalendarAxis) -> str | None:
        return {
            CalendarAxis.PRACTITIONER: self.practitioner,
            CalendarAxis.DEVICE: self.device,
            CalendarAxis.ROOM: self.room,
        }[axis]


@dataclass(frozen=True)
class CalendarView:
    first: date
    days: tuple[date, ...]
    axis: CalendarAxis
    lanes: tuple[str, ...]
    appointments: tuple[AppointmentView, ...]

    def on(self, day: date, lane: str) -> list[AppointmentView]:
        return [a for a in self.appointments if a.day == day and a.lane(self.axis) == lane]


def appointment_view(
    record: AppointmentRecord, patient: PatientRecord, setup: SetupView | None = None
) -> AppointmentView:
    """The appointment with its practitioner, room and device by name (`SetupView.name_of`)."""

    def named(kind: ResourceKind, resource_id: str) -> str:
        return setup.name_of(kind, resource_id) if setup is not None else humanised(resource_id)

    return AppointmentView(
        id=record.id,
        patient_id=record.patient_id,
        patient_code=patient.code,
        patient_name=patient.full_name,
        plan_id=record.plan_id,
        session_key=record.session_key,
        modality=record.modality,
        day=record.day,
        start_minute=record.start_minute,
        end_minute=record.end_minute,
        practitioner=record.practitioner,
        device=record.device,
        room=record.room,
        status=record.status,
        practitioner_name=named(ResourceKind.PRACTITIONER, record.practitioner),
        room_name=named(ResourceKind.ROOM, record.room),
        device_name=named(ResourceKind.DEVICE, record.device) if record.device else None,
        kind=record.kind,
    )


def booked_between(session: Session, first: date, last: date) -> list[AppointmentView]:
    """Booked appointments from `first` to `last` inclusive, in time order."""
    rows = session.execute(
        select(AppointmentRecord, PatientRecord)
        .join(PatientRecord, PatientRecord.id == AppointmentRecord.patient_id)
        .where(
            AppointmentRecord.status.in_(OCCUPYING),
            AppointmentRecord.day >= first,
            AppointmentRecord.day <= last,
        )
        .order_by(AppointmentRecord.day, AppointmentRecord.start_minute, AppointmentRecord.id)
    ).all()
    setup = current_setup(session)
    return [appointment_view(record, patient, setup) for record, patient in rows]


def calendar(
    clinic: Clinic, actor: Actor, first: date, days: int, axis: CalendarAxis, lanes: list[str]
) -> CalendarView:
    """The booked appointments of `days` days from `first`, one lane per resource in `lanes`
    (the clinic's resources), plus any lane an appointment names that is no longer set up."""
    authorize(actor, Permission.LIST_PATIENTS)
    authorize(actor, Permission.READ_SCHEDULE)
    if not 1 <= days <= MAX_DAYS:
        raise InputError(
            "the calendar range is invalid",
            [FieldProblem("days", f"must be 1 to {MAX_DAYS}", "show a day or a week")],
        )
    last = first + timedelta(days=days - 1)
    with clinic.uow.read() as session:
        shown = booked_between(session, first, last)
    extra = sorted({lane for a in shown if (lane := a.lane(axis)) and lane not in lanes})
    clinic.audit.read(
        actor,
        "calendar",
        None,
        None,
        {"from": first.isoformat(), "to": last.isoformat(), "patients": _patients(shown)},
    )
    return CalendarView(
        first=first,
        days=tuple(first + timedelta(days=n) for n in range(days)),
        axis=axis,
        lanes=(*lanes, *extra),
        appointments=tuple(shown),
    )


def _patients(shown: list[AppointmentView]) -> list[int]:
    return sorted({a.patient_id for a in shown})


def patient_appointments(clinic: Clinic, actor: Actor, patient_id: int) -> list[AppointmentView]:
    """A patient's booked appointments from today on (their own, in the portal)."""
    authorize(actor, Permission.READ_SCHEDULE, patient_id)
    with clinic.uow.read() as session:
        rows = session.execute(
            select(AppointmentRecord, PatientRecord)
            .join(PatientRecord, PatientRecord.id == AppointmentRecord.patient_id)
            .where(
                AppointmentRecord.patient_id == patient_id,
                AppointmentRecord.status == BOOKED,
                AppointmentRecord.day >= clinic.today(),
            )
            .order_by(AppointmentRecord.day, AppointmentRecord.start_minute)
        ).all()
        shown = [
            appointment_view(record, patient, current_setup(session)) for record, patient in rows
        ]
    clinic.audit.read(actor, "appointment_list", None, patient_id)
    return shown


STATUS_WORDS = {
    BOOKED: "Booked",
    CHECKED_IN: "Checked in",
    NO_SHOW: "Did not attend",
    CANCELLED: "Cancelled",
    DONE: "Done",
}
ACTION_WORDS = {
    CHECKED_IN: "checked in",
    NO_SHOW: "marked as not attended",
    CANCELLED: "cancelled",
}


def status_change_refusal(record: AppointmentRecord, status: str, today: date) -> str | None:
    """The one rule for checking in, marking a no-show and cancelling (the front desk and the
    calendar alike): why `record` cannot take `status` today, or None when it can."""
    if record.status != BOOKED:
        now = STATUS_WORDS.get(record.status, record.status).lower()
        return f"It is {now}; only a booked appointment can be {ACTION_WORDS[status]}."
    if status == CHECKED_IN and record.day != today:
        return f"It is on {record.day:%d %b %Y}; patients check in on the day of the appointment."
    if status == NO_SHOW and record.day > today:
        return f"It is on {record.day:%d %b %Y}; a patient can miss it only once the day has come."
    if status == CANCELLED and record.day < today:
        return f"It was on {record.day:%d %b %Y}; a past appointment cannot be cancelled."
    return None


def load_appointment(session: Session, actor: Actor, appointment_id: int) -> AppointmentRecord:
    """The appointment, if the actor may manage it (else not found / refused)."""
    record = session.get(AppointmentRecord, appointment_id)
    if record is None:
        raise not_found("appointment_id", appointment_id, "appointment")
    authorize_record(
        actor,
        Permission.MANAGE_SCHEDULE,
        record.patient_id,
        "appointment_id",
        appointment_id,
        "appointment",
    )
    return record


def cancel_appointment(clinic: Clinic, actor: Actor, appointment_id: int) -> AppointmentView:
    """Cancel a booked appointment; the row is kept, marked cancelled. The next optimiser run
    books the session again unless its plan no longer has it."""
    authorize(actor, Permission.MANAGE_SCHEDULE)
    with clinic.uow.write() as session:
        record = load_appointment(session, actor, appointment_id)
        refusal = status_change_refusal(record, CANCELLED, clinic.today())
        if refusal is not None:
            raise StateError(
                "the appointment cannot be cancelled",
                [FieldProblem("appointment_id", refusal, "")],
            )
        record.status = CANCELLED
        record.updated_at = clinic.now()
        record.updated_by = actor.user_id
        clinic.audit.changed(session, actor, "cancel", "appointment", record.id, record.patient_id)
        patient = session.get_one(PatientRecord, record.patient_id)
        return appointment_view(record, patient, current_setup(session))


def mark_done(
    session: Session, patient_id: int, modality: str, day: date, session_id: int
) -> int | None:
    """The one rule linking a recorded session to its appointment: the patient's booked or
    checked-in procedure appointment of that procedure on that day (the earliest, if two)
    becomes done and names the session. Returns the appointment id, or None if none matched.
    Runs in the caller's transaction (the session recording's)."""
    record = session.scalars(
        select(AppointmentRecord)
        .where(
            AppointmentRecord.patient_id == patient_id,
            AppointmentRecord.kind == PROCEDURE,
            AppointmentRecord.modality == modality,
            AppointmentRecord.day == day,
            AppointmentRecord.status.in_(OCCUPYING),
        )
        .order_by(AppointmentRecord.start_minute, AppointmentRecord.id)
        .limit(1)
    ).first()
    if record is None:
        return None
    record.status = DONE
    record.session_id = session_id
    return record.id
