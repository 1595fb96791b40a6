"""The front desk's day: the appointments of a day, check-in, no-show, cancelling, booking and
rescheduling by hand.

A booking by hand obeys the optimiser's rules, taken from where they live: the hard
constraints of one booking (slot grid, the practitioner's procedures, hours and days off, the
device, the room, nobody booked twice at once) from `scheduling.checker.booking_violations`,
session lengths from `scheduling.defaults.session_minutes`, and the healing gap between two
sessions of a plan from `services.plan_gaps.gap_limits` (the planner's own rule). Each refusal
says in words who or what is in the way.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

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
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.domain.vocabulary import Modality
from scarplan.planning.document import PlanDocument, read_plan_document
from scarplan.scheduling.checker import Violation, booking_violations
from scarplan.scheduling.defaults import session_minutes
from scarplan.scheduling.model import (
    WEEKDAYS,
    Assignment,
    Horizon,
    Instance,
    SessionRequest,
    clock_time,
    minute_of_day,
)
from scarplan.services.clinic.calendar.appointments import (
    ACTION_WORDS,
    BOOKED,
    CANCELLED,
    CHECKED_IN,
    DONE,
    NO_SHOW,
    OCCUPYING,
    STATUS_WORDS,
    load_appointment,
    status_change_refusal,
)
from scarplan.services.clinic.calendar.schedule_instance import patient_key, session_key
from scarplan.services.clinic.calendar.schedule_setup import (
    ResourceKind,
    SetupView,
    current_setup,
    humanised,
    require_setup,
)
from scarplan.services.clinic.core.access import Permission, authorize, not_found
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.plans import active_plan
from scarplan.services.plan_gaps import gap_limits

logger = logging.getLogger(__name__)

SEARCH_DAYS = 60
"""How far the booking page looks for the first day with a free slot."""


class VisitKind(StrEnum):
    PROCEDURE = "procedure"
    FOLLOW_UP = "follow_up"
    OUTCOME_REVIEW = "outcome_review"


VISIT_MINUTES = {VisitKind.FOLLOW_UP: 15, VisitKind.OUTCOME_REVIEW: 30}
"""A visit's length when the set-up's `durations` does not give one."""
VISIT_WORDS = {VisitKind.FOLLOW_UP: "Follow-up visit", VisitKind.OUTCOME_REVIEW: "Outcome review"}


@dataclass(frozen=True)
class DeskAppointment:
    id: int
    patient_id: int
    patient_name: str
    phone: str | None
    email: str | None
    kind: VisitKind
    what: str
    """The procedure or visit in words."""
    plan_id: int | None
    session_key: str | None
    day: date
    start_minute: int
    end_minute: int
    practitioner: str
    practitioner_name: str
    room_name: str
    device_name: str | None
    status: str
    checked_in_at: datetime | None
    session_id: int | None

    @property
    def start(self) -> str:
        return clock_time(self.start_minute)

    @property
    def end(self) -> str:
        return clock_time(self.end_minute)

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status.replace("_", " ").capitalize())


@dataclass(frozen=True)
class DeskLane:
    practitioner_name: str
    appointments: tuple[DeskAppointment, ...]


@dataclass(frozen=True)
class DeskDay:
    day: date
    today: date
    lanes: tuple[DeskLane, ...]
    set_up: bool

    @property
    def count(self) -> int:
        return sum(len(lane.appointments) for lane in self.lanes)

    def can_check_in(self, a: DeskAppointment) -> bool:
        return a.status == BOOKED and a.day == self.today

    def can_mark_no_show(self, a: DeskAppointment) -> bool:
        return a.status == BOOKED and a.day <= self.today

    def can_cancel(self, a: DeskAppointment) -> bool:
        return a.status == BOOKED and a.day >= self.today

    def can_reschedule(self, a: DeskAppointment) -> bool:
        return a.status == BOOKED and a.day >= self.today


@dataclass(frozen=True)
class BookingRequest:
    """What is to be booked: a patient's planned session (procedure, by its session key), a
    follow-up or an outcome review; or, with `appointment_id`, a booking to move."""

    patient_id: int
    kind: VisitKind = VisitKind.PROCEDURE
    session_key: str | None = None
    appointment_id: int | None = None


@dataclass(frozen=True)
class FreeSlot:
    day: date
    start_minute: int
    end_minute: int
    practitioner: str
    practitioner_name: str
    device: str | None
    device_name: str | None
    room: str
    room_name: str

    @property
    def start(self) -> str:
        return clock_time(self.start_minute)

    @property
    def end(self) -> str:
        return clock_time(self.end_minute)


@dataclass(frozen=True)
class BookingPage:
    request: BookingRequest
    patient_name: str
    what: str
    minutes: int
    day: date
    earliest: date
    latest: date | None
    slots: tuple[FreeSlot, ...]
    gap_problem: str | None
    """Why the day itself cannot be booked (a healing gap), if so."""
    moving: DeskAppointment | None


@dataclass(frozen=True)
class NextSession:
    session_key: str
    what: str
    ideal: date
    earliest: date


@dataclass(frozen=True)
class _Target:
    """Everything the rules need about what is being booked."""

    patient: PatientRecord
    kind: VisitKind
    procedure: Modality | None
    minutes: int
    plan_id: int | None
    session_key: str | None
    planned: PlannedSessionRecord | None
    document: PlanDocument | None
    moving: AppointmentRecord | None
    what: str


# --- the day -------------------------------------------------------------------------------


def desk_day(clinic: Clinic, actor: Actor, day: date) -> DeskDay:
    """The day's appointments (every status) by practitioner, in time order."""
    authorize(actor, Permission.LIST_PATIENTS)
    authorize(actor, Permission.MANAGE_SCHEDULE)
    with clinic.uow.read() as session:
        setup = _setup_or_none(session)
        rows = session.execute(
            select(AppointmentRecord, PatientRecord)
            .join(PatientRecord, PatientRecord.id == AppointmentRecord.patient_id)
            .where(AppointmentRecord.day == day)
            .order_by(AppointmentRecord.start_minute, AppointmentRecord.id)
        ).all()
        shown = [_desk_view(clinic, setup, record, patient) for record, patient in rows]
    clinic.audit.read(
        actor,
        "front_desk_day",
        None,
        None,
        {"day": day.isoformat(), "patients": sorted({a.patient_id for a in shown})},
    )
    lanes: dict[str, list[DeskAppointment]] = defaultdict(list)
    order = setup.lanes(ResourceKind.PRACTITIONER) if setup is not None else []
    for a in shown:
        lanes[a.practitioner].append(a)
    keys = [p for p in order if p in lanes] + sorted(p for p in lanes if p not in order)
    return DeskDay(
        day=day,
        today=clinic.today(),
        lanes=tuple(DeskLane(lanes[p][0].practitioner_name, tuple(lanes[p])) for p in keys),
        set_up=setup is not None,
    )


