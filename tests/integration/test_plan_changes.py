"""Adding, swapping and changing courses of a stored plan (services/clinic/plans/plans.edit_plan):
each change is a new version with its reason, checked with the proposal's rules; a refused
change saves nothing. An empty plan cannot be accepted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from scarplan.adapters.db.tables import PlanVersionRecord
from scarplan.domain.errors import InputError, StateError
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.plans.plans import PlanView
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, count_rows, patient_input
from support.clock import FrozenClock
from support.consent import record_cleared

LESIONS = [
    {"region": "cheek_left", "type": "ice_pick", "count": 6, "width_mm": 1.0},
    {"region": "cheek_right", "type": "rolling", "count": 5},
    {"region": "forehead", "type": "boxcar", "count": 4, "width_mm": 2.5, "depth_mm": 0.3},
]


def proposal(clinic: Clinic, clinician: Actor, code: str = "P-0001", **patient: Any) -> PlanView:
    record = patients.create_patient(
        clinic, clinician, patient_input(code, fitzpatrick="II", **patient)
    )
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(clinic.today(), LESIONS)
    )
    return plans.propose_plan(clinic, clinician, record.id)


@pytest.fixture
def proposed(clinic: Clinic, clinician: Actor) -> PlanView:
    return proposal(clinic, clinician)


def modalities(plan: PlanView) -> list[str]:
    return [s.modality for s in plan.sessions]


def test_a_plan_is_proposed_with_its_first_session_after_the_proposal_day(
    clinic: Clinic, proposed: PlanView
) -> None:
    assert min(s.day for s in proposed.sessions) == clinic.today() + timedelta(days=1)
    assert proposed.acceptable


def test_adding_a_course_makes_a_priced_version_with_its_reason(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    edited = plans.edit_plan(
        clinic,
        clinician,
        proposed.id,
        {
            "based_on": 1,
            "reason": "patient asks for volume",
            "add": {"modality": "ha_filler", "regions": ["cheek_right"]},
        },
    )
    assert edited.version == 2
    assert modalities(edited).count("ha_filler") == 3
    assert all(s.cost is not None and s.cost > 0 for s in edited.sessions)
    assert edited.total_cost == sum(s.cost for s in edited.sessions if s.cost is not None)
    assert [v.reason for v in edited.versions] == [
        "proposed by the planner",
        "patient asks for volume",
    ]
    first = plans.get_plan(clinic, clinician, proposed.id, 1)
    assert "ha_filler" not in modalities(first)


def test_a_swap_keeps_the_slot_and_a_refused_swap_saves_nothing(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    slot = min(s.day for s in proposed.sessions if s.modality == "fractional_co2")
    last_cross = max(s.day for s in proposed.sessions if s.modality == "tca_cross")
    too_soon = {
        "based_on": 1,
        "reason": "sooner",
        "swap": {
            "replace": "fractional_co2",
            "course": {
                "modality": "fractional_erbium",
                "regions": ["forehead"],
                "first_day": (last_cross + timedelta(days=3)).isoformat(),
            },
        },
    }
    with pytest.raises(InputError) as refused:
        plans.edit_plan(clinic, clinician, proposed.id, too_soon)
    assert refused.value.problems[0].path == "swap.first_day"
    assert "3 days after TCA CROSS" in refused.value.problems[0].message
    assert count_rows(clinic.uow.engine, PlanVersionRecord) == 1

    del too_soon["swap"]["course"]["first_day"]  # type: ignore[index]
    swapped = plans.edit_plan(clinic, clinician, proposed.id, too_soon)
    assert "fractional_co2" not in modalities(swapped)
    assert min(s.day for s in swapped.sessions if s.modality == "fractional_erbium") == slot


def test_changing_settings_checks_the_published_range(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    cross = [s.id for s in proposed.sessions if s.modality == "tca_cross"]
    change: dict[str, Any] = {
        "based_on": 1,
        "reason": "stronger acid",
        "change": {"sessions": cross, "parameters": [{"name": "TCA concentration", "value": 30.0}]},
    }
    with pytest.raises(InputError) as refused:
        plans.edit_plan(clinic, clinician, proposed.id, change)
    assert refused.value.problems[0].path == "change.parameters.TCA concentration"
    assert count_rows(clinic.uow.engine, PlanVersionRecord) == 1

    change["change"]["parameters"][0]["value"] = 90.0
    change["change"]["regions"] = ["cheek_left", "chin"]
    edited = plans.edit_plan(clinic, clinician, proposed.id, change)
    for planned, item in zip(edited.sessions, edited.document.sessions, strict=True):
        if planned.modality == "tca_cross":
            assert planned.regions == ["cheek_left", "chin"]
            assert [(p.name, p.value) for p in item.parameters] == [("TCA concentration", 90.0)]


def test_a_judgement_call_is_refused_without_a_reason_and_kept_with_one(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    add: dict[str, Any] = {
        "based_on": 1,
        "reason": "gentler course for the forehead",
        "add": {"modality": "microneedling", "regions": ["forehead"]},
    }
    with pytest.raises(InputError) as refused:
        plans.edit_plan(clinic, clinician, proposed.id, add)
    assert refused.value.problems[0].path == "override_reason"
    edited = plans.edit_plan(
        clinic, clinician, proposed.id, {**add, "override_reason": "thin skin on the forehead"}
    )
    assert any("Reason given: thin skin on the forehead" in n for n in edited.document.notes)


def test_one_kind_of_change_per_version(
    clinic: Clinic, clinician: Actor, proposed: PlanView
) -> None:
    mixed = {
        "based_on": 1,
        "reason": "two things",
        "add": {"modality": "ha_filler", "regions": ["cheek_right"]},
        "remove": [proposed.sessions[0].id],
    }
    with pytest.raises(InputError):
        plans.edit_plan(clinic, clinician, proposed.id, mixed)


def test_a_session_carried_out_stays_done_after_a_course_is_added(
    clinic: Clinic, clinician: Actor, proposed: PlanView, clock: FrozenClock
) -> None:

    plans.accept_plan(clinic, clinician, proposed.id)
    first = min(proposed.sessions, key=lambda s: (s.day, s.position))
    clock.advance(days=(first.day - clinic.today()).days)
    record_cleared(
        clinic,
        clinician,
        proposed.patient_id,
        {
            "performed_on": first.day.isoformat(),
            "modality": first.modality,
            "regions": first.regions,
            "practitioner": "Dr Lee",
        },
    )
    edited = plans.edit_plan(
        clinic,
        clinician,
        proposed.id,
        {"based_on": 1, "reason": "volume", "add": {"modality": "ha_filler", "regions": ["chin"]}},
    )
    done = [s for s in edited.sessions if s.done_by_session_id is not None]
    assert [(s.day, s.modality) for s in done] == [(first.day, first.modality)]


def test_an_empty_plan_cannot_be_accepted_and_refuses_a_contraindicated_course(
    clinic: Clinic, clinician: Actor
) -> None:
    empty = proposal(clinic, clinician, "P-0009", pregnant=True)
    assert empty.sessions == []
    assert not empty.acceptable
    with pytest.raises(StateError) as refused:
        plans.accept_plan(clinic, clinician, empty.id)
    assert refused.value.problems[0].path == "sessions"
    assert plans.get_plan(clinic, clinician, empty.id).status == "proposed"
    with pytest.raises(InputError) as unsafe:
        plans.edit_plan(
            clinic,
            clinician,
            empty.id,
            {
                "based_on": 1,
                "reason": "try a filler",
                "override_reason": "patient insists",
                "add": {"modality": "ha_filler", "regions": ["cheek_right"]},
            },
        )
    assert unsafe.value.problems[0].path == "add.modality"
    assert "pregnan" in unsafe.value.problems[0].message


def test_a_first_session_cannot_be_moved_before_its_preparation(
    clinic: Clinic, clinician: Actor
) -> None:
    # Fitzpatrick V, narrow ice picks: TCA CROSS after a 28-day test spot and 2 weeks' priming
    # (golden p86); proposed today, the first CROSS is 28 days on and cannot move earlier.
    record = patients.create_patient(clinic, clinician, patient_input("P-0005", fitzpatrick="V"))
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(clinic.today(), LESIONS[:1])
    )
    plan = plans.propose_plan(clinic, clinician, record.id)
    first = min(plan.sessions, key=lambda s: s.day)
    assert first.day == clinic.today() + timedelta(days=28)
    with pytest.raises(InputError) as refused:
        plans.edit_plan(
            clinic,
            clinician,
            plan.id,
            {
                "based_on": 1,
                "reason": "patient wants it sooner",
                "move": [
                    {
                        "position": first.position,
                        "day": (clinic.today() + timedelta(days=7)).isoformat(),
                    }
                ],
            },
        )
    problem = refused.value.problems[0]
    assert problem.path == "move[0].day"
    assert "28 days of preparation" in problem.message
    assert count_rows(clinic.uow.engine, PlanVersionRecord) == 1
