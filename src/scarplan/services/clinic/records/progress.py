"""Read models: the patient overview, score trends, before/after photo pairs, the calendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, Label, Row, bindparam, func, select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import (
    AdverseEventRecord,
    AppointmentRecord,
    AssessmentRecord,
    PatientRecord,
    PhotoRecord,
    PlanRecord,
    TreatmentSessionRecord,
)
from scarplan.scheduling.model import clock_time
from scarplan.services.clinic.calendar.appointments import OCCUPYING
from scarplan.services.clinic.calendar.schedule_instance import session_key
from scarplan.services.clinic.core.access import Permission, authorize, can
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.plans import (
    OPEN,
    PlannedSessionView,
    PlanStatus,
    PlanView,
    PlanWithSessions,
    patient_plans,
    read_plan_view,
)
from scarplan.services.clinic.records.outcomes import OutcomeSeries, outcome_series
from scarplan.services.clinic.records.patients import (
    PatientDetail,
    detail,
    load_patient,
    no_patient,
)
from scarplan.services.clinic.records.photos import PhotoView, list_photos


@dataclass(frozen=True)
class ScoreSummary:
    assessment_id: int
    assessed_on: date
    goodman_baron_qualitative: int
    goodman_baron_quantitative: float
    ecca: int
    counts_by_type: dict[str, int]
    goodman_baron_quantitative_max: float | None = None
    ecca_max: float | None = None
    """The scales' maxima, read from the stored result where a page draws to scale."""


@dataclass(frozen=True)
class PlanSummary:
    id: int
    status: str
    version: int
    total_cost: Decimal | None
    currency: str
    end_date: date | None
    sessions_done: int
    sessions_total: int


@dataclass(frozen=True)
class Overview:
    patient: PatientDetail
    latest: ScoreSummary | None
    previous: ScoreSummary | None
    plan: PlanSummary | None
    next_session: PlannedSessionView | None
    assessments: int
    sessions: int
    last_session_on: date | None
    unresolved_adverse_events: int
    photos: int
    outcomes: list[OutcomeSeries]
    """Patient-reported outcomes (questionnaires answered at home), for clinical readers."""
    next_booking: NextBooking | None = None
    """The appointment booked for `next_session`, if one is: its day replaces the plan's."""
    first_unresolved_event_id: int | None = None
    """The oldest adverse event without a resolved date (the count links to it)."""


@dataclass(frozen=True)
class NextBooking:
    day: date
    start: str


def _score(record: Any, *, maxima: bool = False) -> ScoreSummary:
    """From an assessment record or row (`result` is read only for `maxima`)."""
    result = record.result if maxima else None
    return ScoreSummary(
        assessment_id=record.id,
        assessed_on=record.assessed_on,
        goodman_baron_qualitative=record.gb_qualitative,
        goodman_baron_quantitative=record.gb_quantitative,
        ecca=record.ecca,
        counts_by_type=record.counts,
        goodman_baron_quantitative_max=result["goodman_baron"]["quantitative_max"]
        if result
        else None,
        ecca_max=result["ecca_detail"]["max"] if result else None,
    )


def _open_plan_row(rows: Session | Connection, patient_id: int) -> tuple[int, str, int] | None:
    """(id, status, current version) of the plan being followed or considered."""
    found = rows.execute(
        select(PlanRecord.id, PlanRecord.status, PlanRecord.current_version)
        .where(PlanRecord.patient_id == patient_id, PlanRecord.status.in_(OPEN))
        .order_by(PlanRecord.id.desc())
    ).all()
    chosen = _followed_first(found)
    return (chosen[0], chosen[1], chosen[2]) if chosen is not None else None


def _followed_first(open_plans: Sequence[Any]) -> Any | None:
    """Of a patient's open plans (newest first, each with a `status`), the one being followed
    or considered: the newest open one, an accepted or running plan before a proposal."""
    if not open_plans:
        return None
    return next((p for p in open_plans if p.status != "proposed"), open_plans[0])


def open_plan(session: Session, patient_id: int) -> PlanView | None:
    row = _open_plan_row(session, patient_id)
    return read_plan_view(session, row[0]) if row is not None else None


def reported_plan(session: Session, patient_id: int) -> PlanView | None:
    """The plan a report is about: the open one, else the newest completed one (a course
    carried out to its last session is still the patient's plan; issue 22)."""
    found = open_plan(session, patient_id)
    if found is not None:
        return found
    completed = session.scalar(
        select(PlanRecord.id)
        .where(PlanRecord.patient_id == patient_id, PlanRecord.status == PlanStatus.COMPLETED.value)
        .order_by(PlanRecord.id.desc())
        .limit(1)
    )
    return read_plan_view(session, completed) if completed is not None else None


