"""Optimiser runs on the clinic calendar: run, review the moves, confirm (or discard).

A run builds the instance from the records (schedule_instance.py), re-solves it against the
booked appointments through the job interface (the solver keeps bookings where it can and
reports every move), and stores the result on the job. Confirming applies it in one
transaction, and only if the bookings are still those the run started from: a booking made,
moved or cancelled in between makes the run stale, and staff run it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AppointmentRecord, JobRecord, PatientRecord
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.scheduling.model import Assignment, ScheduleResult, minute_of_day
from scarplan.scheduling.solver import reschedule
from scarplan.services.clinic.calendar.appointments import BOOKED, CANCELLED
from scarplan.services.clinic.calendar.schedule_instance import ClinicInstance, clinic_instance
from scarplan.services.clinic.calendar.schedule_setup import require_setup
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic

KIND = "schedule"
MAX_HORIZON_DAYS = 366
APPLIED = "applied"
DISCARDED = "discarded"


@dataclass(frozen=True)
class RunLine:
    """One session in a run's review: where it is booked now and where the run puts it."""

    session: str
    patient_id: int
    patient: str
    modality: str
    before: Assignment | None
    after: Assignment | None
    note: str


@dataclass(frozen=True)
class RunView:
    job: jobs.JobView
    start: date
    days: int
    result: ScheduleResult | None
    new: list[RunLine]
    moved: list[RunLine]
    freed: list[RunLine]
    unscheduled: list[RunLine]
    kept: int

    @property
    def last(self) -> date:
        return self.start + timedelta(days=self.days - 1)


def start_run(clinic: Clinic, actor: Actor, start: date, days: int) -> int:
    """Start an optimiser run over `days` days from `start`; returns the job id."""
    authorize(actor, Permission.MANAGE_SCHEDULE)
    if start < clinic.today():
        raise InputError(
            "the run is invalid",
            [FieldProblem("start", "is in the past", "start today or later")],
        )
    if not 1 <= days <= MAX_HORIZON_DAYS:
        raise InputError(
            "the run is invalid",
            [FieldProblem("days", f"must be 1 to {MAX_HORIZON_DAYS}", "e.g. 182 for six months")],
        )
    settings = clinic.settings
    with clinic.uow.read() as session:
        setup = require_setup(session)
        built = clinic_instance(
            session, setup.schedule, start, days, settings.default_gap_between_modalities_days
        )
        fingerprint = _fingerprint(session, start)
    params = {
        "start": start.isoformat(),
        "days": days,
        "setup_version": setup.version,
        "fingerprint": fingerprint,
        "sessions": len(built.sessions),
    }
    return jobs.start_job(clinic, actor, KIND, params)


def run_schedule_job(run: jobs.JobRun) -> None:
    """The job: build the instance from the records as they are now, solve it, keep the result
    with the bookings it started from (jobs.KINDS)."""
    clinic, params = run.clinic, run.job.params
    settings = clinic.settings
    start = date.fromisoformat(params["start"])
    with clinic.uow.read() as session:
        setup = require_setup(session)
        if setup.version != params["setup_version"]:
            raise StateError(
                "the clinic set-up changed after this run was started; run the optimiser again"
            )
        built = clinic_instance(
            session,
            setup.schedule,
            start,
            params["days"],
            settings.default_gap_between_modalities_days,
        )
        fingerprint = _fingerprint(session, start)
    result = reschedule(
        built.instance,
        built.previous,
        clinic.knowledge,
        time_limit_s=settings.schedule_time_limit_s,
        workers=settings.schedule_workers,
    )
    document = {
        "result": result.model_dump(mode="json"),
        "sessions": _refs(built),
        "booked": built.booked,
        "fingerprint": fingerprint,
    }
    with clinic.uow.write() as session:
        run.finish(session, document)


