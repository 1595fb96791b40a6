"""The clinic set-up without JSON (issue 22, item 5): prices valid from a day, practitioners,
devices and rooms from forms, opening hours, days off and session lengths, each refused in
words naming the field and the fix; the demo clinic set up and priced from the start."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import AppointmentRecord, AuditEventRecord, PatientRecord
from scarplan.domain.errors import InputError, PermissionDeniedError
from scarplan.domain.vocabulary import Modality
from scarplan.scheduling.model import Weekday
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.demo_clinic import DEMO_DAY_OFF_IN_DAYS, seed_demo_clinic
from scarplan.services.clinic.calendar import schedule_runs, schedule_setup, setup_forms
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.calendar.schedule_setup import ResourceKind
from scarplan.services.clinic.calendar.setup_forms import DayHours, ResourceForm
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.plans import plans, prices
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input

PASSWORD = "a long test password"


def _on(clinic: Clinic, day: date) -> Clinic:
    moment = datetime.combine(day, time(10, 0), tzinfo=UTC)
    return replace(clinic, clock=lambda: moment)


def _tca(amount: int) -> dict[str, Any]:
    return {"currency": "USD", "prices": {"tca_cross": {"amount": str(amount)}}}


@pytest.fixture
def set_up(clinic: Clinic, clinician: Actor) -> Clinic:
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    return clinic


def _setup(clinic: Clinic, actor: Actor) -> schedule_setup.SetupView:
    page = setup_forms.read_setup_page(clinic, actor)
    assert page.setup is not None
    return page.setup


def _refused(call: Any, *args: Any) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        call(*args)
    return {p.path: p.message for p in caught.value.problems}


# --- prices valid from a day ---------------------------------------------------------------------


def test_a_plan_on_day_d_uses_the_version_valid_on_d(clinic: Clinic, admin: Actor) -> None:
    d0 = clinic.today()
    first = prices.save_price_list(clinic, admin, _tca(250), "opening prices")
    later = prices.save_price_list(clinic, admin, _tca(300), "new year", d0 + timedelta(days=10))
    # Saved after `later` but valid before it: it holds from day 5 to day 9.
    between = prices.save_price_list(clinic, admin, _tca(275), "offer", d0 + timedelta(days=5))
    expected = {0: first, 4: first, 5: between, 9: between, 10: later, 40: later}
    with clinic.uow.read() as session:
        for offset, version in expected.items():
            found = prices.clinic_price_list(session, d0 + timedelta(days=offset))
            assert found is not None
            assert found.version == version.version, offset
        assert prices.clinic_price_list(session, d0 - timedelta(days=1)) is None

    clinician = users.create_user(clinic, "dr.when", "Dr W", PASSWORD, "clinician")
    patient = patients.create_patient(clinic, clinician, patient_input("P-WHEN", "When"))
    assessments.record_assessment(
        clinic, clinician, patient.id, assessment_input(d0 - timedelta(days=1))
    )
    for offset, amount in ((4, 250), (7, 275), (12, 300)):
        plan = plans.propose_plan(_on(clinic, d0 + timedelta(days=offset)), clinician, patient.id)
        costs = {s.modality: s.cost for s in plan.document.sessions}
        tca = costs[Modality.TCA_CROSS]
        assert tca is not None
        assert (tca.amount, tca.currency) == (amount, "USD"), offset

    page = prices.read_prices(clinic, admin)
    assert page.current is not None
    assert page.current.version == first.version
    assert [v.version for v in page.upcoming] == [between.version, later.version]


@pytest.mark.parametrize(
    ("raw", "valid_from", "field", "words"),
    [
        (_tca(250), -1, "valid_from", "before today"),
        (_tca(250), 800, "valid_from", "more than two years ahead"),
        ({"currency": "USS", "prices": {}}, 0, "currency", "not a currency code of ISO 4217"),
        ({"currency": "EUR", "prices": {"tca_cross": {"amount": "-5"}}}, 0, "amount", ""),
        ({"currency": "EUR", "prices": {"tca_cross": {"amount": "2000000"}}}, 0, "amount", ""),
    ],
)
def test_a_wrong_price_list_is_refused_and_nothing_saved(
    clinic: Clinic, admin: Actor, raw: dict[str, Any], valid_from: int, field: str, words: str
) -> None:
    start = clinic.today() + timedelta(days=valid_from)
    with pytest.raises(InputError) as caught:
        prices.save_price_list(clinic, admin, raw, "a try", start)
    assert any(field in p.path and words in str(p) for p in caught.value.problems)
    assert prices.read_prices(clinic, admin).history == []


def test_a_price_version_is_audited_with_its_first_day(clinic: Clinic, admin: Actor) -> None:
    saved = prices.save_price_list(
        clinic, admin, _tca(250), "opening", clinic.today() + timedelta(days=3)
    )
    clinic.audit.close()
    with clinic.uow.read() as session:
        entry = session.scalars(
            select(AuditEventRecord).where(
                AuditEventRecord.entity == "price_list", AuditEventRecord.entity_id == saved.version
            )
        ).one()
    assert (clinic.today() + timedelta(days=3)).isoformat() in str(entry.detail)


# --- practitioners, devices, rooms ---------------------------------------------------------------


def _practitioner(name: str, **hours: tuple[str, str]) -> ResourceForm:
    return ResourceForm(
        ResourceKind.PRACTITIONER,
        name,
        ["microneedling", "subcision"],
        hours={d: DayHours(*span) for d, span in hours.items()},  # type: ignore[misc]
    )


def test_a_practitioner_added_from_the_form_gets_a_name_and_an_id_nobody_types(
    set_up: Clinic, clinician: Actor
) -> None:
    saved = setup_forms.save_resource(
        set_up, clinician, _practitioner("Dr Amara Obi", tue=("09:00", "13:00"))
    )
    added = saved.schedule.resources.practitioners[-1]
    assert (added.id, added.name) == ("dr-amara-obi", "Dr Amara Obi")
    assert [p.value for p in added.procedures] == ["microneedling", "subcision"]
    assert saved.name_of(ResourceKind.PRACTITIONER, added.id) == "Dr Amara Obi"
    edited = setup_forms.save_resource(
        set_up,
        clinician,
        replace(_practitioner("Dr Amara Obi-Jones", wed=("10:00", "12:00")), original_id=added.id),
    )
    again = edited.schedule.resources.practitioners[-1]
    assert (again.id, again.name, list(again.hours)) == (added.id, "Dr Amara Obi-Jones", ["wed"])


@pytest.mark.parametrize(
    ("entered", "field", "message"),
    [
        (
            _practitioner("Dr New", tue=("17:00", "09:00")),
            "hours_tue",
            "Finishing time 09:00 is before starting time 17:00 on Tuesday",
        ),
        (
            _practitioner("Dr New", tue=("09:00", "")),
            "hours_tue",
            "Give both the starting and the finishing time of Dr New's hours on Tuesday",
        ),
        (
            _practitioner("Dr New", tue=("09:10", "12:00")),
            "hours_tue",
            "09:10 on Tuesday is not on the 15-minute grid",
        ),
        (
            _practitioner("Dr New", sun=("09:00", "12:00")),
            "hours_sun",
            "The clinic is closed on Sundays",
        ),
        (
            _practitioner("Dr New", mon=("07:00", "12:00")),
            "hours_mon",
            "Dr New's hours on Monday (07:00-12:00) are outside the clinic's opening hours",
        ),
        (_practitioner("Dr New"), "hours", "Give Dr New at least one working day"),
        (
            _practitioner("dr LEE", mon=("09:00", "12:00")),
            "name",
            "Another practitioner is already called dr LEE: give a different name",
        ),
        (_practitioner("  ", mon=("09:00", "12:00")), "name", "Give the practitioner a name"),
        (
            replace(_practitioner("Dr New", mon=("09:00", "12:00")), procedures=["laser_magic"]),
            "procedures",
            "Unknown procedure 'laser_magic': tick procedures from the list",
        ),
        (
            ResourceForm(ResourceKind.DEVICE, "Laser 2", ["fractional_co2"], "rf_device"),
            "procedures",
            "needs a",
        ),
        (
            ResourceForm(ResourceKind.DEVICE, "Laser 2", [], "time_machine"),
            "device_kind",
            "Choose the kind of device from the list",
        ),
        (
            ResourceForm(ResourceKind.ROOM, "treatment ROOM 1"),
            "name",
            "Another room is already called treatment ROOM 1",
        ),
    ],
)
def test_a_wrong_resource_is_refused_naming_the_field_and_nothing_is_saved(
    set_up: Clinic, clinician: Actor, entered: ResourceForm, field: str, message: str
) -> None:
    before = _setup(set_up, clinician).version
    problems = _refused(setup_forms.save_resource, set_up, clinician, entered)
    assert field in problems, problems
    assert message in problems[field]
    assert _setup(set_up, clinician).version == before


def test_a_device_and_a_room_keep_their_names_and_procedures(
    set_up: Clinic, clinician: Actor
) -> None:
    device = setup_forms.save_resource(
        set_up, clinician, ResourceForm(ResourceKind.DEVICE, "Second CO2 laser", [], "co2_laser")
    )
    added = device.schedule.resources.devices[-1]
    assert (added.name, added.kind, added.procedures) == ("Second CO2 laser", "co2_laser", None)
    saved = setup_forms.save_resource(
        set_up, clinician, ResourceForm(ResourceKind.ROOM, "Peel room", ["chemical_peel_medium"])
    )
    room = saved.schedule.resources.rooms[-1]
    assert room.name == "Peel room"
    assert room.procedures == [Modality.CHEMICAL_PEEL_MEDIUM]


def _booked_with(clinic: Clinic, clinician: Actor) -> list[AppointmentRecord]:
    patient = patients.create_patient(clinic, clinician, patient_input("P-BOOK", "Ana Silva"))
    assessments.record_assessment(
        clinic, clinician, patient.id, assessment_input(date(2026, 11, 16))
    )
    plans.accept_plan(clinic, clinician, plans.propose_plan(clinic, clinician, patient.id).id)
    job_id = schedule_runs.start_run(clinic, clinician, clinic.today() + timedelta(days=1), 120)
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(120)
    schedule_runs.confirm_run(clinic, clinician, job_id)
    with clinic.uow.read() as session:
        return list(session.scalars(select(AppointmentRecord).order_by(AppointmentRecord.day)))


def test_retiring_a_resource_with_future_bookings_is_refused_naming_them(
    set_up: Clinic, clinician: Actor
) -> None:
    rows = _booked_with(set_up, clinician)
    assert rows
    busy = rows[0].room
    setup = _setup(set_up, clinician)
    name = setup.name_of(ResourceKind.ROOM, busy)
    problems = _refused(setup_forms.retire_resource, set_up, clinician, ResourceKind.ROOM, busy)
    message = problems["retire"]
    first = rows[0]
    assert message.startswith(f"{name} still has ")
    assert first.day.strftime("%d %b %Y") in message
    assert "Move or cancel them first" in message
    assert busy in _setup(set_up, clinician).lanes(ResourceKind.ROOM)


def test_a_retired_resource_is_no_longer_booked_but_keeps_its_name(
    set_up: Clinic, clinician: Actor
) -> None:
    saved = setup_forms.retire_resource(set_up, clinician, ResourceKind.ROOM, "room-3")
    assert "room-3" not in saved.lanes(ResourceKind.ROOM)
    assert saved.name_of(ResourceKind.ROOM, "room-3") == "Treatment room 3"
    assert [g.id for g in saved.schedule.retired] == ["room-3"]
    # The clinic's last room cannot go.
    for room in ("room-1", "room-2"):
        setup_forms.retire_resource(set_up, clinician, ResourceKind.ROOM, room)
    problems = _refused(
        setup_forms.retire_resource, set_up, clinician, ResourceKind.ROOM, "laser-room"
    )
    assert "the clinic's only room: add another" in problems["retire"]


# --- opening hours, days off, session lengths ----------------------------------------------------


def test_opening_hours_are_checked_in_words(set_up: Clinic, clinician: Actor) -> None:
    week: dict[Weekday, DayHours] = {
        d: DayHours("08:00", "18:00") for d in ("mon", "tue", "wed", "thu", "fri")
    }
    wrong = {**week, "tue": DayHours("17:00", "09:00"), "sat": DayHours("09:00", "13:00")}
    problems = _refused(setup_forms.save_opening_hours, set_up, clinician, wrong)
    assert problems == {
        "open_tue": "Closing time 09:00 is before opening time 17:00 on Tuesday: pick a "
        "closing time after the opening time"
    }
    # Dr Okafor works Saturday mornings: closing Saturdays is refused naming him.
    problems = _refused(setup_forms.save_opening_hours, set_up, clinician, week)
    assert problems["open_sat"].startswith("Dr Okafor works on Saturdays (09:00-13:00)")
    saved = setup_forms.save_opening_hours(
        set_up, clinician, {**week, "sat": DayHours("09:00", "13:00")}
    )
    assert saved.schedule.opening_hours is not None
    assert saved.schedule.opening_hours["sat"].end == "13:00"


def test_days_off_from_a_date_range_with_a_reason_and_no_overlap(
    set_up: Clinic, clinician: Actor
) -> None:
    first = set_up.today() + timedelta(days=7)
    saved = schedule_setup.add_days_off(
        set_up,
        clinician,
        ResourceKind.PRACTITIONER,
        "dr-lee",
        first,
        first + timedelta(days=2),
        "congress",
    )
    lee = saved.schedule.resources.practitioners[0]
    assert lee.days_off == [first + timedelta(days=n) for n in range(3)]
    problems = _refused(
        schedule_setup.add_days_off,
        set_up,
        clinician,
        ResourceKind.PRACTITIONER,
        "dr-lee",
        first + timedelta(days=2),
        first + timedelta(days=4),
        "holiday",
    )
    assert problems["first"].startswith(
        f"Dr Lee is already off from {first:%d %b %Y} to {first + timedelta(days=2):%d %b %Y} "
        "(congress)"
    )
    backwards = _refused(
        schedule_setup.add_days_off,
        set_up,
        clinician,
        None,
        None,
        first,
        first - timedelta(days=1),
        "x y",
    )
    assert "is before the first day" in backwards["last"]
    # The whole clinic closed: every practitioner and room is off that day, and it can be removed.
    closed = first + timedelta(days=20)
    saved = schedule_setup.add_days_off(set_up, clinician, None, None, closed, closed, "holiday")
    assert all(closed in p.days_off for p in saved.schedule.resources.practitioners)
    assert all(closed in r.days_off for r in saved.schedule.resources.rooms)
    position = next(i for i, c in enumerate(saved.schedule.closures) if c.kind == "clinic")
    removed = schedule_setup.remove_days_off(set_up, clinician, position, "")
    assert not any(closed in p.days_off for p in removed.schedule.resources.practitioners)
    assert lee.days_off == removed.schedule.resources.practitioners[0].days_off


def test_days_off_written_before_closures_existed_become_closures(
    clinic: Clinic, clinician: Actor
) -> None:
    older = {
        **DEMO_SCHEDULE,
        "resources": {
            **DEMO_SCHEDULE["resources"],
            "rooms": [{"id": "room-1", "days_off": ["2026-12-01", "2026-12-02", "2026-12-09"]}],
        },
    }
    saved = schedule_setup.save_setup(clinic, clinician, older, "as before")
    spans = [(c.resource, c.start.isoformat(), c.end.isoformat()) for c in saved.schedule.closures]
    assert spans == [("room-1", "2026-12-01", "2026-12-02"), ("room-1", "2026-12-09", "2026-12-09")]
    assert len(saved.schedule.resources.rooms[0].days_off) == 3


def test_session_lengths_are_whole_slots(set_up: Clinic, clinician: Actor) -> None:
    problems = _refused(
        setup_forms.save_durations, set_up, clinician, {"subcision": "50", "tca_cross": "abc"}
    )
    assert problems["duration_subcision"] == (
        "Subcision: 50 minutes is not a whole number of 15-minute slots: use 45 or 60"
    )
    assert "is not a number of minutes" in problems["duration_tca_cross"]
    saved = setup_forms.save_durations(set_up, clinician, {"subcision": "60", "tca_cross": ""})
    assert saved.schedule.durations == {Modality.SUBCISION: 60}


def test_every_set_up_change_is_a_version_with_an_audit_entry(
    set_up: Clinic, clinician: Actor
) -> None:
    before = _setup(set_up, clinician).version
    saved = setup_forms.save_resource(
        set_up, clinician, ResourceForm(ResourceKind.ROOM, "Room four")
    )
    assert saved.version == before + 1
    assert saved.reason == "room Room four added"
    set_up.audit.close()
    with set_up.uow.read() as session:
        entry = session.scalars(
            select(AuditEventRecord).where(
                AuditEventRecord.entity == "schedule_resources",
                AuditEventRecord.entity_id == saved.version,
            )
        ).one()
    assert "Room four" in str(entry.detail)


@pytest.mark.parametrize("role", ["patient", "researcher"])
def test_only_the_clinic_team_sets_up(set_up: Clinic, role: str) -> None:
    other = (
        users.create_user(set_up, f"{role}.x", "X", PASSWORD, role) if role != "patient" else None
    )
    actor = other or Actor(None, "patient.x", "patient", patient_id=1)
    with pytest.raises(PermissionDeniedError):
        setup_forms.save_resource(set_up, actor, ResourceForm(ResourceKind.ROOM, "Room four"))


def test_an_admin_sets_up_the_clinic(set_up: Clinic, admin: Actor) -> None:
    saved = setup_forms.save_resource(set_up, admin, ResourceForm(ResourceKind.ROOM, "Room four"))
    assert "room-four" in saved.lanes(ResourceKind.ROOM)


def test_a_clinic_starts_its_set_up_from_two_names(clinic: Clinic, admin: Actor) -> None:
    problems = _refused(setup_forms.start_setup, clinic, admin, "", "Room 1", ["subcision"])
    assert "practitioner" in problems
    saved = setup_forms.start_setup(clinic, admin, "Dr Lee", "Room 1", ["subcision", "prp"])
    assert saved.name_of(ResourceKind.PRACTITIONER, "dr-lee") == "Dr Lee"
    assert saved.lanes(ResourceKind.ROOM) == ["room-1"]


# --- the demo clinic -----------------------------------------------------------------------------


def test_the_demo_clinic_is_set_up_named_and_priced(clinic: Clinic) -> None:
    seed_demo_clinic(clinic)
    admin = users.create_user(clinic, "admin.demo", "Admin", PASSWORD, "admin")
    setup = _setup(clinic, admin)
    resources = setup.schedule.resources
    assert all(p.name for p in resources.practitioners)
    assert all(d.name for d in resources.devices)
    assert all(r.name for r in resources.rooms)
    assert setup.name_of(ResourceKind.DEVICE, "co2-1") == "CO2 laser"
    assert setup.schedule.opening_hours is not None
    away = clinic.today() + timedelta(days=DEMO_DAY_OFF_IN_DAYS)
    assert [(c.resource, c.start) for c in setup.schedule.closures] == [("nurse-silva", away)]
    with clinic.uow.read() as session:
        in_force = prices.clinic_price_list(session, clinic.today())
        assert in_force is not None
        assert in_force.prices.complete
    demo = users.create_user(clinic, "dr.demo2", "Dr D", PASSWORD, "clinician")
    with clinic.uow.read() as session:
        listed = list(session.scalars(select(PatientRecord.id)))
    proposed = 0
    for patient_id in listed:
        for plan in plans.list_plans(clinic, demo, patient_id):
            proposed += 1
            for session_ in plan.document.sessions:
                assert session_.cost is not None
                assert session_.cost.source == "clinic", plan.id
            assert plan.document.total_cost.complete
            if plan.sessions:  # the pregnant patient's plan holds none
                assert plan.total_cost is not None
                assert plan.total_cost > Decimal(0)
    assert proposed