# The overview is read on every visit to a patient: plain row queries on the connection, no ORM
# objects and no stored documents. Its statements are built once, at import, with bound
# parameters: building a select and computing its cache key on every request cost the page
# more time than the database spent answering it (measured with py-spy, docs/operations.md).
_ASSESSMENTS = AssessmentRecord.__table__
_PATIENTS = PatientRecord.__table__
_SESSIONS = TreatmentSessionRecord.__table__
_EVENTS = AdverseEventRecord.__table__
_PHOTOS = PhotoRecord.__table__
_APPOINTMENTS = AppointmentRecord.__table__

_UNRESOLVED_EVENTS = (
    select(func.count(_EVENTS.c.id))
    .join(_SESSIONS, _SESSIONS.c.id == _EVENTS.c.session_id)
    .where(_SESSIONS.c.patient_id == _PATIENTS.c.id, _EVENTS.c.resolved_on.is_(None))
)


def _of_the_patient(table: FromClause, aggregate: ColumnElement[Any], name: str) -> Label[Any]:
    """`aggregate` over `table`'s rows of the patient read, as a column of that read."""
    return (
        select(aggregate).where(table.c.patient_id == _PATIENTS.c.id).scalar_subquery().label(name)
    )


_PATIENT_WITH_COUNTS = select(
    _PATIENTS,
    _of_the_patient(_ASSESSMENTS, func.count(), "assessment_count"),
    _of_the_patient(_SESSIONS, func.count(), "session_count"),
    _of_the_patient(_SESSIONS, func.max(_SESSIONS.c.performed_on), "last_session_on"),
    _UNRESOLVED_EVENTS.scalar_subquery().label("unresolved"),
    _UNRESOLVED_EVENTS.with_only_columns(func.min(_EVENTS.c.id))
    .scalar_subquery()
    .label("first_unresolved"),
    _of_the_patient(_PHOTOS, func.count(), "photo_count"),
).where(_PATIENTS.c.id == bindparam("patient_id"))

_RECENT_ASSESSMENTS = (
    select(*(c for c in _ASSESSMENTS.c if c.key != "result"))
    .where(_ASSESSMENTS.c.patient_id == bindparam("patient_id"))
    .order_by(_ASSESSMENTS.c.assessed_on.desc(), _ASSESSMENTS.c.id.desc())
    .limit(2)
)

_LIVE_BOOKING = (
    select(_APPOINTMENTS.c.day, _APPOINTMENTS.c.start_minute)
    .where(
        _APPOINTMENTS.c.session_key == bindparam("session_key"),
        _APPOINTMENTS.c.status.in_(OCCUPYING),
    )
    .order_by(_APPOINTMENTS.c.day, _APPOINTMENTS.c.start_minute)
    .limit(1)
)


def _open_plan_summary(
    plans: list[PlanWithSessions],
) -> tuple[PlanSummary | None, list[PlannedSessionView]]:
    """The open plan's summary and its sessions still to do (none for a proposal), from the
    patient's plans (`patient_plans`)."""
    plan = _followed_first([p for p in plans if p.status in OPEN])
    if plan is None:
        return None, []
    summary = PlanSummary(
        id=plan.id,
        status=plan.status,
        version=plan.version,
        total_cost=plan.total_cost,
        currency=plan.currency,
        end_date=plan.end_date,
        sessions_done=sum(1 for p in plan.sessions if p.done_by_session_id is not None),
        sessions_total=len(plan.sessions),
    )
    upcoming = [p for p in plan.sessions if p.done_by_session_id is None]
    return summary, upcoming if plan.status != "proposed" else []


def _earliest(upcoming: list[PlannedSessionView]) -> PlannedSessionView | None:
    return min(upcoming, key=lambda s: (s.day, s.position)) if upcoming else None


def next_planned_session(rows: Connection, patient_id: int) -> PlannedSessionView | None:
    """The next session still to do in the plan being followed (none for a proposal)."""
    return _earliest(_open_plan_summary(patient_plans(rows, patient_id))[1])


def _patient_with_counts(rows: Connection, patient_id: int) -> Row[Any]:
    """The patient's row with how many assessments, sessions, open adverse events and photos
    they have and their last session's day, in one query."""
    row = rows.execute(_PATIENT_WITH_COUNTS, {"patient_id": patient_id}).one_or_none()
    if row is None:
        raise no_patient(patient_id)
    return row


def patient_overview(clinic: Clinic, actor: Actor, patient_id: int) -> Overview:
    """The patient page's summary. Without clinical access (front-desk staff) the scores are
    left out: the schedule and record counts remain."""
    authorize(actor, Permission.READ_PATIENT, patient_id)
    with clinic.uow.read() as session:
        rows = session.connection()
        return read_overview(rows, clinic, actor, patient_id, patient_plans(rows, patient_id))


