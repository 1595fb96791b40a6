"""Plans: proposed by the planner, accepted, carried out, and edited into new versions."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import (
    AssessmentRecord,
    HomeRoutineRecord,
    PlannedSessionRecord,
    PlanVersionRecord,
)
from scarplan.domain.errors import InputError, NotFoundError, StateError
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.plans.plans import PlannedSessionView, PlanView
from scarplan.services.clinic.records import assessments, patients, sessions
from support.checklists import with_checklist
from support.clinic_data import assessment_input, count_rows, patient_input
from support.clock import FrozenClock
from support.consent import ensure_consents


@pytest.fixture
def patient_id(clinic: Clinic, clinician: Actor) -> int:
    record = patients.create_patient(
        clinic, clinician, patient_input("P-0001", preferences={"start_date": "2027-01-11"})
    )
    assessments.record_assessment(clinic, clinician, record.id, assessment_input(clinic.today()))
    return record.id


@pytest.fixture
def proposed(clinic: Clinic, clinician: Actor, patient_id: int) -> PlanView:
    return plans.propose_plan(clinic, clinician, patient_id)


def on_day(clock: FrozenClock, day: date) -> None:
    clock.set(datetime.combine(day, time(9)).replace(tzinfo=clock.now().tzinfo))


def carry_out(
    clinic: Clinic, actor: Actor, clock: FrozenClock, patient_id: int, planned: PlannedSessionView
) -> sessions.SessionView:
    """Move the clock to a planned session's day and record it as done."""
    on_day(clock, planned.day)
    ensure_consents(clinic, actor, patient_id)
    return sessions.record_session(
        clinic,
        actor,
        patient_id,
        with_checklist(
            {
                "performed_on": planned.day.isoformat(),
                "modality": planned.modality,
                "regions": planned.regions,
                "practitioner": "Dr Lee",
            }
        ),
    )


def by_day(plan: PlanView) -> list[PlannedSessionView]:
    return sorted(plan.sessions, key=lambda s: (s.day, s.position))


def interval_days(plan: PlanView, modality: str) -> int:
    course = next(c for c in plan.document.courses if c.modality == modality)
    days: int = course.interval_days.value
    return days


def repeated(plan: PlanView) -> tuple[PlannedSessionView, PlannedSessionView]:
    """The first two sessions of a procedure the plan repeats."""
    for planned in by_day(plan):
        same = [s for s in by_day(plan) if s.modality == planned.modality]
        if len(same) > 1:
            return same[0], same[1]
    raise AssertionError("the planner repeats no procedure for this case")


def test_a_proposal_stores_the_planners_sessions_and_routine(
    clinic: Clinic, patient_id: int, proposed: PlanView, clinician: Actor
) -> None:
    found = plans.get_plan(clinic, clinician, proposed.id)

    assert (found.status, found.version, found.patient_id) == ("proposed", 1, patient_id)
    assert found == proposed
    assert found.sessions, "the planner proposed no session"
    document = found.document.model_dump(mode="json")
    assert len(found.sessions) == len(document["sessions"])
    for planned, item in zip(found.sessions, document["sessions"], strict=True):
        assert (planned.day.isoformat(), planned.modality) == (item["date"], item["modality"])
        assert planned.regions == item["regions"]
        assert planned.done_by_session_id is None
    assert min(s.day for s in found.sessions) >= date(2027, 1, 11)
    assert found.end_date == max(s.day for s in found.sessions)
    assert found.routine is not None
    assert found.routine == document["routine"]
    assert [v.version for v in found.versions] == [1]
    assert count_rows(clinic.uow.engine, PlannedSessionRecord) == len(found.sessions)
    assert count_rows(clinic.uow.engine, HomeRoutineRecord) == 1


def test_a_proposal_needs_an_assessment(clinic: Clinic, clinician: Actor) -> None:
    bare = patients.create_patient(clinic, clinician, patient_input("P-0002"))

    with pytest.raises(StateError):
        plans.propose_plan(clinic, clinician, bare.id)

    assert plans.list_plans(clinic, clinician, bare.id) == []
    assert count_rows(clinic.uow.engine, PlanVersionRecord) == 0