def _refs(built: ClinicInstance) -> dict[str, Any]:
    return {
        key: {
            "patient_id": ref.patient_id,
            "plan_id": ref.plan_id,
            "planned_session_id": ref.planned_session_id,
            "modality": ref.modality,
        }
        for key, ref in built.sessions.items()
    }


def _fingerprint(session: Session, start: date) -> str:
    """A digest of every booking from `start` on: equal digests, same bookings."""
    rows = session.execute(
        select(
            AppointmentRecord.id,
            AppointmentRecord.session_key,
            AppointmentRecord.day,
            AppointmentRecord.start_minute,
            AppointmentRecord.practitioner,
            AppointmentRecord.device,
            AppointmentRecord.room,
        )
        .where(AppointmentRecord.status == BOOKED, AppointmentRecord.day >= start)
        .order_by(AppointmentRecord.id)
    ).all()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def read_run(clinic: Clinic, actor: Actor, job_id: int) -> RunView:
    authorize(actor, Permission.MANAGE_SCHEDULE)
    with clinic.uow.read() as session:
        job = jobs.job_view(
            jobs.job_record(session, job_id, KIND), clinic.now(), durable=clinic.jobs.durable
        )
        names = _names(session, job)
    clinic.audit.read(actor, "schedule_run", job_id, None, {"patients": sorted(names)})
    return _review(job, names)


def _names(session: Session, job: jobs.JobView) -> dict[int, str]:
    if not job.result:
        return {}
    result = job.result["result"]
    ids = {
        patient_number(entry["patient"])
        for part in ("assignments", "unscheduled", "cancelled", "moves")
        for entry in result.get(part, [])
    }
    rows = session.execute(
        select(PatientRecord.id, PatientRecord.full_name, PatientRecord.code).where(
            PatientRecord.id.in_(ids)
        )
    ).all()
    return {row.id: f"{row.full_name} ({row.code})" for row in rows}


def patient_number(key: str) -> int:
    """The patient id in an instance's patient key ("patient12" -> 12)."""
    return int(key.removeprefix("patient"))


def _review(job: jobs.JobView, names: dict[int, str]) -> RunView:
    start, days = date.fromisoformat(job.params["start"]), int(job.params["days"])
    if not job.result:
        return RunView(job, start, days, None, [], [], [], [], 0)
    result = ScheduleResult.model_validate(job.result["result"])

    def line(
        session: str, patient: str, before: Assignment | None, after: Assignment | None, note: str
    ) -> RunLine:
        patient_id = patient_number(patient)
        modality = session.split(":")[1] if session.count(":") == 2 else session
        return RunLine(
            session, patient_id, names.get(patient_id, patient), modality, before, after, note
        )

    moved_ids = {m.session for m in result.moves}
    new = [
        line(m.session, m.patient, None, m.after, "new booking")
        for m in result.moves
        if m.before is None and m.after is not None
    ]
    moved = [
        line(m.session, m.patient, m.before, m.after, "changed: " + ", ".join(m.changes))
        for m in result.moves
        if m.before is not None and m.after is not None
    ]
    freed = [
        line(m.session, m.patient, m.before, None, "no longer fits: booking released")
        for m in result.moves
        if m.before is not None and m.after is None
    ] + [
        line(c.session, c.patient, c.before, None, "no longer planned: cancelled")
        for c in result.cancelled
    ]
    unscheduled = [
        line(u.session, u.patient, None, None, u.reason)
        for u in result.unscheduled
        if u.session not in moved_ids
    ]
    kept = sum(1 for a in result.assignments if a.session not in moved_ids)
    return RunView(job, start, days, result, new, moved, freed, unscheduled, kept)


