"""The clinic calendar end to end: set-up, optimiser runs through the job interface, review,
confirm, days off that move only what they must, stale runs refused, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import AppointmentRecord
from scarplan.domain.errors import InputError, PermissionDeniedError, StateError
from scarplan.planning.document import read_plan_document
from scarplan.scheduling.checker import check
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.calendar import appointments, schedule_runs, schedule_setup
from scarplan.services.clinic.calendar.appointments import CalendarAxis
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.calendar.schedule_instance import clinic_instance
from scarplan.services.clinic.calendar.schedule_setup import ResourceKind
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients
from scarplan.services.plan_gaps import gap_limits
from support.clinic_data import assessment_input, patient_input

pytestmark = pytest.mark.db
DAYS = 182


def finish(clinic: Clinic) -> None:
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(120)


@pytest.fixture
def set_up(clinic: Clinic, clinician: Actor) -> Clinic:
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    for number, name in enumerate(("Ana Silva", "Bruno Costa", "Carla Dias"), start=1):
        record = patients.create_patient(clinic, clinician, patient_input(f"P-000{number}", name))
        assessments.record_assessment(
            clinic, clinician, record.id, assessment_input(date(2026, 11, 16))
        )
        proposed = plans.propose_plan(clinic, clinician, record.id)
        plans.accept_plan(clinic, clinician, proposed.id)
    return clinic


def run(clinic: Clinic, actor: Actor) -> schedule_runs.RunView:
    job_id = schedule_runs.start_run(clinic, actor, clinic.today() + timedelta(days=1), DAYS)
    finish(clinic)
    return schedule_runs.read_run(clinic, actor, job_id)


def booked(clinic: Clinic) -> list[AppointmentRecord]:
    with clinic.uow.read() as session:
        return list(
            session.scalars(
                select(AppointmentRecord)
                .where(AppointmentRecord.status == "booked")
                .order_by(AppointmentRecord.id)
            )
        )


def test_a_first_run_books_every_planned_session_once_staff_confirm(
    set_up: Clinic, clinician: Actor
) -> None:
    clinic = set_up
    review = run(clinic, clinician)

    assert review.job.status == "done", review.job.error
    assert review.result is not None
    with clinic.uow.read() as session:
        built = clinic_instance(
            session,
            schedule_setup.require_setup(session).schedule,
            review.start,
            DAYS,
            clinic.settings.default_gap_between_modalities_days,
        )
    assert check(built.instance, review.result, clinic.knowledge) == []
    sessions = len(built.sessions)
    assert sessions > 3
    assert (len(review.new), len(review.moved), review.kept) == (
        review.result.objective.scheduled,
        0,
        0,
    )
    assert len(review.new) + len(review.unscheduled) == sessions
    assert booked(clinic) == []  # nothing is booked before staff confirm

    schedule_runs.confirm_run(clinic, clinician, review.job.id)

    rows = booked(clinic)
    assert len(rows) == len(review.new)
    assert {r.session_key for r in rows} == {line.session for line in review.new}
    shown = appointments.calendar(
        clinic, clinician, rows[0].day, 1, CalendarAxis.PRACTITIONER, ["dr-lee"]
    )
    assert rows[0].id in {a.id for a in shown.appointments}


def test_a_run_with_nothing_changed_keeps_every_booking(set_up: Clinic, clinician: Actor) -> None:
    clinic = set_up
    first = run(clinic, clinician)
    schedule_runs.confirm_run(clinic, clinician, first.job.id)

    again = run(clinic, clinician)

    assert (again.new, again.moved, again.freed) == ([], [], [])
    assert again.kept == len(first.new)


def test_a_practitioners_day_off_moves_only_that_days_bookings(
    set_up: Clinic, clinician: Actor
) -> None:
    clinic = set_up
    schedule_runs.confirm_run(clinic, clinician, run(clinic, clinician).job.id)
    rows = booked(clinic)
    busiest = max(
        {(r.practitioner, r.day) for r in rows},
        key=lambda pd: sum(1 for r in rows if (r.practitioner, r.day) == pd),
    )
    affected = {r.session_key for r in rows if (r.practitioner, r.day) == busiest}

    schedule_setup.add_days_off(
        clinic, clinician, ResourceKind.PRACTITIONER, busiest[0], busiest[1], busiest[1], "course"
    )
    review = run(clinic, clinician)

    changed = {line.session for line in (*review.moved, *review.freed)}
    assert affected <= changed
    # Anything else that moved follows a moved session of the same patient (its interval).
    assert all(
        (line.before is not None and (line.before.practitioner, line.before.date) == busiest)
        or line.patient_id in {m.patient_id for m in review.moved if m.session in affected}
        for line in (*review.moved, *review.freed)
    )
    schedule_runs.confirm_run(clinic, clinician, review.job.id)
    assert not any((r.practitioner, r.day) == busiest for r in booked(clinic))


def test_a_run_is_refused_once_the_calendar_changed_under_it(
    set_up: Clinic, clinician: Actor
) -> None:
    clinic = set_up
    schedule_runs.confirm_run(clinic, clinician, run(clinic, clinician).job.id)
    pending = run(clinic, clinician)
    appointments.cancel_appointment(clinic, clinician, booked(clinic)[0].id)

    with pytest.raises(StateError, match="changed since this run"):
        schedule_runs.confirm_run(clinic, clinician, pending.job.id)

    again = run(clinic, clinician)
    assert len(again.new) == 1  # the cancelled session is booked again


def test_staff_run_the_calendar_and_the_portal_patient_cannot(
    set_up: Clinic, clinician: Actor
) -> None:
    clinic = set_up
    staff = users.create_user(clinic, "front.desk", "Front Desk", "a long test password", "staff")
    patient = users.create_user(
        clinic,
        "ana",
        "Ana",
        "a long test password",
        "patient",
        patient_id=patients.search_patients(clinic, clinician).items[0].id,
    )
    review = run(clinic, staff)
    assert review.job.status == "done"
    with pytest.raises(PermissionDeniedError):
        schedule_runs.start_run(clinic, patient, clinic.today(), 30)
    with pytest.raises(PermissionDeniedError):
        appointments.calendar(clinic, patient, clinic.today(), 7, CalendarAxis.ROOM, [])


@pytest.mark.parametrize(
    ("start_offset", "days", "field"), [(-1, 30, "start"), (1, 0, "days"), (1, 400, "days")]
)
def test_a_bad_run_is_refused_naming_the_field(
    set_up: Clinic, clinician: Actor, start_offset: int, days: int, field: str
) -> None:
    with pytest.raises(InputError) as error:
        schedule_runs.start_run(
            set_up, clinician, set_up.today() + timedelta(days=start_offset), days
        )
    assert [p.path for p in error.value.problems] == [field]


def test_a_set_up_with_a_bad_reference_is_refused_and_nothing_is_saved(
    clinic: Clinic, clinician: Actor
) -> None:
    broken = {**DEMO_SCHEDULE, "slot_minutes": 7}
    with pytest.raises(InputError) as error:
        schedule_setup.save_setup(clinic, clinician, broken, "try")
    assert "slot_minutes" in {p.path for p in error.value.problems}
    assert schedule_setup.read_setup(clinic, clinician) is None


def _figure(value: int) -> dict[str, Any]:
    return {"value": value, "basis": "test", "sources": []}


def _course(modality: str, role: str, interval: int, most: int | None, downtime: int) -> Any:
    return {
        "modality": modality,
        "role": role,
        "sessions": _figure(3),
        "published_sessions": "3",
        "interval_days": {**_figure(interval), "max": most},
        "downtime_days": _figure(downtime),
        "earliest": "2027-01-01",
        "first": "2027-01-01",
        "last": "2027-03-01",
    }


def test_gap_limits_follow_the_plan_and_allow_what_was_accepted() -> None:
    document = read_plan_document(
        {
            "patient_id": "P-1",
            "start_date": "2027-01-01",
            "fitzpatrick": None,
            "scars": {},
            "recommended": [],
            "excluded": [],
            "courses": [
                _course("fractional_co2", "resurfacing", 28, 42, 7),
                _course("ha_filler", "volume", 14, None, 21),
            ],
            "sequence": [
                {
                    "first": "subcision",
                    "then": "fractional_co2",
                    "gap_days": _figure(14),
                    "rule": "r",
                    "reason": "r",
                }
            ],
            "sessions": [],
            "total_cost": {"complete": True, "unpriced": []},
            "budget": None,
            "end_date": None,
            "routine": None,
            "notes": [],
            "notice": "",
        }
    )
    assert gap_limits("fractional_co2", "fractional_co2", 30, document, 14) == (28, 42)
    assert gap_limits("fractional_co2", "fractional_co2", 50, document, 14) == (28, 50)
    assert gap_limits("fractional_co2", "fractional_co2", 21, document, 14) == (21, 42)
    assert gap_limits("subcision", "fractional_co2", 20, document, 14) == (14, None)
    assert gap_limits("tca_cross", "fractional_co2", 40, document, 10) == (10, None)
    # Never closer than the downtime, as the planner plans it (downtime 21 > interval 14).
    assert gap_limits("ha_filler", "ha_filler", 30, document, 14) == (21, None)