def test_accepting_a_plan_supersedes_the_other_proposal(
    clinic: Clinic, clinician: Actor, patient_id: int, proposed: PlanView, clock: FrozenClock
) -> None:
    clock.advance(hours=1)
    second = plans.propose_plan(clinic, clinician, patient_id)

    accepted = plans.accept_plan(clinic, clinician, second.id)

    assert (accepted.status, accepted.accepted_at) == ("accepted", clock.now())
    assert plans.get_plan(clinic, clinician, proposed.id).status == "superseded"
    assert [p.id for p in plans.list_plans(clinic, clinician, patient_id)] == [
        second.id,
        proposed.id,
    ]


def test_recording_the_planned_sessions_carries_the_plan_to_completed(
    clinic: Clinic, clinician: Actor, patient_id: int, proposed: PlanView, clock: FrozenClock
) -> None:
    plans.accept_plan(clinic, clinician, proposed.id)
    first, *rest = by_day(proposed)

    done = carry_out(clinic, clinician, clock, patient_id, first)

    assert (done.plan_id, done.planned_session_id) == (proposed.id, first.id)
    assert plans.get_plan(clinic, clinician, proposed.id).status == "in_progress"
    for planned in rest:
        assert plans.get_plan(clinic, clinician, proposed.id).status == "in_progress"
        carry_out(clinic, clinician, clock, patient_id, planned)
    finished = plans.get_plan(clinic, clinician, proposed.id)
    assert finished.status == "completed"
    assert all(s.done_by_session_id is not None for s in finished.sessions)


