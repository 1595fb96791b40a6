"""A patient's next visit and how to prepare, the last session's aftercare, the day's routine and
the week's changes. Expectations are written from the knowledge base by hand: TCA CROSS sessions
two weeks apart with a downtime of 7 days; tretinoin paused from 14 days before a TCA CROSS
session (agents.yaml: before_days max 14) to the end of its downtime, so the course's pauses join
into one; the aftercare statement of tca_cross in modalities.yaml."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scarplan.adapters.db.tables import AppointmentRecord
from scarplan.domain.errors import NotFoundError, PermissionDeniedError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.calendar.schedule_instance import session_key
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.plans import visit_preparation as vp
from scarplan.services.clinic.records import assessments, patients, sessions
from support.checklists import with_checklist
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock
from support.consent import ensure_consents

ICE_PICK = [
    {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.1, "depth_mm": 1.4}
]
START = date(2026, 12, 14)  # a Monday; the clock stands at 2026-11-21
TCA_AFTERCARE = (
    "Let the crusts fall off on their own; daily broad-spectrum sunscreen SPF 30 or more."
)


def _patient_with_plan(
    clinic: Clinic, clinician: Actor, code: str = "P-0001", *, accept: bool = True
) -> tuple[int, plans.PlanView]:
    patient_id = patients.create_patient(
        clinic,
        clinician,
        patient_input(
            code, preferences={"start_date": START.isoformat()}, current_agents=["tretinoin"]
        ),
    ).id
    assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(clinic.today(), ICE_PICK)
    )
    plan = plans.propose_plan(clinic, clinician, patient_id)
    if accept:
        plans.accept_plan(clinic, clinician, plan.id)
    return patient_id, plan


@pytest.fixture
def followed(clinic: Clinic, clinician: Actor) -> tuple[int, plans.PlanView]:
    return _patient_with_plan(clinic, clinician)


def test_the_plan_is_what_the_expectations_assume(followed: tuple[int, plans.PlanView]) -> None:
    _, plan = followed
    assert [(s.day, s.modality, s.number, s.of, s.downtime_days) for s in plan.sessions] == [
        (START + timedelta(weeks=2 * n), "tca_cross", n + 1, 4, 7) for n in range(4)
    ]


def test_the_next_visit_says_what_to_stop_beforehand_and_from_when(
    clinic: Clinic, clinician: Actor, followed: tuple[int, plans.PlanView]
) -> None:
    patient_id, _ = followed

    visit = vp.next_visit(clinic, clinician, patient_id, clinic.today())

    assert visit is not None
    assert (visit.day, visit.procedure, visit.number, visit.of) == (START, "TCA CROSS", 1, 4)
    assert visit.regions == ("Left cheek",)
    assert (visit.booked, visit.start, visit.room, visit.practitioner) == (False, None, None, None)
    assert visit.summary.startswith("A doctor presses a tiny amount of strong trichloroacetic")
    # 14 days before the first session; back the day after the last session's 7 days of healing
    # (sessions every 14 days: each pause runs into the next, so they are one).
    (pause,) = visit.pauses
    assert (pause.agent, pause.stop_on, pause.resume_on) == (
        "tretinoin",
        date(2026, 11, 30),
        date(2027, 1, 25) + timedelta(days=8),
    )
    assert pause.name.startswith("Tretinoin")
    assert pause.resume_when.startswith("Restart once the treated spots have crusted over")
    assert "KHUNGER2011" in pause.sources
    assert pause.text == (
        f"Stop {pause.name} from 30 Nov 2026; start again from 02 Feb 2027 (Restart once the "
        "treated spots have crusted over and any irritation has settled; in the CROSS trial "
        "tretinoin was not stopped)."
    )


def test_a_booked_slot_gives_the_day_time_and_place_and_moves_the_pause(
    clinic: Clinic, clinician: Actor, followed: tuple[int, plans.PlanView]
) -> None:
    patient_id, plan = followed
    booked_day = START + timedelta(days=2)
    with clinic.uow.write() as session:
        session.add(
            AppointmentRecord(
                patient_id=patient_id,
                plan_id=plan.id,
                planned_session_id=plan.sessions[0].id,
                session_key=session_key(plan.id, "tca_cross", 1),
                modality="tca_cross",
                day=booked_day,
                start_minute=10 * 60,
                end_minute=10 * 60 + 45,
                practitioner="Dr Lee",
                device=None,
                room="Room 2",
                status="booked",
                created_at=clinic.now(),
                updated_at=clinic.now(),
            )
        )

    visit = vp.next_visit(clinic, clinician, patient_id, clinic.today())

    assert visit is not None
    assert (visit.day, visit.booked, visit.start, visit.end) == (booked_day, True, "10:00", "10:45")
    assert (visit.room, visit.practitioner) == ("Room 2", "Dr Lee")
    assert visit.pauses[0].stop_on == booked_day - timedelta(days=14)


def test_aftercare_is_for_the_last_session_done_and_the_next_visit_moves_on(
    clinic: Clinic, clinician: Actor, clock: FrozenClock, followed: tuple[int, plans.PlanView]
) -> None:
    patient_id, _ = followed
    assert vp.aftercare(clinic, clinician, patient_id, clinic.today()) is None
    clock.advance(days=(START - clinic.today()).days + 1)
    ensure_consents(clinic, clinician, patient_id)
    sessions.record_session(
        clinic,
        clinician,
        patient_id,
        with_checklist(
            {
                "performed_on": START.isoformat(),
                "modality": "tca_cross",
                "regions": ["cheek_left"],
                "practitioner": "Dr Lee",
            }
        ),
    )

    care = vp.aftercare(clinic, clinician, patient_id, clinic.today())
    visit = vp.next_visit(clinic, clinician, patient_id, clinic.today())

    assert care is not None
    assert (care.performed_on, care.procedure, care.regions) == (
        START,
        "TCA CROSS",
        ("Left cheek",),
    )
    assert [a.text for a in care.advice] == [TCA_AFTERCARE]
    assert care.advice[0].sources == ("AAD-SUN", "LEE2002")
    assert (care.downtime_min_days, care.downtime_max_days) == (5, 7)
    assert visit is not None
    assert (visit.day, visit.number) == (START + timedelta(weeks=2), 2)


def test_the_day_routine_rests_a_paused_product_and_says_until_when(
    clinic: Clinic, clinician: Actor, followed: tuple[int, plans.PlanView]
) -> None:
    patient_id, _ = followed

    before = vp.day_routine(clinic, clinician, patient_id, date(2026, 11, 23))
    during = vp.day_routine(clinic, clinician, patient_id, START)

    assert before is not None
    assert during is not None
    assert [i.agent for i in before.evening] == ["tretinoin"]
    # Tretinoin is used as now until the pause; the plan's new products start with the plan.
    assert ("sunscreen", "starts on 14 Dec 2026") in [(r.agent, r.reason) for r in before.resting]
    assert "sunscreen" in [i.agent for i in during.morning]
    assert "tretinoin" not in [i.agent for i in during.evening]
    (resting,) = [r for r in during.resting if r.agent == "tretinoin"]
    assert resting.reason == "paused around your session; start again from 02 Feb 2027"


def test_the_week_of_the_pause_lists_it_and_the_week_it_ends_lists_the_restart(
    clinic: Clinic, clinician: Actor, followed: tuple[int, plans.PlanView]
) -> None:
    patient_id, _ = followed

    first = vp.routine_changes(clinic, clinician, patient_id, date(2026, 11, 30))
    last = vp.routine_changes(clinic, clinician, patient_id, date(2027, 1, 31))
    quiet = vp.routine_changes(clinic, clinician, patient_id, date(2026, 11, 22))

    assert [(c.day, c.kind, c.agent) for c in first] == [(date(2026, 11, 30), "pause", "tretinoin")]
    assert first[0].text.endswith("until 01 Feb 2027: it is paused around your session.")
    assert [(c.day, c.kind, c.agent) for c in last] == [(date(2027, 2, 2), "resume", "tretinoin")]
    assert quiet == ()


def test_everything_at_once_matches_the_single_reads(
    clinic: Clinic, clinician: Actor, followed: tuple[int, plans.PlanView]
) -> None:
    patient_id, _ = followed
    today = clinic.today()

    found = vp.preparation(clinic, clinician, patient_id, today)

    assert found.following_plan
    assert found.next_visit == vp.next_visit(clinic, clinician, patient_id, today)
    assert found.today == vp.day_routine(clinic, clinician, patient_id, today)
    assert found.changes == vp.routine_changes(clinic, clinician, patient_id, today)
    assert found.aftercare is None


def test_a_proposed_plan_is_not_followed_yet(clinic: Clinic, clinician: Actor) -> None:
    patient_id, _ = _patient_with_plan(clinic, clinician, accept=False)

    found = vp.preparation(clinic, clinician, patient_id, clinic.today())

    assert not found.following_plan
    assert (found.next_visit, found.today, found.changes) == (None, None, ())


def test_a_patient_reads_their_own_and_no_one_else_s(
    clinic: Clinic, clinician: Actor, admin: Actor, followed: tuple[int, plans.PlanView]
) -> None:
    patient_id, _ = followed
    other_id = patients.create_patient(clinic, clinician, patient_input("P-0002", "Bo Chen")).id
    me = users.create_user(
        clinic, "ana", "Ana Silva", "a long portal password", "patient", patient_id=patient_id
    )
    staff = users.create_user(clinic, "desk", "Front Desk", "reception counter phrase", "staff")

    assert vp.next_visit(clinic, me, patient_id, clinic.today()) is not None
    with pytest.raises(NotFoundError):
        vp.next_visit(clinic, me, other_id, clinic.today())
    with pytest.raises(NotFoundError):
        vp.preparation(clinic, me, other_id, clinic.today())
    with pytest.raises(PermissionDeniedError):
        vp.aftercare(clinic, staff, patient_id, clinic.today())
    with pytest.raises(PermissionDeniedError):
        vp.routine_changes(clinic, admin, patient_id, clinic.today())