def _setup_or_none(session: Session) -> SetupView | None:
    return current_setup(session)


def _what(clinic: Clinic, kind: str, modality: str | None) -> str:
    if kind != VisitKind.PROCEDURE:
        return VISIT_WORDS.get(VisitKind(kind), kind.replace("_", " ").capitalize())
    if modality is None:
        return "Procedure"
    entry = clinic.knowledge.modalities.get(Modality(modality))
    return entry.name if entry is not None else modality.replace("_", " ").capitalize()


def _name(setup: SetupView | None, kind: ResourceKind, resource_id: str) -> str:
    return setup.name_of(kind, resource_id) if setup is not None else humanised(resource_id)


def _desk_view(
    clinic: Clinic, setup: SetupView | None, record: AppointmentRecord, patient: PatientRecord
) -> DeskAppointment:
    return DeskAppointment(
        id=record.id,
        patient_id=patient.id,
        patient_name=patient.full_name,
        phone=patient.phone,
        email=patient.email,
        kind=VisitKind(record.kind),
        what=_what(clinic, record.kind, record.modality),
        plan_id=record.plan_id,
        session_key=record.session_key,
        day=record.day,
        start_minute=record.start_minute,
        end_minute=record.end_minute,
        practitioner=record.practitioner,
        practitioner_name=_name(setup, ResourceKind.PRACTITIONER, record.practitioner),
        room_name=_name(setup, ResourceKind.ROOM, record.room),
        device_name=_name(setup, ResourceKind.DEVICE, record.device) if record.device else None,
        status=record.status,
        checked_in_at=record.checked_in_at,
        session_id=record.session_id,
    )


