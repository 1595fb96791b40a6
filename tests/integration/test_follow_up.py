"""Follow-up visits, the outcome review and adverse event outcomes, on a real database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import AuditEventRecord
from scarplan.domain.errors import InputError, NotFoundError, PermissionDeniedError, StateError
from scarplan.planning.follow_up import VisitKind
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.calendar import front_desk, schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import follow_up, plans
from scarplan.services.clinic.records import (
    adverse_events,
    assessments,
    patients,
    progress,
    sessions,
)
from support.clinic_data import LESIONS, assessment_input, patient_input
from support.clock import FrozenClock
from support.consent import record_cleared

TODAY = date(2026, 11, 21)  # the frozen clock's day


@dataclass(frozen=True)
class Treated:
    patient_id: int
    plan_id: int
    first_session_id: int


def _session(day: date, modality: str, **extra: object) -> dict[str, object]:
    return {
        "performed_on": day.isoformat(),
        "modality": modality,
        "regions": ["cheek_left"],
        "practitioner": "Dr Lee",
        **extra,
    }


@pytest.fixture
def treated(clinic: Clinic, clinician: Actor) -> Treated:
    """Assessed yesterday, plan accepted, its first session done today, then completed."""
    patient = patients.create_patient(clinic, clinician, patient_input("P-FU", "Ana Follow"))
    assessments.record_assessment(
        clinic, clinician, patient.id, assessment_input(TODAY - timedelta(days=1))
    )
    plan = plans.propose_plan(clinic, clinician, patient.id)
    plans.accept_plan(clinic, clinician, plan.id)
    first = plans.get_plan(clinic, clinician, plan.id).sessions[0]
    done = record_cleared(
        clinic,
        clinician,
        patient.id,
        {
            **_session(TODAY, first.modality),
            "regions": first.regions,
            "planned_session_id": first.id,
        },
    )
    plans.complete_plan(clinic, clinician, plan.id)
    return Treated(patient.id, plan.id, done.id)


@pytest.fixture
def staff(clinic: Clinic) -> Actor:
    return users.create_user(clinic, "desk", "Front Desk", "correct horse battery staple", "staff")


# --- due visits -------------------------------------------------------------------------------


def test_a_completed_course_and_a_punch_excision_make_two_visits_due(
    clinic: Clinic, clinician: Actor, staff: Actor, treated: Treated
) -> None:
    record_cleared(clinic, clinician, treated.patient_id, _session(TODAY, "punch_excision"))

    due = follow_up.follow_ups_due(clinic, staff, treated.patient_id)

    assert [(v.kind, v.earliest, v.latest) for v in due] == [
        (VisitKind.FOLLOW_UP, date(2026, 11, 28), date(2026, 12, 1)),
        (VisitKind.OUTCOME_REVIEW, date(2027, 2, 21), date(2027, 5, 21)),
    ]


def test_an_open_plan_with_sessions_still_to_do_has_no_review_due(
    clinic: Clinic, clinician: Actor
) -> None:
    patient = patients.create_patient(clinic, clinician, patient_input("P-OPEN", "Open Plan"))
    assessments.record_assessment(
        clinic, clinician, patient.id, assessment_input(TODAY - timedelta(days=1))
    )
    plan = plans.propose_plan(clinic, clinician, patient.id)
    plans.accept_plan(clinic, clinician, plan.id)
    first = plans.get_plan(clinic, clinician, plan.id).sessions[0]
    record_cleared(
        clinic,
        clinician,
        patient.id,
        {
            **_session(TODAY, first.modality),
            "regions": first.regions,
            "planned_session_id": first.id,
        },
    )

    kinds = [v.kind for v in follow_up.follow_ups_due(clinic, clinician, patient.id)]
    assert VisitKind.OUTCOME_REVIEW not in kinds


def test_recording_the_check_stops_it_being_due_and_the_desk_list_follows(
    clinic: Clinic, clinician: Actor, staff: Actor, treated: Treated, clock: FrozenClock
) -> None:
    record_cleared(clinic, clinician, treated.patient_id, _session(TODAY, "punch_excision"))
    week = follow_up.follow_ups_due_between(clinic, staff, date(2026, 11, 30), date(2026, 12, 6))
    assert [(d.full_name, d.visit.kind) for d in week] == [("Ana Follow", VisitKind.FOLLOW_UP)]
    assert (
        follow_up.follow_ups_due_between(clinic, staff, date(2027, 5, 1), date(2027, 5, 31))[
            0
        ].visit.kind
        is VisitKind.OUTCOME_REVIEW
    )

    clock.advance(days=8)
    follow_up.record_visit(
        clinic,
        clinician,
        treated.patient_id,
        {"kind": "follow_up", "visited_on": "2026-11-29", "notes": "stitches out"},
    )

    assert follow_up.follow_ups_due_between(clinic, staff, TODAY, date(2026, 12, 31)) == []
    assert [v.kind for v in follow_up.follow_ups_due(clinic, staff, treated.patient_id)] == [
        VisitKind.OUTCOME_REVIEW
    ]


def test_the_desk_list_refuses_a_last_day_before_the_first(clinic: Clinic, staff: Actor) -> None:
    with pytest.raises(InputError) as caught:
        follow_up.follow_ups_due_between(clinic, staff, TODAY, TODAY - timedelta(days=1))
    assert [p.path for p in caught.value.problems] == ["last"]


def test_a_visit_in_the_future_is_refused_and_nothing_saved(
    clinic: Clinic, clinician: Actor, treated: Treated
) -> None:
    with pytest.raises(InputError) as caught:
        follow_up.record_visit(
            clinic, clinician, treated.patient_id, {"kind": "follow_up", "visited_on": "2026-11-22"}
        )
    assert [p.path for p in caught.value.problems] == ["visited_on"]
    assert follow_up.list_visits(clinic, clinician, treated.patient_id) == []


def test_staff_see_due_visits_but_not_the_review(
    clinic: Clinic, staff: Actor, treated: Treated
) -> None:
    assert follow_up.follow_ups_due(clinic, staff, treated.patient_id)
    with pytest.raises(PermissionDeniedError):
        follow_up.outcome_comparison(clinic, staff, treated.patient_id)
    with pytest.raises(PermissionDeniedError):
        follow_up.record_visit(
            clinic, staff, treated.patient_id, {"kind": "follow_up", "visited_on": "2026-11-21"}
        )


# --- the outcome review -----------------------------------------------------------------------


def test_without_a_re_assessment_the_review_says_what_is_missing(
    clinic: Clinic, clinician: Actor, treated: Treated
) -> None:
    review = follow_up.outcome_comparison(clinic, clinician, treated.patient_id)

    assert review.verdict is None
    assert review.verdict_words == "No comparison yet."
    assert any("No re-assessment after the last session (21 Nov 2026)" in m for m in review.missing)
    assert review.scores[0].latest is None
    assert review.scores[0].improvement_pct is None


def test_without_a_plan_carried_out_the_review_says_so(clinic: Clinic, clinician: Actor) -> None:
    patient = patients.create_patient(clinic, clinician, patient_input("P-NEW", "New Patient"))

    review = follow_up.outcome_comparison(clinic, clinician, patient.id)

    assert review.missing == ["No accepted plan has been carried out yet."]
    assert review.scores == []
    with pytest.raises(StateError):
        follow_up.record_visit(
            clinic, clinician, patient.id, {"kind": "outcome_review", "visited_on": "2026-11-21"}
        )


def _reassess(
    clinic: Clinic,
    clinician: Actor,
    clock: FrozenClock,
    patient_id: int,
    scale: Callable[[int], int],
) -> None:
    clock.advance(days=95)
    lesions = [{**lesion, "count": scale(lesion["count"])} for lesion in LESIONS]
    lesions = [lesion for lesion in lesions if lesion["count"]]
    assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(clock().date(), lesions)
    )


def test_unchanged_scars_are_below_expected_with_what_to_consider_from_the_planner(
    clinic: Clinic, clinician: Actor, treated: Treated, clock: FrozenClock
) -> None:
    _reassess(clinic, clinician, clock, treated.patient_id, lambda n: n)

    review = follow_up.outcome_comparison(clinic, clinician, treated.patient_id)

    gb = review.scores[0]
    assert gb.scale == "Goodman & Baron quantitative score"
    assert gb.improvement_pct == 0.0
    assert review.verdict == "below"
    assert review.verdict_words.startswith("Below expected: the Goodman & Baron quantitative")
    assert "; consider " in review.verdict_words
    # The planner's best recommendation for each scar type still there, one line per procedure.
    said = " ".join(review.consider)
    for scars in ("14 ice pick", "4 boxcar", "6 rolling"):
        assert said.count(scars) == 1, review.consider
    assert len(review.consider) == len(set(review.consider))
    assert review.sources
    assert review.caveat.startswith("Published ranges, not a promise")


def test_scars_almost_gone_are_not_below_expected(
    clinic: Clinic, clinician: Actor, treated: Treated, clock: FrozenClock
) -> None:
    _reassess(clinic, clinician, clock, treated.patient_id, lambda n: 1 if n == 14 else 0)

    review = follow_up.outcome_comparison(clinic, clinician, treated.patient_id)

    assert review.scores[0].improvement_pct is not None
    assert review.scores[0].improvement_pct == 70.0  # G&B 10 -> 3
    assert review.verdict in ("as_expected", "better")
    assert review.consider == []
    assert review.missing == []


def test_a_recorded_review_keeps_its_comparison_and_the_patient_reads_it_plainly(
    clinic: Clinic, clinician: Actor, treated: Treated, clock: FrozenClock
) -> None:
    _reassess(clinic, clinician, clock, treated.patient_id, lambda n: n)
    day = clock().date().isoformat()

    visit = follow_up.record_visit(
        clinic, clinician, treated.patient_id, {"kind": "outcome_review", "visited_on": day}
    )
    portal = users.create_user(
        clinic,
        "ana",
        "Ana",
        "correct horse battery staple",
        "patient",
        patient_id=treated.patient_id,
    )

    assert visit.verdict == "below"
    assert visit.verdict_words.startswith("Below expected")
    words = follow_up.latest_review_words(clinic, portal, treated.patient_id)
    assert words is not None
    assert words.startswith("Your scars improved less than published results")
    assert "Goodman" not in words
    # The review visit ends the outcome review's being due.
    kinds = [v.kind for v in follow_up.follow_ups_due(clinic, clinician, treated.patient_id)]
    assert VisitKind.OUTCOME_REVIEW not in kinds


# --- adverse event outcomes -------------------------------------------------------------------


@pytest.fixture
def event_id(clinic: Clinic, clinician: Actor, treated: Treated) -> int:
    found = sessions.add_adverse_event(
        clinic,
        clinician,
        treated.first_session_id,
        {"kind": "pih", "severity": "mild", "onset_on": TODAY.isoformat()},
    )
    return found.adverse_events[0].id


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ({"outcome": "resolved"}, "the resolved date is needed once the event has resolved"),
        (
            {"outcome": "resolving", "resolved_on": "2026-11-21"},
            "a resolved date is only given once the event has resolved (resolving)",
        ),
        (
            {"outcome": "resolved", "resolved_on": "2026-11-20"},
            "the resolved date is before the event began (21 Nov 2026)",
        ),
        (
            {"outcome": "resolved", "resolved_on": "2026-11-22"},
            "the resolved date is in the future",
        ),
    ],
)
def test_a_wrong_resolved_date_is_refused_naming_the_field_and_nothing_changes(
    clinic: Clinic, clinician: Actor, event_id: int, entered: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        adverse_events.set_outcome(clinic, clinician, event_id, entered)

    assert [(p.path, p.message) for p in caught.value.problems] == [("resolved_on", message)]
    detail = adverse_events.adverse_event(clinic, clinician, event_id)
    assert (detail.event.outcome, detail.event.resolved_on, detail.history) == (None, None, [])


def test_an_unknown_outcome_is_refused_by_its_field(
    clinic: Clinic, clinician: Actor, event_id: int
) -> None:
    with pytest.raises(InputError) as caught:
        adverse_events.set_outcome(clinic, clinician, event_id, {"outcome": "gone"})
    assert [p.path for p in caught.value.problems] == ["outcome"]


def test_resolving_an_event_keeps_its_history_and_the_overview_counts_only_unresolved(
    clinic: Clinic, clinician: Actor, treated: Treated, event_id: int, clock: FrozenClock
) -> None:
    overview = progress.patient_overview(clinic, clinician, treated.patient_id)
    assert (overview.unresolved_adverse_events, overview.first_unresolved_event_id) == (1, event_id)

    adverse_events.set_outcome(
        clinic, clinician, event_id, {"outcome": "resolving", "treatment": "hydroquinone 4 %"}
    )
    assert (
        progress.patient_overview(clinic, clinician, treated.patient_id).unresolved_adverse_events
        == 1
    )
    clock.advance(days=20)
    detail = adverse_events.set_outcome(
        clinic,
        clinician,
        event_id,
        {"outcome": "resolved", "resolved_on": "2026-12-08", "note": "faded"},
    )

    assert (detail.event.outcome, detail.event.resolved_on) == ("resolved", date(2026, 12, 8))
    assert detail.event.treatment == ""
    assert [(h.outcome, h.resolved_on, h.treatment, h.recorded_by) for h in detail.history] == [
        ("resolving", None, "hydroquinone 4 %", "Dr Lee"),
        ("resolved", date(2026, 12, 8), "", "Dr Lee"),
    ]
    overview = progress.patient_overview(clinic, clinician, treated.patient_id)
    assert (overview.unresolved_adverse_events, overview.first_unresolved_event_id) == (0, None)
    with clinic.uow.read() as session:
        actions = session.scalars(
            select(AuditEventRecord.action).where(
                AuditEventRecord.entity == "adverse_event", AuditEventRecord.entity_id == event_id
            )
        ).all()
    assert actions.count("set_outcome") == 2


def test_another_patients_event_is_not_found_for_a_portal_patient(
    clinic: Clinic, clinician: Actor, treated: Treated, event_id: int
) -> None:
    other = patients.create_patient(clinic, clinician, patient_input("P-X", "Other"))
    portal = users.create_user(
        clinic, "other", "Other", "correct horse battery staple", "patient", patient_id=other.id
    )
    with pytest.raises(NotFoundError):
        adverse_events.adverse_event(clinic, portal, event_id)
    with pytest.raises(NotFoundError):
        adverse_events.adverse_event(clinic, clinician, 999_999)


def test_a_check_booked_at_the_front_desk_is_no_longer_due_until_it_is_cancelled(
    clinic: Clinic, clinician: Actor, staff: Actor, treated: Treated
) -> None:
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    record_cleared(clinic, clinician, treated.patient_id, _session(TODAY, "punch_excision"))
    assert VisitKind.FOLLOW_UP in [
        v.kind for v in follow_up.follow_ups_due(clinic, staff, treated.patient_id)
    ]

    # Monday 30 Nov 2026, inside the 28 Nov - 1 Dec window for the stitches.
    check = front_desk.BookingRequest(treated.patient_id, kind=front_desk.VisitKind.FOLLOW_UP)
    booked = front_desk.book(
        clinic, staff, check, date(2026, 11, 30), "10:00", "dr-okafor", None, "room-1"
    )
    assert VisitKind.FOLLOW_UP not in [
        v.kind for v in follow_up.follow_ups_due(clinic, staff, treated.patient_id)
    ]

    front_desk.cancel(clinic, staff, booked.id)
    assert VisitKind.FOLLOW_UP in [
        v.kind for v in follow_up.follow_ups_due(clinic, staff, treated.patient_id)
    ]
