"""The front desk's day: booking by hand under the optimiser's rules, check-in, no-show,
cancelling and moving, each refused in words when it cannot be done."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import PlanRecord
from scarplan.domain.errors import PermissionDeniedError, ScarplanError, StateError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.calendar import appointments, front_desk, schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.calendar.front_desk import BookingRequest, VisitKind
from scarplan.services.clinic.calendar.schedule_instance import session_key
from scarplan.services.clinic.calendar.schedule_setup import ResourceKind
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients
from support.checklists import with_checklist
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock
from support.consent import record_cleared

pytestmark = pytest.mark.db
TODAY = date(2026, 11, 21)  # a Saturday: Dr Okafor works 09:00-13:00
MONDAY = date(2026, 11, 23)
PASSWORD = "a long test password"


@pytest.fixture
def staff(clinic: Clinic) -> Actor:
    return users.create_user(clinic, "desk", "Front Desk", PASSWORD, "staff")


@pytest.fixture
def people(clinic: Clinic, clinician: Actor) -> dict[str, int]:
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    found = {}
    for code, name in (("P-1", "Ana Silva"), ("P-2", "Bruno Costa"), ("P-3", "Carla Dias")):
        record = patients.create_patient(clinic, clinician, patient_input(code, name))
        assessments.record_assessment(
            clinic, clinician, record.id, assessment_input(date(2026, 11, 16))
        )
        proposed = plans.propose_plan(clinic, clinician, record.id)
        plans.accept_plan(clinic, clinician, proposed.id)
        found[name.split()[0]] = record.id
    return found


def _book(
    clinic: Clinic,
    actor: Actor,
    request: BookingRequest,
    day: date,
    start: str,
    practitioner: str,
    room: str,
    device: str | None = None,
) -> front_desk.DeskAppointment:
    return front_desk.book(clinic, actor, request, day, start, practitioner, device, room)


def _session(clinic: Clinic, patient_id: int, modality: str, number: int) -> BookingRequest:
    # Each patient here has one plan (ids need not follow the patients': PostgreSQL's sequences
    # go on across tests).
    with clinic.uow.read() as session:
        plan_id = session.scalars(
            select(PlanRecord.id).where(PlanRecord.patient_id == patient_id)
        ).one()
    return BookingRequest(patient_id, session_key=session_key(plan_id, modality, number))


def _refusal(error: pytest.ExceptionInfo[ScarplanError]) -> str:
    return " | ".join(p.message for p in error.value.problems)


def test_a_booking_by_hand_takes_its_length_from_the_set_up_and_shows_names(
    clinic: Clinic, staff: Actor, people: dict[str, int]
) -> None:
    booked = _book(
        clinic,
        staff,
        _session(clinic, people["Ana"], "subcision", 1),
        MONDAY,
        "10:00",
        "dr-okafor",
        "room-1",
    )

    assert (booked.start, booked.end, booked.status) == ("10:00", "10:45", "booked")
    assert (booked.practitioner_name, booked.room_name) == ("Dr Okafor", "Treatment room 1")
    assert booked.what.startswith("Subcision")
    day = front_desk.desk_day(clinic, staff, MONDAY)
    assert [lane.practitioner_name for lane in day.lanes] == ["Dr Okafor"]
    assert [a.patient_name for a in day.lanes[0].appointments] == ["Ana Silva"]


def test_clashes_on_practitioner_room_patient_and_device_are_refused_in_words(
    clinic: Clinic, staff: Actor, people: dict[str, int]
) -> None:
    ana, bruno, carla = people["Ana"], people["Bruno"], people["Carla"]
    _book(
        clinic, staff, _session(clinic, ana, "subcision", 1), MONDAY, "10:00", "dr-okafor", "room-1"
    )

    with pytest.raises(StateError) as same_doctor:
        _book(
            clinic,
            staff,
            _session(clinic, bruno, "subcision", 1),
            MONDAY,
            "10:00",
            "dr-okafor",
            "room-2",
        )
    assert "Dr Okafor already sees Ana Silva at 10:00" in _refusal(same_doctor)

    with pytest.raises(StateError) as same_room:
        _book(
            clinic,
            staff,
            _session(clinic, bruno, "subcision", 1),
            MONDAY,
            "10:15",
            "dr-lee",
            "room-1",
        )
    assert _refusal(same_room) == "Treatment room 1 is taken by Ana Silva at 10:00"

    follow_up = BookingRequest(ana, kind=VisitKind.FOLLOW_UP)
    with pytest.raises(StateError) as same_patient:
        _book(clinic, staff, follow_up, MONDAY, "10:30", "dr-lee", "room-2")
    assert _refusal(same_patient) == "Ana Silva already has an appointment at 10:00"

    _book(
        clinic,
        staff,
        _session(clinic, carla, "fractional_co2", 1),
        MONDAY,
        "11:00",
        "dr-lee",
        "laser-room",
        "co2-1",
    )
    with pytest.raises(StateError) as same_laser:
        _book(
            clinic,
            staff,
            _session(clinic, bruno, "fractional_co2", 1),
            MONDAY,
            "11:30",
            "dr-okafor",
            "room-2",
            "co2-1",
        )
    assert _refusal(same_laser) == "The CO2 laser is in use for Carla Dias at 11:00"


def test_outside_hours_and_a_day_off_are_refused(
    clinic: Clinic, clinician: Actor, staff: Actor, people: dict[str, int]
) -> None:
    request = _session(clinic, people["Ana"], "subcision", 1)
    with pytest.raises(StateError) as late:
        _book(clinic, staff, request, MONDAY, "15:30", "dr-okafor", "room-1")
    assert _refusal(late) == "Dr Okafor does not work 15:30-16:15 on Mon 23 Nov 2026"

    tuesday = date(2026, 11, 24)
    schedule_setup.add_days_off(
        clinic, clinician, ResourceKind.PRACTITIONER, "dr-lee", tuesday, tuesday, "course"
    )
    with pytest.raises(StateError) as off:
        _book(clinic, staff, request, tuesday, "10:00", "dr-lee", "room-1")
    assert _refusal(off) == "Dr Lee is off on Tue 24 Nov 2026"
    page = front_desk.booking_page(clinic, staff, request, tuesday, tuesday, tuesday)
    assert "Dr Lee" not in {slot.practitioner_name for slot in page.slots}
    assert page.slots  # Dr Okafor still has time that day


def test_a_session_too_soon_after_the_last_one_of_the_plan_is_refused_with_the_gap(
    clinic: Clinic, staff: Actor, people: dict[str, int]
) -> None:
    ana = people["Ana"]
    _book(
        clinic, staff, _session(clinic, ana, "subcision", 1), MONDAY, "10:00", "dr-okafor", "room-1"
    )
    tca = _session(clinic, ana, "tca_cross", 1)

    with pytest.raises(StateError) as too_soon:
        _book(clinic, staff, tca, date(2026, 12, 1), "10:00", "dr-okafor", "room-1")

    message = _refusal(too_soon)
    assert message.startswith("Only 8 days after the last Subcision")
    assert "(23 Nov 2026); at least 14 are needed" in message
    page = front_desk.booking_page(clinic, staff, tca, date(2026, 11, 24), None, None)
    assert page.day == date(2026, 12, 7)  # the first day 14 days on that has a free slot
    assert page.slots
    assert page.gap_problem is None
    shown = front_desk.booking_page(clinic, staff, tca, None, None, date(2026, 12, 1))
    assert shown.slots == ()
    assert shown.gap_problem is not None


def test_a_follow_up_visit_needs_no_device_and_lasts_fifteen_minutes(
    clinic: Clinic, staff: Actor, people: dict[str, int]
) -> None:
    visit = BookingRequest(people["Bruno"], kind=VisitKind.FOLLOW_UP)
    page = front_desk.booking_page(clinic, staff, visit, MONDAY, None, None)
    assert page.minutes == 15
    assert page.what == "Follow-up visit"
    assert all(slot.device is None for slot in page.slots)

    booked = _book(clinic, staff, visit, MONDAY, "08:00", "dr-okafor", "room-3")

    assert (booked.end, booked.kind, booked.plan_id) == ("08:15", VisitKind.FOLLOW_UP, None)


def test_check_in_records_the_time_and_impossible_changes_are_refused(
    clinic: Clinic, staff: Actor, people: dict[str, int]
) -> None:
    ana, bruno = people["Ana"], people["Bruno"]
    today = _book(
        clinic, staff, _session(clinic, ana, "subcision", 1), TODAY, "10:00", "dr-okafor", "room-1"
    )
    later = _book(
        clinic, staff, _session(clinic, bruno, "subcision", 1), MONDAY, "10:00", "dr-lee", "room-1"
    )

    arrived = front_desk.check_in(clinic, staff, today.id)

    assert arrived.status == "checked_in"
    assert arrived.checked_in_at == clinic.now()
    with pytest.raises(StateError) as twice:
        front_desk.check_in(clinic, staff, today.id)
    assert _refusal(twice) == "It is checked in; only a booked appointment can be checked in."
    with pytest.raises(StateError, match="cannot be checked in"):
        front_desk.check_in(clinic, staff, later.id)  # not today
    with pytest.raises(StateError, match="cannot be marked as not attended"):
        front_desk.mark_no_show(clinic, staff, later.id)  # the day has not come

    front_desk.cancel(clinic, staff, later.id)
    with pytest.raises(StateError) as cancelled:
        front_desk.check_in(clinic, staff, later.id)
    assert _refusal(cancelled) == "It is cancelled; only a booked appointment can be checked in."
    with pytest.raises(StateError, match="cannot be moved"):
        front_desk.booking_page(
            clinic, staff, BookingRequest(bruno, appointment_id=later.id), None, None, None
        )


def test_a_no_show_and_a_move_into_a_free_slot(
    clinic: Clinic, staff: Actor, people: dict[str, int]
) -> None:
    ana, bruno = people["Ana"], people["Bruno"]
    missed = _book(
        clinic, staff, _session(clinic, ana, "subcision", 1), TODAY, "09:15", "dr-okafor", "room-1"
    )
    moving = _book(
        clinic, staff, _session(clinic, bruno, "subcision", 1), MONDAY, "10:00", "dr-lee", "room-1"
    )

    assert front_desk.mark_no_show(clinic, staff, missed.id).status == "no_show"

    move = BookingRequest(bruno, appointment_id=moving.id)
    page = front_desk.booking_page(clinic, staff, move, None, None, MONDAY)
    assert page.moving is not None
    assert page.moving.id == moving.id
    # Its own slot is free for itself: moving within the same morning is allowed.
    assert ("10:00", "dr-lee") in {(s.start, s.practitioner) for s in page.slots}
    moved = _book(clinic, staff, move, MONDAY, "13:00", "dr-okafor", "room-2")
    assert (moved.id, moved.start, moved.practitioner_name) == (moving.id, "13:00", "Dr Okafor")
    assert [
        a.start
        for lane in front_desk.desk_day(clinic, staff, MONDAY).lanes
        for a in lane.appointments
    ] == ["13:00"]


def test_recording_the_session_marks_the_days_appointment_done(
    clinic: Clinic, clinician: Actor, staff: Actor, people: dict[str, int]
) -> None:
    ana = people["Ana"]
    booked = _book(
        clinic, staff, _session(clinic, ana, "subcision", 1), TODAY, "10:00", "dr-okafor", "room-1"
    )
    front_desk.check_in(clinic, staff, booked.id)

    done = record_cleared(
        clinic,
        clinician,
        ana,
        with_checklist(
            {
                "performed_on": TODAY.isoformat(),
                "modality": "subcision",
                "regions": ["cheek_left"],
                "practitioner": "Dr Okafor",
            }
        ),
    )

    (lane,) = front_desk.desk_day(clinic, staff, TODAY).lanes
    assert [(a.status, a.session_id) for a in lane.appointments] == [("done", done.id)]
    nxt = front_desk.next_session(clinic, staff, ana)
    assert nxt is not None
    assert nxt.session_key == _session(clinic, ana, "tca_cross", 1).session_key


@pytest.mark.parametrize("role", ["patient", "researcher", "admin"])
def test_only_the_front_desk_and_clinicians_run_the_day(
    clinic: Clinic, people: dict[str, int], role: str
) -> None:
    actor = users.create_user(
        clinic,
        f"{role}.x",
        role,
        PASSWORD,
        role,
        patient_id=people["Ana"] if role == "patient" else None,
    )
    with pytest.raises(PermissionDeniedError):
        front_desk.desk_day(clinic, actor, TODAY)
    with pytest.raises(PermissionDeniedError):
        _book(
            clinic,
            actor,
            _session(clinic, people["Ana"], "subcision", 1),
            MONDAY,
            "10:00",
            "dr-lee",
            "room-1",
        )


def test_the_calendar_cancels_by_the_desks_rule_past_appointments_stay(
    clinic: Clinic, staff: Actor, people: dict[str, int], clock: FrozenClock
) -> None:
    ana = people["Ana"]
    booked = _book(
        clinic, staff, _session(clinic, ana, "subcision", 1), TODAY, "10:00", "dr-okafor", "room-1"
    )
    clock.advance(days=1)
    with pytest.raises(StateError) as past:
        appointments.cancel_appointment(clinic, staff, booked.id)
    assert _refusal(past) == f"It was on {TODAY:%d %b %Y}; a past appointment cannot be cancelled."