# --- status changes ------------------------------------------------------------------------


def check_in(clinic: Clinic, actor: Actor, appointment_id: int) -> DeskAppointment:
    """The patient has arrived: the time is recorded. Only a booked appointment of today."""
    return _change(clinic, actor, appointment_id, CHECKED_IN)


def mark_no_show(clinic: Clinic, actor: Actor, appointment_id: int) -> DeskAppointment:
    """The patient did not come: a booked appointment of today or a past day."""
    return _change(clinic, actor, appointment_id, NO_SHOW)


def cancel(clinic: Clinic, actor: Actor, appointment_id: int) -> DeskAppointment:
    """Cancel a booked appointment of today or later (the row is kept, marked cancelled)."""
    return _change(clinic, actor, appointment_id, CANCELLED)


def _change(clinic: Clinic, actor: Actor, appointment_id: int, status: str) -> DeskAppointment:
    authorize(actor, Permission.MANAGE_SCHEDULE)
    today = clinic.today()
    with clinic.uow.write() as session:
        record = load_appointment(session, actor, appointment_id)
        refusal = status_change_refusal(record, status, today)
        if refusal is not None:
            raise StateError(
                f"the appointment cannot be {ACTION_WORDS[status]}",
                [FieldProblem("appointment_id", refusal, "")],
            )
        record.status = status
        if status == CHECKED_IN:
            record.checked_in_at = clinic.now()
        record.updated_at = clinic.now()
        record.updated_by = actor.user_id
        clinic.audit.changed(session, actor, status, "appointment", record.id, record.patient_id)
        patient = session.get_one(PatientRecord, record.patient_id)
        return _desk_view(clinic, _setup_or_none(session), record, patient)


# --- booking -------------------------------------------------------------------------------


def booking_page(
    clinic: Clinic,
    actor: Actor,
    request: BookingRequest,
    earliest: date | None,
    latest: date | None,
    day: date | None,
) -> BookingPage:
    """The free slots of `day`, or of the first day from `earliest` (not before today, not
    after `latest`) that has one."""
    authorize(actor, Permission.MANAGE_SCHEDULE)
    today = clinic.today()
    first = max(earliest or today, today)
    if latest is not None and latest < first:
        raise InputError(
            "the booking window is invalid",
            [FieldProblem("latest", "is before the earliest day", "choose a later last day")],
        )
    with clinic.uow.read() as session:
        setup = require_setup(session)
        target = _target(session, clinic, setup, request)
        shown = day or first
        if day is None:
            last = latest or first + timedelta(days=SEARCH_DAYS)
            probe = first
            while probe <= last:
                if _free_slots(session, clinic, setup, target, probe):
                    shown = probe
                    break
                probe += timedelta(days=1)
        slots = _free_slots(session, clinic, setup, target, shown) if shown >= today else []
        gap = _gap_problem(session, clinic, target, shown)
        moving = (
            _desk_view(clinic, setup, target.moving, target.patient)
            if target.moving is not None
            else None
        )
    return BookingPage(
        request=request,
        patient_name=target.patient.full_name,
        what=target.what,
        minutes=target.minutes,
        day=shown,
        earliest=first,
        latest=latest,
        slots=tuple(slots),
        gap_problem=gap,
        moving=moving,
    )


