"""The plan aggregate: status rules, sessions carried out, and edits under the one gap rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scarplan.adapters.casefile import parse_case_text
from scarplan.domain.errors import InputError, StateError
from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.document import PlanDocument
from scarplan.planning.lifecycle import AvoidWindow, Plan, PlanStatus
from scarplan.services.planning import plan_case, plan_document
from scarplan.settings import Settings

TODAY = date(2026, 12, 7)
# Two wide punched-out ice picks (punch excision) and shallow boxcar (a field course).
CASE = """
scarplan_case: 1
patient: {id: L-1, age_years: 40, sex: male, fitzpatrick: II, active_acne: none,
          isotretinoin: {status: none}}
preferences: {start_date: 2027-02-01, max_downtime_days: 14}
assessment:
  date: 2026-12-01
  lesions:
    - {region: cheek_left, type: ice_pick, count: 3, width_mm: 2.8, depth_mm: 2.2}
    - {region: temple_left, type: boxcar, count: 8, width_mm: 2.5, depth_mm: 0.4, edges: sharp}
"""


@pytest.fixture(scope="module")
def document(knowledge: KnowledgeBase) -> PlanDocument:
    case = parse_case_text(CASE, TODAY)
    return plan_document(plan_case(case, knowledge, Settings(), TODAY))


def positions(document: PlanDocument, modality: Modality) -> list[int]:
    return [p for p, s in enumerate(document.sessions) if s.modality is modality]


def test_status_moves_only_along_its_rules(document: PlanDocument) -> None:
    plan = Plan(1, PlanStatus.PROPOSED, document)
    with pytest.raises(StateError):
        plan.complete()
    plan.accept()
    assert plan.status is PlanStatus.ACCEPTED
    with pytest.raises(StateError):
        plan.accept()
    plan.cancel()
    with pytest.raises(StateError):
        plan.cancel()


def test_recording_sessions_starts_and_ends_the_plan(document: PlanDocument) -> None:
    plan = Plan(1, PlanStatus.ACCEPTED, document)
    for count, position in enumerate(range(len(document.sessions)), start=1):
        plan.record_session(position)
        done = count == len(document.sessions)
        assert plan.status is (PlanStatus.COMPLETED if done else PlanStatus.IN_PROGRESS)


def test_a_proposed_plan_takes_no_session(document: PlanDocument) -> None:
    with pytest.raises(StateError):
        Plan(1, PlanStatus.PROPOSED, document).record_session(0)


def test_a_session_fulfils_the_next_open_one_of_its_kind(document: PlanDocument) -> None:
    punch = positions(document, Modality.PUNCH_EXCISION)[0]
    plan = Plan(1, PlanStatus.ACCEPTED, document, frozenset({punch}))
    assert plan.fulfilment(Modality.PUNCH_EXCISION, None) is None
    field = document.sessions[positions(document, Modality.PUNCH_EXCISION)[0] + 1].modality
    assert plan.fulfilment(field, None) == positions(document, field)[0]
    with pytest.raises(InputError):
        plan.fulfilment(Modality.TCA_CROSS, punch)


def test_an_edit_keeps_the_punch_then_resurfacing_gap(document: PlanDocument) -> None:
    plan = Plan(1, PlanStatus.ACCEPTED, document)
    punch = document.sessions[positions(document, Modality.PUNCH_EXCISION)[0]]
    field = next(
        p for p, s in enumerate(document.sessions) if s.modality is not Modality.PUNCH_EXCISION
    )
    with pytest.raises(InputError) as error:
        plan.edit({field: punch.date + timedelta(days=27)}, [], "sooner", TODAY, [], 14)
    assert "punch_then_resurfacing" in error.value.problems[0].message
    edited = plan.edit({field: punch.date + timedelta(days=28)}, [], "sooner", TODAY, [], 14)
    assert edited.document.sessions[0].date == punch.date
    assert edited.document.notes[-1] == "Edited by the clinician: sooner"


def test_an_edit_into_the_dates_to_avoid_is_refused(document: PlanDocument) -> None:
    plan = Plan(1, PlanStatus.ACCEPTED, document)
    last = len(document.sessions) - 1
    day = document.sessions[last].date
    away = AvoidWindow(day + timedelta(days=30), day + timedelta(days=40), "wedding")
    with pytest.raises(InputError) as error:
        plan.edit({last: day + timedelta(days=31)}, [], "later", TODAY, [away], 14)
    assert "wedding" in error.value.problems[0].message


def test_removing_sessions_renumbers_and_reprices(document: PlanDocument) -> None:
    plan = Plan(1, PlanStatus.ACCEPTED, document)
    last = len(document.sessions) - 1
    edited = plan.edit({}, [last], "fewer", TODAY, [], 14).document
    removed = document.sessions[last]
    kept = [s for s in edited.sessions if s.modality is removed.modality]
    assert [s.number for s in kept] == list(range(1, len(kept) + 1))
    assert all(s.of == len(kept) for s in kept)
    if removed.cost is not None and document.total_cost.amount is not None:
        assert edited.total_cost.amount == pytest.approx(
            document.total_cost.amount - removed.cost.amount
        )


def test_a_plan_without_sessions_cannot_be_accepted(document: PlanDocument) -> None:
    empty = document.model_copy(update={"sessions": []})
    plan = Plan(1, PlanStatus.PROPOSED, empty)
    assert not plan.acceptable
    with pytest.raises(StateError) as raised:
        plan.accept()
    assert raised.value.problems[0].path == "sessions"
    assert plan.status is PlanStatus.PROPOSED
    assert Plan(1, PlanStatus.PROPOSED, document).acceptable