def test_a_completed_plan_cannot_be_accepted_again(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    plans.accept_plan(clinic, clinician, proposed.id)
    plans.complete_plan(clinic, clinician, proposed.id)

    with pytest.raises(StateError):
        plans.accept_plan(clinic, clinician, proposed.id)

    assert plans.get_plan(clinic, clinician, proposed.id).status == "completed"


def test_a_proposal_cannot_be_completed(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    with pytest.raises(StateError):
        plans.complete_plan(clinic, clinician, proposed.id)

    assert plans.get_plan(clinic, clinician, proposed.id).status == "proposed"


def test_moving_a_session_makes_version_two_and_keeps_version_one(
    clinic: Clinic, clinician: Actor, proposed: PlanView, clock: FrozenClock
) -> None:
    last = by_day(proposed)[-1]
    new_day = last.day + timedelta(days=14)
    clock.advance(days=1)

    edited = plans.edit_plan(
        clinic,
        clinician,
        proposed.id,
        {
            "based_on": proposed.version,
            "reason": "patient travels",
            "move": [{"position": last.position, "day": new_day}],
        },
    )

    assert edited.version == 2
    assert [(v.version, v.reason) for v in edited.versions] == [
        (1, "proposed by the planner"),
        (2, "patient travels"),
    ]
    assert by_day(edited)[-1].day == new_day
    assert edited.end_date == new_day
    assert len(edited.sessions) == len(proposed.sessions)
    assert edited.routine is not None
    assert plans.get_plan(clinic, clinician, proposed.id) == edited
    assert plans.get_plan(clinic, clinician, proposed.id, version=1) == replace(
        proposed, versions=edited.versions
    )


def test_removing_a_session_renumbers_the_rest_of_its_course(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    _, second = repeated(proposed)
    course = [s for s in proposed.sessions if s.modality == second.modality]

    edited = plans.edit_plan(
        clinic,
        clinician,
        proposed.id,
        {"based_on": proposed.version, "reason": "fewer visits", "remove": [second.id]},
    )

    remaining = [s for s in by_day(edited) if s.modality == second.modality]
    assert len(remaining) == len(course) - 1
    assert [(s.number, s.of) for s in remaining] == [
        (n, len(course) - 1) for n in range(1, len(course))
    ]
    assert len(edited.sessions) == len(proposed.sessions) - 1


def unchanged(clinic: Clinic, proposed: PlanView, clinician: Actor) -> None:
    found = plans.get_plan(clinic, clinician, proposed.id)
    assert found.version == 1
    assert [v.version for v in found.versions] == [1]
    assert found.sessions == proposed.sessions
    assert count_rows(clinic.uow.engine, PlanVersionRecord) == 1


def test_a_move_into_the_past_is_refused_and_saves_nothing(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    first = by_day(proposed)[0]
    yesterday = clinic.today() - timedelta(days=1)

    with pytest.raises(InputError) as error:
        plans.edit_plan(
            clinic,
            clinician,
            proposed.id,
            {
                "based_on": proposed.version,
                "reason": "earlier",
                "move": [{"position": first.position, "day": yesterday}],
            },
        )

    assert [p.path for p in error.value.problems] == ["move[0].day"]
    unchanged(clinic, proposed, clinician)


def test_a_move_inside_the_healing_interval_is_refused_and_saves_nothing(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    first, second = repeated(proposed)
    too_soon = first.day + timedelta(days=interval_days(proposed, first.modality) - 1)
    assert too_soon > first.day

    with pytest.raises(InputError) as error:
        plans.edit_plan(
            clinic,
            clinician,
            proposed.id,
            {
                "based_on": proposed.version,
                "reason": "sooner",
                "move": [{"position": second.position, "day": too_soon}],
            },
        )

    # The interval is broken; the move may also come too close to another procedure's session.
    assert {p.path for p in error.value.problems} == {"move"}
    assert any(
        f"{first.modality} on {too_soon} is {(too_soon - first.day).days} days after "
        f"{first.modality}" in p.message
        for p in error.value.problems
    ), error.value.problems
    unchanged(clinic, proposed, clinician)


def test_a_move_to_the_end_of_the_healing_interval_is_accepted(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    first, second = repeated(proposed)
    healed = first.day + timedelta(days=interval_days(proposed, first.modality))

    edited = plans.edit_plan(
        clinic,
        clinician,
        proposed.id,
        {
            "based_on": proposed.version,
            "reason": "sooner",
            "move": [{"position": second.position, "day": healed}],
        },
    )

    course = [s.day for s in by_day(edited) if s.modality == first.modality]
    assert course[:2] == [first.day, healed]


def test_removing_a_session_already_carried_out_is_refused(
    clinic: Clinic, clinician: Actor, patient_id: int, proposed: PlanView, clock: FrozenClock
) -> None:
    plans.accept_plan(clinic, clinician, proposed.id)
    first = by_day(proposed)[0]
    done = carry_out(clinic, clinician, clock, patient_id, first)
    before = plans.get_plan(clinic, clinician, proposed.id)

    with pytest.raises(InputError) as error:
        plans.edit_plan(
            clinic,
            clinician,
            proposed.id,
            {"based_on": proposed.version, "reason": "drop it", "remove": [first.id]},
        )

    assert [p.path for p in error.value.problems] == ["remove[0]"]
    after = plans.get_plan(clinic, clinician, proposed.id)
    assert after == before
    assert next(s for s in after.sessions if s.id == first.id).done_by_session_id == done.id


def test_a_session_carried_out_stays_done_in_the_next_version(
    clinic: Clinic, clinician: Actor, patient_id: int, proposed: PlanView, clock: FrozenClock
) -> None:
    plans.accept_plan(clinic, clinician, proposed.id)
    first, *_, last = by_day(proposed)
    done = carry_out(clinic, clinician, clock, patient_id, first)

    edited = plans.edit_plan(
        clinic,
        clinician,
        proposed.id,
        {
            "based_on": proposed.version,
            "reason": "later",
            "move": [{"position": last.position, "day": last.day + timedelta(7)}],
        },
    )

    carried = [s for s in edited.sessions if s.done_by_session_id is not None]
    assert [(s.day, s.modality, s.done_by_session_id) for s in carried] == [
        (first.day, first.modality, done.id)
    ]
    assert sessions.get_session(clinic, clinician, done.id).planned_session_id == carried[0].id
    assert edited.status == "in_progress"


def test_the_plan_page_reads_the_plan_and_its_patient_together(
    clinic: Clinic, clinician: Actor, patient_id: int, proposed: PlanView
) -> None:
    page = plans.plan_page(clinic, clinician, proposed.id)

    assert page.plan == plans.get_plan(clinic, clinician, proposed.id)
    assert (page.patient.id, page.patient.code) == (patient_id, "P-0001")


def test_an_unknown_plan_or_version_is_not_found_and_names_the_field(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    with pytest.raises(NotFoundError) as no_plan:
        plans.plan_page(clinic, clinician, proposed.id + 1000)
    with pytest.raises(NotFoundError) as no_version:
        plans.plan_page(clinic, clinician, proposed.id, version=2)

    assert [p.path for p in no_plan.value.problems] == ["plan_id"]
    assert [p.path for p in no_version.value.problems] == ["version"]


def test_an_edit_that_breaks_the_order_rule_is_refused_with_the_rule_and_its_source(
    clinic: Clinic, clinician: Actor
) -> None:
    """Resurfacing waits 4-6 weeks after a punch (ACNEORG-PUNCH relaying Jacob 2001, HEBER):
    moving the first resurfacing session to 10 days after the punch is refused, naming the
    rule and its sources, and nothing is saved."""
    record = patients.create_patient(
        clinic,
        clinician,
        patient_input(
            "P-0002",
            fitzpatrick="II",
            preferences={"start_date": "2027-02-01", "max_downtime_days": 14},
        ),
    )
    lesions = [
        {"region": "cheek_left", "type": "ice_pick", "count": 3, "width_mm": 2.8, "depth_mm": 2.2},
        {
            "region": "temple_left",
            "type": "boxcar",
            "count": 8,
            "width_mm": 2.5,
            "depth_mm": 0.4,
            "edges": "sharp",
        },
    ]
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(clinic.today(), lesions)
    )
    proposed = plans.propose_plan(clinic, clinician, record.id)
    punch = next(s for s in by_day(proposed) if s.modality == "punch_excision")
    field = next(s for s in by_day(proposed) if s.modality not in ("punch_excision", "tca_cross"))
    assert (field.day - punch.day).days >= 28

    with pytest.raises(InputError) as error:
        plans.edit_plan(
            clinic,
            clinician,
            proposed.id,
            {
                "based_on": proposed.version,
                "reason": "sooner",
                "move": [{"position": field.position, "day": punch.day + timedelta(days=10)}],
            },
        )

    messages = " ".join(p.message for p in error.value.problems)
    assert "punch_then_resurfacing" in messages
    assert "ACNEORG-PUNCH" in messages
    unchanged(clinic, proposed, clinician)


V1_DOCUMENT = Path(__file__).parents[1] / "support" / "plan_v1_mixed.json"


def test_a_stored_plan_of_the_earlier_shape_loads_and_edits(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    """A version 1 plan document (written by the planner before per-lesion-group plans: no
    lesion groups, reviews, alternations or recorded default gap) is read through the typed
    document and edited under the same gap rule."""
    document = json.loads(V1_DOCUMENT.read_text(encoding="utf-8"))
    assert "lesion_groups" not in document
    with clinic.uow.write() as session:
        assessment = session.scalars(
            select(AssessmentRecord).where(AssessmentRecord.patient_id == patient_id)
        ).one()
        record = plans.add_plan(
            session, clinic, clinician, assessment, document, plans.PlanStatus.PROPOSED, "v1"
        )
        plan_id = record.id
    stored = plans.get_plan(clinic, clinician, plan_id)
    typed = stored.document
    assert typed.lesion_groups == []
    assert typed.default_gap_days is None
    first, second = repeated(stored)
    too_soon = first.day + timedelta(days=interval_days(stored, first.modality) - 1)
    with pytest.raises(InputError):
        plans.edit_plan(
            clinic,
            clinician,
            plan_id,
            {
                "based_on": plans.get_plan(clinic, clinician, plan_id).version,
                "reason": "sooner",
                "move": [{"position": second.position, "day": too_soon}],
            },
        )
    last = by_day(stored)[-1]
    later = last.day + timedelta(days=7)
    edited = plans.edit_plan(
        clinic,
        clinician,
        plan_id,
        {
            "based_on": plans.get_plan(clinic, clinician, plan_id).version,
            "reason": "a week later",
            "move": [{"position": last.position, "day": later}],
        },
    )
    assert edited.version == 2
    assert later in {s.day for s in edited.sessions}