def book(
    clinic: Clinic,
    actor: Actor,
    request: BookingRequest,
    day: date,
    start: str,
    practitioner: str,
    device: str | None,
    room: str,
) -> DeskAppointment:
    """Book (or, for `request.appointment_id`, move) at `day` `start`, or refuse saying why.

    Everything is checked again in the write transaction: a slot taken since the page was
    shown is refused like any clash."""
    authorize(actor, Permission.MANAGE_SCHEDULE)
    start_minute = _clock(start)
    if day < clinic.today():
        raise InputError(
            "the booking is invalid",
            [FieldProblem("day", f"{day:%d %b %Y} is in the past", "choose today or later")],
        )
    with clinic.uow.write() as session:
        setup = require_setup(session)
        target = _target(session, clinic, setup, request)
        if start_minute + target.minutes > 24 * 60:
            raise InputError(
                "the booking is invalid",
                [
                    FieldProblem(
                        "start", "the appointment would end after midnight", "start earlier"
                    )
                ],
            )
        candidate = Assignment(
            session=_candidate_id(target),
            patient=patient_key(target.patient.id),
            date=day,
            start=clock_time(start_minute),
            end=clock_time(start_minute + target.minutes),
            practitioner=practitioner,
            device=device or None,
            room=room,
        )
        problems = _problems(session, clinic, setup, target, candidate)
        gap = _gap_problem(session, clinic, target, day)
        if gap is not None:
            problems.append(gap)
        if problems:
            raise StateError(
                "the booking is refused",
                [FieldProblem("start", p, "choose another time, day or person") for p in problems],
            )
        now = clinic.now()
        record = target.moving
        if record is None:
            record = AppointmentRecord(
                patient_id=target.patient.id,
                kind=target.kind.value,
                plan_id=target.plan_id,
                planned_session_id=target.planned.id if target.planned is not None else None,
                session_key=target.session_key,
                modality=target.procedure.value if target.procedure is not None else None,
                status=BOOKED,
                created_at=now,
            )
            session.add(record)
        before = (
            {"day": record.day.isoformat(), "start": clock_time(record.start_minute)}
            if target.moving is not None
            else None
        )
        record.day = day
        record.start_minute = start_minute
        record.end_minute = start_minute + target.minutes
        record.practitioner = practitioner
        record.device = candidate.device
        record.room = room
        record.updated_at = now
        record.updated_by = actor.user_id
        session.flush()
        clinic.audit.changed(
            session,
            actor,
            "reschedule" if before is not None else "book",
            "appointment",
            record.id,
            target.patient.id,
            {
                "day": day.isoformat(),
                "start": candidate.start,
                **({"before": before} if before else {}),
            },
        )
        return _desk_view(clinic, setup, record, target.patient)


def _candidate_id(target: _Target) -> str:
    return f"appointment{target.moving.id}" if target.moving is not None else "new"


def _clock(raw: str) -> int:
    try:
        minute = minute_of_day(raw)
        if not 0 <= minute < 24 * 60 or len(raw) != 5:
            raise ValueError(raw)
    except ValueError:
        raise InputError(
            "the booking is invalid",
            [FieldProblem("start", "is not a time of day", "use HH:MM, e.g. 09:30")],
        ) from None
    return minute


def _target(session: Session, clinic: Clinic, setup: SetupView, request: BookingRequest) -> _Target:
    moving: AppointmentRecord | None = None
    kind, key = request.kind, request.session_key
    if request.appointment_id is not None:
        moving = session.get(AppointmentRecord, request.appointment_id)
        if moving is None or moving.patient_id != request.patient_id:
            raise not_found("appointment", request.appointment_id, "appointment")
        if moving.status != BOOKED:
            now = STATUS_WORDS.get(moving.status, moving.status).lower()
            raise StateError(
                "the appointment cannot be moved",
                [FieldProblem("appointment", f"It is {now}; only a booked one can be moved.", "")],
            )
        kind, key = VisitKind(moving.kind), moving.session_key
    patient = session.get(PatientRecord, request.patient_id)
    if patient is None:
        raise not_found("patient", request.patient_id, "patient")
    if kind is not VisitKind.PROCEDURE:
        configured = {str(k): v for k, v in setup.schedule.durations.items()}
        minutes = configured.get(kind.value, VISIT_MINUTES[kind])
        return _Target(
            patient, kind, None, minutes, None, None, None, None, moving, _what(clinic, kind, None)
        )
    if not key:
        raise InputError(
            "the booking is invalid",
            [
                FieldProblem(
                    "session",
                    "names no planned session",
                    "open the booking from the patient's plan",
                )
            ],
        )
    plan = active_plan(session, patient.id)
    planned = _planned_by_key(session, plan, key) if plan is not None else None
    if plan is None or planned is None:
        raise InputError(
            "the booking is invalid",
            [
                FieldProblem(
                    "session",
                    "is not a session of the patient's accepted plan",
                    "open the booking from the patient's overview",
                )
            ],
        )
    version = session.scalars(
        select(PlanVersionRecord).where(
            PlanVersionRecord.plan_id == plan.id, PlanVersionRecord.version == plan.current_version
        )
    ).one()
    procedure = Modality(planned.modality)
    minutes = session_minutes(
        SessionRequest(id=key, procedure=procedure), _probe(setup, clinic.today()), clinic.knowledge
    )
    document = read_plan_document(version.document) if version.document else None
    return _Target(
        patient,
        kind,
        procedure,
        minutes,
        plan.id,
        key,
        planned,
        document,
        moving,
        _what(clinic, kind, procedure.value),
    )