def read_overview(
    rows: Connection, clinic: Clinic, actor: Actor, patient_id: int, plans: list[PlanWithSessions]
) -> Overview:
    """The overview read on `rows`, in the caller's transaction, audited, with the patient's
    plans read there (`patient_plans`); the caller has authorised the actor to read the
    patient."""
    clinical = can(actor, Permission.READ_CLINICAL)
    clinic.audit.read(actor, "overview", None, patient_id, {"clinical": clinical})
    patient = _patient_with_counts(rows, patient_id)
    recent = rows.execute(_RECENT_ASSESSMENTS, {"patient_id": patient_id}).all()
    plan, upcoming = _open_plan_summary(plans)
    following = _earliest(upcoming)
    booking = _booking_of(rows, plan.id, following) if plan is not None and following else None
    return Overview(
        patient=detail(patient),
        latest=_score(recent[0]) if recent and clinical else None,
        previous=_score(recent[1]) if len(recent) > 1 and clinical else None,
        plan=plan,
        next_session=following,
        next_booking=booking,
        assessments=patient.assessment_count,
        sessions=patient.session_count,
        last_session_on=patient.last_session_on,
        unresolved_adverse_events=patient.unresolved,
        photos=patient.photo_count,
        outcomes=outcome_series(rows, clinic, patient_id) if clinical else [],
        first_unresolved_event_id=patient.first_unresolved if clinical else None,
    )


def _booking_of(rows: Connection, plan_id: int, planned: PlannedSessionView) -> NextBooking | None:
    """The live appointment of a planned session (by its key, stable across plan versions)."""
    key = session_key(plan_id, planned.modality, planned.number)
    found = rows.execute(_LIVE_BOOKING, {"session_key": key}).first()
    return NextBooking(found.day, clock_time(found.start_minute)) if found is not None else None


@dataclass(frozen=True)
class PhotoPair:
    region: str
    angle: str
    before: PhotoView
    after: PhotoView


@dataclass(frozen=True)
class Progress:
    points: list[ScoreSummary]
    sessions: list[tuple[date, str]]
    photos: list[PhotoView]
    pairs: list[PhotoPair]
    outcomes: list[OutcomeSeries]
    """Patient-reported outcomes by date, read beside the clinical scores."""


def photo_pairs(photos: list[PhotoView]) -> list[PhotoPair]:
    """Per region and angle, the first photo beside the latest (when they differ)."""
    groups: dict[tuple[str, str], list[PhotoView]] = {}
    for photo in sorted(photos, key=lambda p: (p.taken_on, p.id)):
        groups.setdefault((photo.region, photo.angle), []).append(photo)
    return [
        PhotoPair(region, angle, group[0], group[-1])
        for (region, angle), group in sorted(groups.items())
        if len(group) > 1
    ]


def patient_progress(clinic: Clinic, actor: Actor, patient_id: int) -> Progress:
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "progress", None, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        points = [
            _score(r, maxima=True)
            for r in session.scalars(
                select(AssessmentRecord)
                .where(AssessmentRecord.patient_id == patient_id)
                .order_by(AssessmentRecord.assessed_on, AssessmentRecord.id)
            )
        ]
        sessions = [
            (day, modality)
            for day, modality in session.execute(
                select(TreatmentSessionRecord.performed_on, TreatmentSessionRecord.modality)
                .where(TreatmentSessionRecord.patient_id == patient_id)
                .order_by(TreatmentSessionRecord.performed_on)
            )
        ]
        outcomes = outcome_series(session.connection(), clinic, patient_id)
    photos = list_photos(clinic, actor, patient_id)
    return Progress(points, sessions, photos, photo_pairs(photos), outcomes)


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    until: date
    kind: str
    """planned | done | avoid"""
    title: str
    modality: str | None


def patient_calendar(clinic: Clinic, actor: Actor, patient_id: int) -> list[CalendarEntry]:
    """Planned sessions of the open plan, sessions carried out, and dates the patient avoids."""
    authorize(actor, Permission.READ_SCHEDULE, patient_id)
    clinic.audit.read(actor, "calendar", None, patient_id)
    with clinic.uow.read() as session:
        patient = load_patient(session, patient_id)
        plan = open_plan(session, patient_id)
        done = session.execute(
            select(TreatmentSessionRecord.performed_on, TreatmentSessionRecord.modality).where(
                TreatmentSessionRecord.patient_id == patient_id
            )
        ).all()
        avoid = patient.preferences.get("avoid", [])
    entries = [
        CalendarEntry(day, day, "done", f"{modality} (done)", modality) for day, modality in done
    ]
    if plan is not None:
        entries.extend(
            CalendarEntry(
                s.day,
                s.day + timedelta(days=s.downtime_days),
                "planned",
                f"{s.modality} {s.number}/{s.of}",
                s.modality,
            )
            for s in plan.sessions
            if s.done_by_session_id is None
        )
    entries.extend(
        CalendarEntry(
            date.fromisoformat(w["from"]),
            date.fromisoformat(w["to"]),
            "avoid",
            f"avoid: {w.get('reason') or 'patient date'}",
            None,
        )
        for w in avoid
    )
    return sorted(entries, key=lambda e: (e.day, e.kind))


def open_plan_view(clinic: Clinic, actor: Actor, patient_id: int) -> PlanView | None:
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "plan", None, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        return open_plan(session, patient_id)
