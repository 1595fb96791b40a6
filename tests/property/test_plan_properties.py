"""Invariants of every plan, over generated cases (issue 4).

No session breaks an interval, a healing gap, an avoid window or the downtime limit; the total
is the sum of the sessions; the same inputs give the same plan; adding a contraindication never
adds a procedure to the recommendations.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarplan.domain.case import (
    Assessment,
    Case,
    DateWindow,
    IsotretinoinHistory,
    LesionGroup,
    Money,
    Patient,
    Preferences,
)
from scarplan.domain.errors import InfeasibleError
from scarplan.domain.vocabulary import (
    AcneSeverity,
    Fitzpatrick,
    IsotretinoinStatus,
    Modality,
    Region,
    ScarType,
)
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.rules import SequenceAnchor
from scarplan.planning.plan import Plan
from scarplan.services.planning import plan_case, plan_document, plan_json
from scarplan.settings import Settings

TODAY = date(2026, 11, 21)
SETTINGS = Settings(prices={Modality.TCA_CROSS: 250, Modality.SUBCISION: 400})
ATROPHIC = [ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING]

lesions = st.lists(
    st.builds(
        LesionGroup,
        region=st.sampled_from(list(Region)),
        count=st.integers(1, 30),
        type=st.sampled_from(ATROPHIC),
    ),
    min_size=1,
    max_size=5,
)
windows = st.lists(
    st.tuples(st.integers(0, 200), st.integers(0, 30)).map(
        lambda t: DateWindow(TODAY + timedelta(t[0]), TODAY + timedelta(t[0] + t[1]), "away")
    ),
    max_size=2,
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    stopped = draw(st.integers(20, 400))
    patient = Patient(
        id="P-PROP",
        age_years=draw(st.integers(16, 70)),
        fitzpatrick=draw(st.sampled_from([None, *Fitzpatrick])),
        herpes_labialis_history=draw(st.booleans()),
        anticoagulants=draw(st.booleans()),
        keloid_history=draw(st.booleans()),
        active_acne=draw(st.sampled_from([AcneSeverity.NONE, AcneSeverity.MILD])),
        isotretinoin=draw(
            st.sampled_from(
                [
                    IsotretinoinHistory(),
                    IsotretinoinHistory(
                        IsotretinoinStatus.STOPPED, TODAY - timedelta(days=stopped)
                    ),
                ]
            )
        ),
    )
    budget = draw(st.one_of(st.none(), st.integers(300, 12000)))
    preferences = Preferences(
        start_date=TODAY + timedelta(draw(st.integers(0, 60))),
        budget=Money(Decimal(budget), "USD") if budget is not None else None,
        max_downtime_days=draw(st.one_of(st.none(), st.integers(2, 15))),
        avoid=tuple(draw(windows)),
    )
    return Case(patient, Assessment(TODAY, tuple(draw(lesions))), preferences)


def _plan(case: Case, knowledge: KnowledgeBase) -> Plan | None:
    try:
        return plan_case(case, knowledge, SETTINGS, TODAY)
    except InfeasibleError as error:
        conflicts = error.conflicts
    assert conflicts, "an infeasible plan must name its conflicts"
    return None


def _alternating(a: Modality, b: Modality, knowledge: KnowledgeBase) -> int | None:
    for rule in knowledge.sequencing.alternation:
        if {a, b} == set(rule.modalities) and rule.gap_weeks.min is not None:
            return math.ceil(rule.gap_weeks.min * 7)
    return None


def _check_invariants(case: Case, plan: Plan, knowledge: KnowledgeBase) -> None:
    specs = {course.spec.modality: course.spec for course in plan.courses}
    limit = case.preferences.max_downtime_days
    by_modality: dict[Modality, list[date]] = {}
    for session in plan.sessions:
        by_modality.setdefault(session.modality, []).append(session.day)
        assert session.day >= plan.start
        if limit is not None:
            assert session.downtime.value <= limit
        recovered = session.day + timedelta(session.downtime.value)
        for window in case.preferences.avoid:
            assert recovered < window.start or session.day > window.end, (session, window)
    for modality, days in by_modality.items():
        spec = specs[modality]
        widened = any(_alternating(modality, other, knowledge) for other in by_modality)
        for before, after in pairwise(days):
            gap = (after - before).days
            assert gap >= max(spec.interval_min_days.value, spec.downtime.value)
            if spec.interval_max_days is not None and not widened:
                assert gap <= spec.interval_max_days
    ordered = {(o.first, o.then): o for o in plan.sequence}
    opener = {m: days[0] for m, days in by_modality.items()}
    for a in plan.sessions:
        for b in plan.sessions:
            if a.modality == b.modality or b.day < a.day:
                continue
            backwards = ordered.get((b.modality, a.modality))
            if backwards is not None and (
                backwards.after is SequenceAnchor.COURSE or b.day == opener[b.modality]
            ):
                raise AssertionError(f"{b.modality} must come before {a.modality}")
            rule = ordered.get((a.modality, b.modality))
            alternate = _alternating(a.modality, b.modality, knowledge)
            default = SETTINGS.default_gap_between_modalities_days
            if rule is not None and (
                rule.after is SequenceAnchor.COURSE or a.day == opener[a.modality]
            ):
                needed = rule.gap_days
            elif rule is None and alternate is not None:
                needed = alternate
            else:
                needed = default
            assert (b.day - a.day).days >= max(needed, a.downtime.value), (a, b)
    rules = plan_document(plan).gap_rules(SETTINGS.default_gap_between_modalities_days)
    assert not rules.breaches([(s.day, s.modality) for s in plan.sessions])
    priced = [s.price.amount for s in plan.sessions if s.price is not None]
    assert plan.total_cost.amount == sum(priced, Decimal(0))
    if case.preferences.budget is not None:
        assert plan.total_cost.amount <= case.preferences.budget.amount


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_no_session_breaks_a_constraint(case: Case, knowledge: KnowledgeBase) -> None:
    plan = _plan(case, knowledge)
    if plan is not None:
        _check_invariants(case, plan, knowledge)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_the_same_inputs_give_the_same_plan(case: Case, knowledge: KnowledgeBase) -> None:
    first, second = _plan(case, knowledge), _plan(case, knowledge)
    if first is None or second is None:
        assert first is second
        return
    assert plan_json(first) == plan_json(second)


CONTRAINDICATIONS = [
    {"pregnant": True},
    {"breastfeeding": True},
    {"keloid_history": True},
    {"skin_infection": True},
    {"active_acne": AcneSeverity.SEVERE},
    {"isotretinoin": IsotretinoinHistory(IsotretinoinStatus.CURRENT)},
    {"fitzpatrick": Fitzpatrick.VI},
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), change=st.sampled_from(CONTRAINDICATIONS))
def test_a_contraindication_never_adds_a_procedure(
    case: Case, change: dict[str, object], knowledge: KnowledgeBase
) -> None:
    if "fitzpatrick" in change and case.patient.fitzpatrick is not Fitzpatrick.V:
        case = replace(case, patient=replace(case.patient, fitzpatrick=Fitzpatrick.V))
    before = _plan(replace(case, preferences=Preferences(case.preferences.start_date)), knowledge)
    worse = replace(case, patient=replace(case.patient, **change))  # type: ignore[arg-type]
    after = _plan(replace(worse, preferences=Preferences(worse.preferences.start_date)), knowledge)
    assert before is not None
    assert after is not None
    allowed = {r.modality for r in before.recommendations.recommended}
    assert {r.modality for r in after.recommendations.recommended} <= allowed