def _planned_sessions(session: Session, plan: PlanRecord) -> list[PlannedSessionRecord]:
    return list(
        session.scalars(
            select(PlannedSessionRecord)
            .join(PlanVersionRecord, PlanVersionRecord.id == PlannedSessionRecord.plan_version_id)
            .where(
                PlanVersionRecord.plan_id == plan.id,
                PlanVersionRecord.version == plan.current_version,
            )
            .order_by(PlannedSessionRecord.day, PlannedSessionRecord.position)
        ).all()
    )


def _planned_by_key(session: Session, plan: PlanRecord, key: str) -> PlannedSessionRecord | None:
    return next(
        (
            p
            for p in _planned_sessions(session, plan)
            if session_key(plan.id, p.modality, p.number) == key
        ),
        None,
    )


def _probe(setup: SetupView, day: date) -> Instance:
    schedule = setup.schedule
    return Instance(
        version=1,
        horizon=Horizon(start=day, days=1),
        slot_minutes=schedule.slot_minutes,
        resources=schedule.resources,
        patients=[],
        durations=schedule.durations,
    )


def _occupied(session: Session, day: date) -> list[tuple[AppointmentRecord, PatientRecord]]:
    rows = session.execute(
        select(AppointmentRecord, PatientRecord)
        .join(PatientRecord, PatientRecord.id == AppointmentRecord.patient_id)
        .where(AppointmentRecord.day == day, AppointmentRecord.status.in_(OCCUPYING))
    ).all()
    return [(record, patient) for record, patient in rows]


def _assignment(record: AppointmentRecord) -> Assignment:
    return Assignment(
        session=f"appointment{record.id}",
        patient=patient_key(record.patient_id),
        date=record.day,
        start=clock_time(record.start_minute),
        end=clock_time(record.end_minute),
        practitioner=record.practitioner,
        device=record.device,
        room=record.room,
    )


def _problems(
    session: Session, clinic: Clinic, setup: SetupView, target: _Target, candidate: Assignment
) -> list[str]:
    occupied = _occupied(session, candidate.date)
    others = [_assignment(record) for record, _ in occupied]
    found = booking_violations(
        _probe(setup, candidate.date), clinic.knowledge, candidate, target.procedure, others
    )
    by_session = {f"appointment{r.id}": (r, p) for r, p in occupied}
    return [_words(v, candidate, target, setup, by_session, clinic) for v in found]


def _words(
    v: Violation,
    a: Assignment,
    target: _Target,
    setup: SetupView,
    others: dict[str, tuple[AppointmentRecord, PatientRecord]],
    clinic: Clinic,
) -> str:
    practitioner = setup.name_of(ResourceKind.PRACTITIONER, a.practitioner)
    room = setup.name_of(ResourceKind.ROOM, a.room)
    device = setup.name_of(ResourceKind.DEVICE, a.device) if a.device else "the device"
    what = target.what
    day = f"{a.date:%a %d %b %Y}"
    if v.constraint.startswith("overlap_"):
        other_id = next((s for s in v.sessions if s != a.session), "")
        record, patient = others[other_id]
        at = clock_time(record.start_minute)
        who = patient.full_name
        return {
            "overlap_practitioner": f"{practitioner} already sees {who} at {at}",
            "overlap_device": f"The {device} is in use for {who} at {at}",
            "overlap_room": f"{room} is taken by {who} at {at}",
            "overlap_patient": f"{target.patient.full_name} already has an appointment at {at}",
        }[v.constraint]
    grid = setup.schedule.slot_minutes
    words = {
        "slot_grid": f"Appointments start on the clinic's {grid}-minute grid",
        "practitioner_unknown": "That practitioner is not in the clinic's set-up",
        "practitioner_qualification": f"{practitioner} does not do {what}",
        "practitioner_day_off": f"{practitioner} is off on {day}",
        "practitioner_hours": f"{practitioner} does not work {a.start}-{a.end} on {day}",
        "device_not_needed": f"{what} needs no device",
        "device_required": f"{what} needs a device; choose one",
        "device_unknown": "That device is not in the clinic's set-up",
        "device_procedure": f"The {device} cannot be used for {what}",
        "device_day_off": f"The {device} is out of service on {day}",
        "room_unknown": "That room is not in the clinic's set-up",
        "room_procedure": f"{room} is not equipped for {what}",
        "room_day_off": f"{room} is closed on {day}",
    }
    found = words.get(v.constraint)
    if found is None:
        logger.warning("no words for a booking violation: %s", v)
        return "The slot breaks a scheduling rule; choose another"
    return found