def confirm_run(clinic: Clinic, actor: Actor, job_id: int) -> RunView:
    """Book what the run proposes, in one transaction, if nothing was booked since."""
    authorize(actor, Permission.MANAGE_SCHEDULE)
    with clinic.uow.write() as session:
        record = jobs.job_record(session, job_id, KIND)
        job = jobs.job_view(record, clinic.now(), durable=clinic.jobs.durable)
        if job.status != "done" or not job.result:
            raise StateError(
                "this run cannot be confirmed",
                [FieldProblem("job_id", f"the run is {job.status}", "wait for it, or run again")],
            )
        start = date.fromisoformat(job.params["start"])
        # The bookings the run was solved against (read when it ran; older runs kept only
        # those of when it was started).
        solved_against = job.result.get("fingerprint", job.params["fingerprint"])
        if _fingerprint(session, start) != solved_against:
            raise StateError(
                "the calendar changed since this run",
                [
                    FieldProblem(
                        "job_id", "bookings were made or changed", "run the optimiser again"
                    )
                ],
            )
        _apply(session, clinic, actor, job_id, job.result)
        record.status = APPLIED
        clinic.audit.changed(session, actor, "confirm", "job:schedule", job_id, None)
        names = _names(session, job)
    return _review(jobs.job_view(record, clinic.now(), durable=clinic.jobs.durable), names)


def _apply(
    session: Session, clinic: Clinic, actor: Actor, job_id: int, stored: dict[str, Any]
) -> None:
    result = ScheduleResult.model_validate(stored["result"])
    refs = stored["sessions"]
    booked: dict[str, int] = stored["booked"]
    now = clinic.now()
    gone = [c.session for c in result.cancelled] + [
        m.session for m in result.moves if m.before is not None and m.after is None
    ]
    for key in gone:
        row = session.get_one(AppointmentRecord, booked[key])
        row.status, row.updated_at, row.updated_by = CANCELLED, now, actor.user_id
        clinic.audit.changed(session, actor, "cancel", "appointment", row.id, row.patient_id)
    for move in result.moves:
        if move.after is None:
            continue
        ref = refs[move.session]
        if move.session in booked:
            row = session.get_one(AppointmentRecord, booked[move.session])
            action = "move"
        else:
            row = AppointmentRecord(
                patient_id=ref["patient_id"],
                plan_id=ref["plan_id"],
                session_key=move.session,
                modality=ref["modality"],
                status=BOOKED,
                created_at=now,
            )
            session.add(row)
            action = "create"
        _place(row, move.after, ref["planned_session_id"], job_id, now, actor)
        session.flush()
        clinic.audit.changed(session, actor, action, "appointment", row.id, row.patient_id)


def _place(
    row: AppointmentRecord,
    slot: Assignment,
    planned_session_id: int,
    job_id: int,
    now: Any,
    actor: Actor,
) -> None:
    row.planned_session_id = planned_session_id
    row.day = slot.date
    row.start_minute = minute_of_day(slot.start)
    row.end_minute = minute_of_day(slot.end)
    row.practitioner = slot.practitioner
    row.device = slot.device
    row.room = slot.room
    row.job_id = job_id
    row.updated_at = now
    row.updated_by = actor.user_id


def discard_run(clinic: Clinic, actor: Actor, job_id: int) -> None:
    authorize(actor, Permission.MANAGE_SCHEDULE)
    with clinic.uow.write() as session:
        record = jobs.job_record(session, job_id, KIND)
        if record.status not in ("done", "failed"):
            raise StateError(
                "this run cannot be discarded",
                [FieldProblem("job_id", f"the run is {record.status}", "")],
            )
        record.status = DISCARDED
        clinic.audit.changed(session, actor, "discard", "job:schedule", job_id, None)


def recent_runs(clinic: Clinic, actor: Actor, limit: int = 10) -> list[jobs.JobView]:
    authorize(actor, Permission.MANAGE_SCHEDULE)
    with clinic.uow.read() as session:
        records = session.scalars(
            select(JobRecord)
            .where(JobRecord.kind == KIND)
            .order_by(JobRecord.id.desc())
            .limit(limit)
        ).all()
        return [
            jobs.job_view(r, clinic.now(), with_result=False, durable=clinic.jobs.durable)
            for r in records
        ]