def _free_slots(
    session: Session, clinic: Clinic, setup: SetupView, target: _Target, day: date
) -> list[FreeSlot]:
    """One free slot per start time and practitioner (the first device and room free)."""
    if _gap_problem(session, clinic, target, day) is not None:
        return []
    resources = setup.schedule.resources
    weekday = WEEKDAYS[day.weekday()]
    slot = setup.schedule.slot_minutes
    others = [_assignment(r) for r, _ in _occupied(session, day)]
    probe = _probe(setup, day)
    devices: list[str | None] = [None]
    if target.procedure is not None and clinic.knowledge.modalities[target.procedure].device:
        devices = [d.id for d in resources.devices]
    found: list[FreeSlot] = []
    now_minute = clinic.now().hour * 60 + clinic.now().minute if day == clinic.today() else -1
    for practitioner in resources.practitioners:
        if target.procedure is not None and target.procedure not in practitioner.procedures:
            continue
        for hours in practitioner.hours.get(weekday, []):
            low, high = hours.minutes
            start = -(-low // slot) * slot
            while start + target.minutes <= high:
                if start > now_minute:
                    free = _first_free(
                        probe,
                        clinic,
                        target,
                        day,
                        start,
                        practitioner.id,
                        devices,
                        [r.id for r in resources.rooms],
                        others,
                    )
                    if free is not None:
                        found.append(free_slot(setup, free, start, target.minutes))
                start += slot
    found.sort(key=lambda s: (s.start_minute, s.practitioner_name))
    return found


def free_slot(setup: SetupView, a: Assignment, start: int, minutes: int) -> FreeSlot:
    return FreeSlot(
        day=a.date,
        start_minute=start,
        end_minute=start + minutes,
        practitioner=a.practitioner,
        practitioner_name=setup.name_of(ResourceKind.PRACTITIONER, a.practitioner),
        device=a.device,
        device_name=setup.name_of(ResourceKind.DEVICE, a.device) if a.device else None,
        room=a.room,
        room_name=setup.name_of(ResourceKind.ROOM, a.room),
    )


def _first_free(
    probe: Instance,
    clinic: Clinic,
    target: _Target,
    day: date,
    start: int,
    practitioner: str,
    devices: Sequence[str | None],
    rooms: Sequence[str],
    others: Sequence[Assignment],
) -> Assignment | None:
    for device in devices:
        for room in rooms:
            candidate = Assignment(
                session=_candidate_id(target),
                patient=patient_key(target.patient.id),
                date=day,
                start=clock_time(start),
                end=clock_time(start + target.minutes),
                practitioner=practitioner,
                device=device,
                room=room,
            )
            if not booking_violations(probe, clinic.knowledge, candidate, target.procedure, others):
                return candidate
    return None


# --- the healing gap -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Done:
    day: date
    modality: str


def _gap_problem(session: Session, clinic: Clinic, target: _Target, day: date) -> str | None:
    """Why `day` is too close to the plan's session before or after it, by the plan's rule."""
    if target.procedure is None or target.plan_id is None or target.planned is None:
        return None
    plan = session.get_one(PlanRecord, target.plan_id)
    planned = _planned_sessions(session, plan)
    planned_day = {session_key(plan.id, p.modality, p.number): p.day for p in planned}
    events = _plan_events(session, target)
    default_gap = clinic.settings.default_gap_between_modalities_days
    ideal = target.planned.day
    before = [e for e in events if e[0].day <= day]
    after = [e for e in events if e[0].day > day]
    if before:
        event, key = max(before, key=lambda e: e[0].day)
        planned_gap = (
            (ideal - planned_day.get(key, event.day)).days if key else (ideal - event.day).days
        )
        low, _ = gap_limits(
            event.modality, target.procedure.value, planned_gap, target.document, default_gap
        )
        gap = (day - event.day).days
        if gap < low:
            return (
                f"Only {gap} day{'s' if gap != 1 else ''} after the last "
                f"{_what(clinic, VisitKind.PROCEDURE, event.modality)} session "
                f"({event.day:%d %b %Y}); at least {low} are needed"
            )
    if after:
        event, key = min(after, key=lambda e: e[0].day)
        planned_gap = (
            (planned_day.get(key, event.day) - ideal).days if key else (event.day - ideal).days
        )
        low, _ = gap_limits(
            target.procedure.value, event.modality, planned_gap, target.document, default_gap
        )
        gap = (event.day - day).days
        if gap < low:
            return (
                f"Only {gap} day{'s' if gap != 1 else ''} before the booked "
                f"{_what(clinic, VisitKind.PROCEDURE, event.modality)} session "
                f"({event.day:%d %b %Y}); at least {low} are needed between them"
            )
    return None


def _plan_events(session: Session, target: _Target) -> list[tuple[_Done, str | None]]:
    """The plan's sessions done (recorded) and booked, other than the one being booked."""
    done = session.execute(
        select(TreatmentSessionRecord.performed_on, TreatmentSessionRecord.modality).where(
            TreatmentSessionRecord.patient_id == target.patient.id,
            TreatmentSessionRecord.plan_id == target.plan_id,
        )
    ).all()
    booked = session.scalars(
        select(AppointmentRecord).where(
            AppointmentRecord.plan_id == target.plan_id,
            AppointmentRecord.kind == VisitKind.PROCEDURE.value,
            AppointmentRecord.status.in_(OCCUPYING),
            AppointmentRecord.session_key != target.session_key,
        )
    ).all()
    events: list[tuple[_Done, str | None]] = [
        (_Done(row.performed_on, row.modality), None) for row in done
    ]
    events += [(_Done(r.day, r.modality or ""), r.session_key) for r in booked if r.modality]
    return events


# --- the next session ----------------------------------------------------------------------


def next_session(clinic: Clinic, actor: Actor, patient_id: int) -> NextSession | None:
    """The patient's next planned session not yet done nor booked, with its booking window."""
    authorize(actor, Permission.READ_SCHEDULE, patient_id)
    today = clinic.today()
    with clinic.uow.read() as session:
        plan = active_plan(session, patient_id)
        if plan is None:
            return None
        done = set(
            session.scalars(
                select(TreatmentSessionRecord.planned_session_id).where(
                    TreatmentSessionRecord.plan_id == plan.id,
                    TreatmentSessionRecord.planned_session_id.is_not(None),
                )
            ).all()
        )
        done_count: dict[str, int] = defaultdict(int)
        for modality in session.scalars(
            select(TreatmentSessionRecord.modality).where(TreatmentSessionRecord.plan_id == plan.id)
        ).all():
            done_count[modality] += 1
        booked = set(
            session.scalars(
                select(AppointmentRecord.session_key).where(
                    AppointmentRecord.plan_id == plan.id,
                    AppointmentRecord.status.in_((*OCCUPYING, DONE)),
                )
            ).all()
        )
        for planned in _planned_sessions(session, plan):
            key = session_key(plan.id, planned.modality, planned.number)
            if (
                planned.id in done
                or key in booked
                or planned.number <= done_count[planned.modality]
            ):
                continue
            return NextSession(
                session_key=key,
                what=_what(clinic, VisitKind.PROCEDURE, planned.modality),
                ideal=planned.day,
                earliest=max(planned.day, today),
            )
    return None
