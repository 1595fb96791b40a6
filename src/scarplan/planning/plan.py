"""The whole planner: eligibility, recommendation, combination and a dated schedule.

Pure: the case, its assessment, the knowledge base, the clinic's policies and conventions, and
the date all come in as arguments. Constraints that cannot all hold raise `InfeasibleError`
naming the clashing ones and what would relax each; nothing is broken silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from scarplan.assessment import AssessmentResult
from scarplan.domain.case import Case, Money
from scarplan.domain.errors import Conflict, FieldProblem, InfeasibleError, InputError
from scarplan.domain.vocabulary import ATROPHIC_SCAR_TYPES, Fitzpatrick, Modality, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import (
    ModalityEntry,
    Outcome,
    PlanRole,
    SuitabilityRating,
)
from scarplan.planning.conventions import Figure, PlanningConventions
from scarplan.planning.courses import CourseScope, CourseSpec, SessionPrice, course_spec
from scarplan.planning.edits import PatientRules
from scarplan.planning.eligibility import Eligibility, add_months, evaluate_eligibility
from scarplan.planning.gaps import CourseTiming, GapRules, Order, Turn
from scarplan.planning.lifecycle import AvoidWindow
from scarplan.planning.preparations import (
    Preparation,
    first_session_floor,
    lead_days,
    preparations,
)
from scarplan.planning.ranking import PUNCHES, rank, ranked_value
from scarplan.planning.recommend import (
    Recommendation,
    Recommendations,
    ScarLoad,
    by_cause,
    recommend,
)
from scarplan.planning.schedule import (
    ONE_PER_PLAN,
    Infeasible,
    ScheduleProblem,
    Solved,
    Window,
    cents,
    relaxed,
    solve,
)
from scarplan.planning.sequence import orders, turns
from scarplan.planning.techniques import LesionTreatment, assign_techniques

WORTH_A_COURSE = frozenset({SuitabilityRating.FIRST_LINE, SuitabilityRating.GOOD})
OTHER_TIER = 2
LONG_COURSE = 5
"""Courses this long are re-assessed halfway as well as at the end."""


@dataclass(frozen=True)
class PlannedSession:
    day: date
    modality: Modality
    number: int
    of: int
    targets: tuple[ScarType, ...]
    regions: tuple[Region, ...]
    downtime: Figure
    price: SessionPrice
    lesion_groups: tuple[int, ...] = ()


@dataclass(frozen=True)
class Review:
    """A re-assessment visit: after a course, or before the second part of a long one."""

    day: date
    after: Modality
    after_session: int
    reason: str


@dataclass(frozen=True)
class PlannedCourse:
    spec: CourseSpec
    first: date
    last: date
    earliest: date


@dataclass(frozen=True)
class Expectation:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PlanCaution:
    """A caution stated once for the whole plan, with the procedures it concerns (recommended
    ones, best first), however many recommendations carry it."""

    text: str
    modalities: tuple[Modality, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    patient_id: str
    start: date
    fitzpatrick: Fitzpatrick | None
    currency: str
    load: ScarLoad
    recommendations: Recommendations
    not_in_plan: Mapping[Modality, str]
    expectations: Mapping[Modality, tuple[Expectation, ...]]
    courses: tuple[PlannedCourse, ...]
    sequence: tuple[Order, ...]
    sessions: tuple[PlannedSession, ...]
    total_cost: Money
    """The planned total: clinic prices, and the upper end of published estimates."""
    cost_range: tuple[Decimal, Decimal] | None
    """(lowest, highest) total when any session is priced by a published estimate."""
    budget: Money | None
    end_date: date | None
    notes: tuple[str, ...]
    lesion_treatments: tuple[LesionTreatment, ...] = ()
    reviews: tuple[Review, ...] = ()
    preparations: tuple[Preparation, ...] = ()
    alternations: tuple[Turn, ...] = ()
    default_gap_days: int = 14
    budget_checked: bool = True
    """False when the budget is in another currency than the prices (no rate is applied)."""
    cautions: tuple[PlanCaution, ...] = ()
    """Each distinct caution of the recommendations, once (planning.md s.2)."""


def plan_cautions(recommendations: Recommendations) -> tuple[PlanCaution, ...]:
    """The recommendations' cautions, each text once with the procedures that carry it."""
    found: dict[str, tuple[list[Modality], list[str]]] = {}
    for recommendation in recommendations.recommended:
        for caution in recommendation.cautions:
            modalities, sources = found.setdefault(caution.text, ([], []))
            modalities.append(recommendation.modality)
            sources.extend(s for s in caution.sources if s not in sources)
    return tuple(
        PlanCaution(text, tuple(modalities), tuple(sources))
        for text, (modalities, sources) in found.items()
    )


def scar_load(assessment: AssessmentResult) -> ScarLoad:
    counts = {t: assessment.counts_by_type.get(t, 0) for t in ATROPHIC_SCAR_TYPES}
    regions: dict[ScarType, list[Region]] = {}
    for lesion in assessment.lesions:
        if lesion.type in ATROPHIC_SCAR_TYPES:
            found = regions.setdefault(lesion.type, [])
            if lesion.lesion.region not in found:
                found.append(lesion.lesion.region)
    ordered = {t: tuple(sorted(rs, key=list(Region).index)) for t, rs in regions.items()}
    return ScarLoad(counts, ordered)


def build_plan(
    case: Case,
    assessment: AssessmentResult,
    knowledge: KnowledgeBase,
    policies: Mapping[str, str],
    conventions: PlanningConventions,
    today: date,
) -> Plan:
    preferences = case.preferences
    start = preferences.start_date or today
    fitzpatrick = assessment.fitzpatrick.type
    load, eligibility, found = _screen(case, assessment, knowledge, policies, conventions, start)
    treatments = assign_techniques(assessment.lesions, knowledge, _not_possible(found))
    recommendations = rank(found, treatments, fitzpatrick, knowledge, conventions)
    not_in_plan: dict[Modality, str] = {}
    candidates: list[CourseSpec] = []
    ranked = recommendations.recommended
    for position, recommendation in enumerate(ranked):
        scope = _scope(recommendation, treatments, knowledge, position, len(ranked))
        if isinstance(scope, str):
            not_in_plan[recommendation.modality] = scope
            continue
        candidates.append(course_spec(recommendation, scope, load, knowledge, conventions))
    currency = _plan_currency(candidates, preferences.budget, conventions)
    budget_checked = preferences.budget is None or preferences.budget.currency == currency
    cover, uncovered_notes = _cover(load, candidates, recommendations, treatments)
    chosen_modalities = [c.modality for c in candidates]
    rules = GapRules(
        courses={c.modality: _timing(c) for c in candidates},
        orders=orders(chosen_modalities, knowledge, conventions),
        turns=turns(chosen_modalities, knowledge),
        default_gap_days=conventions.default_gap_days,
    )
    problem = ScheduleProblem(
        courses=candidates,
        earliest={
            m: (
                max(
                    eligibility[m].earliest(start),
                    first_session_floor(start, today, lead_days(m, eligibility, knowledge)),
                )
                - start
            ).days
            for m in Modality
        },
        rules=rules,
        avoid=_windows(case, start),
        budget_cents=(
            cents(preferences.budget.amount) if preferences.budget and budget_checked else None
        ),
        horizon_days=(add_months(start, conventions.horizon_months) - start).days,
        cover=cover,
    )
    solved = solve(problem) if candidates else Solved((), {})
    if isinstance(solved, Infeasible):
        raise InfeasibleError(
            "the plan's constraints cannot all hold together",
            _conflicts(solved, problem, start, load, currency, conventions),
        )
    chosen = [c for c in candidates if c.modality in solved.chosen]
    sessions = _sessions(chosen, solved, start)
    courses = tuple(
        PlannedCourse(
            c,
            start + timedelta(solved.days[c.modality][0]),
            start + timedelta(solved.days[c.modality][-1]),
            eligibility[c.modality].earliest(start),
        )
        for c in sorted(chosen, key=lambda c: solved.days[c.modality][0])
    )
    for course in candidates:
        if course.modality not in solved.chosen:
            not_in_plan[course.modality] = _left_out(course, chosen, problem, recommendations)
    total = sum((s.price.amount for s in sessions), Decimal(0))
    estimated = tuple(dict.fromkeys(s.modality for s in sessions if s.price.is_estimate))
    cost_range = (
        (
            sum((s.price.low for s in sessions), Decimal(0)),
            sum((s.price.high for s in sessions), Decimal(0)),
        )
        if estimated
        else None
    )
    in_plan = set(solved.chosen)
    applied = tuple(o for o in rules.orders if o.first in in_plan and o.then in in_plan)
    return Plan(
        patient_id=case.patient.id,
        start=start,
        fitzpatrick=fitzpatrick,
        currency=currency,
        load=load,
        recommendations=recommendations,
        not_in_plan=not_in_plan,
        expectations={r.modality: _expectations(r, knowledge) for r in recommendations.recommended},
        courses=courses,
        sequence=applied,
        sessions=sessions,
        total_cost=Money(total, currency),
        cost_range=cost_range,
        budget=preferences.budget,
        end_date=sessions[-1].day if sessions else None,
        notes=tuple(
            _notes(recommendations, eligibility, uncovered_notes, chosen, knowledge)
            + _cost_notes(estimated, preferences.budget, currency)
            + _blend_notes(treatments, chosen)
        ),
        lesion_treatments=_as_booked(treatments, in_plan, not_in_plan),
        reviews=_reviews(courses, solved, start),
        preparations=preparations(
            {c.spec.modality: c.first for c in courses}, eligibility, knowledge
        ),
        alternations=tuple(t for t in rules.turns if t.pair <= in_plan),
        default_gap_days=conventions.default_gap_days,
        budget_checked=budget_checked,
        cautions=plan_cautions(recommendations),
    )


def _screen(
    case: Case,
    assessment: AssessmentResult,
    knowledge: KnowledgeBase,
    policies: Mapping[str, str],
    conventions: PlanningConventions,
    start: date,
) -> tuple[ScarLoad, dict[Modality, Eligibility], Recommendations]:
    """The scars to treat, each procedure's eligibility and the recommendation: the safety
    screen a proposal and every later edit of its plan share."""
    fitzpatrick = assessment.fitzpatrick.type
    load = scar_load(assessment)
    lesion_types = {lesion.type for lesion in assessment.lesions}
    eligibility = evaluate_eligibility(case, lesion_types, fitzpatrick, knowledge, policies, start)
    found = recommend(
        load, eligibility, knowledge, fitzpatrick, case.preferences.max_downtime_days, conventions
    )
    return load, eligibility, found


def edit_rules(
    case: Case,
    assessment: AssessmentResult,
    knowledge: KnowledgeBase,
    policies: Mapping[str, str],
    conventions: PlanningConventions,
    start: date,
    proposed_on: date,
    today: date,
    avoid: Sequence[AvoidWindow],
) -> PatientRules:
    """The rules a clinician's edit of a plan starting on `start`, proposed on `proposed_on`,
    is checked against: the proposal's own safety screen, prices and conventions."""
    load, eligibility, found = _screen(case, assessment, knowledge, policies, conventions, start)
    return PatientRules(
        eligibility=eligibility,
        recommendations=found,
        load=load,
        knowledge=knowledge,
        conventions=conventions,
        proposed_on=proposed_on,
        today=today,
        avoid=tuple(avoid),
        max_downtime_days=case.preferences.max_downtime_days,
    )


def _plan_currency(
    candidates: list[CourseSpec], budget: Money | None, conventions: PlanningConventions
) -> str:
    """The one currency every candidate course is priced in (no exchange rate is applied).

    Prices in two currencies cannot be added up or held against one budget, so the plan is
    refused, naming what to price in which currency; a plan with no course takes the budget's
    currency, else the clinic's."""
    priced: dict[str, list[str]] = {}
    for course in candidates:
        label = f"{course.modality.value} ({course.price.source.value.replace('_', ' ')})"
        priced.setdefault(course.price.currency, []).append(label)
    if len(priced) > 1:
        clinic = conventions.currency
        foreign = [label for code, labels in priced.items() if code != clinic for label in labels]
        listed = "; ".join(f"{code}: {', '.join(labels)}" for code, labels in priced.items())
        raise InputError(
            "the procedures of this plan are priced in different currencies",
            [
                FieldProblem(
                    "prices",
                    f"priced in {listed}",
                    f"set the clinic's price in {clinic} for {', '.join(foreign)} "
                    "(no exchange rate is applied)",
                )
            ],
        )
    if priced:
        return next(iter(priced))
    return budget.currency if budget is not None else conventions.currency


def _cost_notes(estimated: tuple[Modality, ...], budget: Money | None, currency: str) -> list[str]:
    notes = []
    if estimated:
        names = ", ".join(m.value for m in estimated)
        notes.append(
            f"Costs of {names} are published estimates (ranges, often old or low-tier figures): "
            "the plan counts the upper end of each, and the budget check too; the clinic's "
            "price list replaces them."
        )
    if budget is not None and budget.currency != currency:
        notes.append(
            f"The budget is in {budget.currency} and the prices in {currency}: the budget was "
            f"not checked (no exchange rate is applied); give the budget in {currency} to have "
            "the plan held to it."
        )
    return notes


def _not_possible(found: Recommendations) -> Callable[[Modality], str | None]:
    """Why a procedure cannot treat this patient's lesion groups now, or None if it can."""
    excluded = {e.modality: e.reasons[0] for e in found.excluded}
    possible = {r.modality for r in found.recommended}

    def reason(modality: Modality) -> str | None:
        if modality in excluded:
            return excluded[modality]
        if modality not in possible:
            return "not rated as treating these scars in the knowledge base"
        return None

    return reason


def _timing(course: CourseSpec) -> CourseTiming:
    return CourseTiming(
        course.interval_min_days.value,
        course.interval_max_days,
        course.downtime.value,
        course.interval_min_days.basis,
        course.interval_min_days.sources,
    )


def _scope(
    recommendation: Recommendation,
    treatments: tuple[LesionTreatment, ...],
    knowledge: KnowledgeBase,
    position: int,
    count: int,
) -> CourseScope | str:
    """What the course would treat, or why it is not a course of this plan."""
    m = recommendation.modality
    entry = knowledge.modalities[m]
    value = ranked_value(position, count, recommendation)
    groups = [t for t in treatments if m in (t.technique, t.then)]
    if groups:
        return CourseScope(
            targets=tuple(t for t in ScarType if any(g.scar_type is t for g in groups)),
            regions=_regions(groups),
            lesion_groups=tuple(g.index for g in groups),
            scars=sum(g.count for g in groups),
            value=value,
        )
    if entry.plan_role is PlanRole.ADJUNCT:
        return "an adjunct: the clinician may add it to another procedure"
    if entry.plan_role is not PlanRole.RESURFACING:
        preferred = [t for t in treatments if m in t.wanted]
        if preferred:
            return "; ".join(
                dict.fromkeys(
                    f"for {t.label}, {_name(t.technique or t.then)} is preferred"
                    if (t.technique or t.then)
                    else f"for {t.label}, not possible now"
                    for t in preferred
                )
            )
        return "not the technique for any lesion group here (see the lesion groups)"
    lined = recommendation.tier < OTHER_TIER  # a first- or second-line field option
    if not lined and not any(entry.rating_for(t) in WORTH_A_COURSE for t in recommendation.targets):
        return "only fair for the scar types present, so not a course of its own"
    if not lined and recommendation.score <= 0:
        return "its skin-type risk outweighs its benefit for this patient"
    # The field course treats the groups of the types it targets, and blends the sites of
    # punch techniques (resurfacing 4-6 weeks after, ACNEORG-PUNCH, HEBER).
    field = [
        t
        for t in treatments
        if t.field and (t.scar_type in recommendation.targets or t.technique in PUNCHES)
    ]
    if not field:
        return "no lesion group here needs a field treatment that it gives"
    return CourseScope(
        targets=tuple(t for t in ScarType if any(g.scar_type is t for g in field)),
        regions=_regions(field),
        lesion_groups=tuple(g.index for g in field),
        scars=None,
        value=value,
    )


def _name(modality: Modality | None) -> str:
    return modality.value if modality else "nothing"


def _regions(groups: list[LesionTreatment]) -> tuple[Region, ...]:
    return tuple(sorted({g.region for g in groups}, key=list(Region).index))


def _as_booked(
    treatments: tuple[LesionTreatment, ...],
    in_plan: set[Modality],
    not_in_plan: Mapping[Modality, str],
) -> tuple[LesionTreatment, ...]:
    """The per-group treatments as the plan books them: a technique the schedule left out (the
    budget, the dates) is not booked, and the group says why beside the safety reasons."""
    booked = []
    for t in treatments:
        dropped = tuple(
            (m, not_in_plan.get(m, "it could not be scheduled"))
            for m in (t.technique, t.then)
            if m is not None and m not in in_plan
        )
        booked.append(
            replace(
                t,
                technique=t.technique if t.technique in in_plan else None,
                then=t.then if t.then in in_plan else None,
                blocked=(*t.blocked, *dropped),
            )
        )
    return tuple(booked)


def _reviews(courses: tuple[PlannedCourse, ...], solved: Solved, start: date) -> tuple[Review, ...]:
    """A re-assessment one healing interval after every course of two or more sessions (and
    before the second half of a long one), and after a punch technique, whose site heals over
    4-6 weeks before resurfacing is decided (ACNEORG-PUNCH, HEBER)."""
    found = []
    for course in courses:
        spec = course.spec
        days = solved.days[spec.modality]
        settle = max(spec.interval_min_days.value, spec.downtime.value)
        if len(days) == 1 and spec.modality in PUNCHES:
            found.append(
                Review(
                    start + timedelta(days[0] + settle),
                    spec.modality,
                    1,
                    "check the healing of the punch sites and decide whether to resurface the "
                    "fine lines",
                )
            )
        if len(days) < 2:
            continue
        found.append(
            Review(
                start + timedelta(days[-1] + settle),
                spec.modality,
                len(days),
                f"re-assess after the course of {len(days)} sessions before deciding on more",
            )
        )
        if len(days) >= LONG_COURSE:
            half = (len(days) + 1) // 2
            found.append(
                Review(
                    start + timedelta(days[half]),
                    spec.modality,
                    half,
                    f"re-assess after the first {half} sessions, before the rest of the course",
                )
            )
    return tuple(sorted(found, key=lambda r: (r.day, r.after.value)))


def _cover(
    load: ScarLoad,
    candidates: list[CourseSpec],
    recommendations: Recommendations,
    treatments: tuple[LesionTreatment, ...],
) -> tuple[dict[ScarType, tuple[Modality, ...]], list[str]]:
    cover: dict[ScarType, tuple[Modality, ...]] = {}
    notes = []
    for scar_type in ATROPHIC_SCAR_TYPES:
        if not load.counts.get(scar_type):
            continue
        # A group with a technique is treated by it (subcision for rolling scars, not the field
        # course over them); a group without one by the field course.
        of_type = [t for t in treatments if t.scar_type is scar_type]
        techniques = {t.technique for t in of_type if t.technique is not None}
        groups = {t.index for t in of_type}
        treating = tuple(
            c.modality
            for c in candidates
            if groups & set(c.lesion_groups)
            and (not techniques or c.modality in techniques or c.role is not PlanRole.RESURFACING)
        )
        if treating:
            cover[scar_type] = treating
            continue
        if scar_type is ScarType.ICE_PICK and recommendations.notes:
            continue  # the recommender's note already names what excluded each focal procedure
        # Each cause once, with the procedures it keeps out (the full reason is in `excluded`).
        excluded = [e for e in recommendations.excluded if scar_type in e.targets]
        blocked = by_cause((e.modality.value, e.cause()) for e in excluded)
        why = f" ({blocked})" if blocked else ""
        notes.append(
            f"No procedure for the {scar_type.value.replace('_', ' ')} scars can be planned now"
            f"{why}."
        )
    return cover, notes


def _windows(case: Case, start: date) -> list[Window]:
    windows = []
    for window in case.preferences.avoid:
        if window.end < start:
            continue
        label = f"{window.start.isoformat()} to {window.end.isoformat()}"
        if window.reason:
            label += f" ({window.reason})"
        windows.append(Window((window.start - start).days, (window.end - start).days, label))
    return windows


def _sessions(chosen: list[CourseSpec], solved: Solved, start: date) -> tuple[PlannedSession, ...]:
    sessions = [
        PlannedSession(
            day=start + timedelta(day),
            modality=course.modality,
            number=number,
            of=course.sessions.value,
            targets=course.targets,
            regions=course.regions,
            downtime=course.downtime,
            price=course.price,
            lesion_groups=course.lesion_groups,
        )
        for course in chosen
        for number, day in enumerate(solved.days[course.modality], start=1)
    ]
    return tuple(sorted(sessions, key=lambda s: (s.day, s.modality.value)))


def _course_cost(course: CourseSpec) -> Decimal:
    return course.price.amount * course.sessions.value


def _left_out(
    course: CourseSpec,
    chosen: list[CourseSpec],
    problem: ScheduleProblem,
    recommendations: Recommendations,
) -> str:
    """Why a candidate course has no sessions, honestly: ranked lower, or it did not fit."""
    order = [r.modality for r in recommendations.recommended]
    same_role = [c for c in chosen if c.role is course.role and c.role in ONE_PER_PLAN]
    full = (
        f"a full course of {course.sessions.value} sessions "
        f"({_course_cost(course):.2f} {course.price.currency})"
    )
    if same_role:
        other = same_role[0]
        if order.index(other.modality) < order.index(course.modality):
            return (
                f"one {course.role.value} course per plan: {other.modality.value} is ranked "
                "higher for this patient"
            )
        return (
            f"one {course.role.value} course per plan: {full} did not fit the budget, dates or "
            f"downtime, so {other.modality.value} was booked instead"
        )
    if problem.budget_cents is not None:
        planned = sum(cents(_course_cost(c)) for c in chosen)
        if planned + cents(_course_cost(course)) > problem.budget_cents:
            return (
                f"{full} would take the plan over the budget, and a shorter course is not a "
                "course: raise the budget, treat fewer regions now, start later, or choose "
                "another option"
            )
    return (
        f"{full} could not be placed around the other sessions, the dates to avoid and the "
        "planning horizon"
    )


def relevant_outcomes(entry: ModalityEntry, targets: Iterable[ScarType]) -> tuple[Outcome, ...]:
    """The published outcomes of a procedure that concern the scar types it treats here (an
    outcome naming no scar type concerns them all): what the plan shows as expected, and what
    the outcome review compares the result with (planning.follow_up)."""
    wanted = set(targets)
    return tuple(o for o in entry.outcomes if not o.scar_types or set(o.scar_types) & wanted)


def recommendations_for(
    case: Case,
    assessment: AssessmentResult,
    knowledge: KnowledgeBase,
    policies: Mapping[str, str],
    conventions: PlanningConventions,
    today: date,
) -> Recommendations:
    """The procedures the planner recommends for this assessment, ranked as the plan ranks
    them (build_plan's first steps; the outcome review asks it what to consider next)."""
    start = case.preferences.start_date or today
    fitzpatrick = assessment.fitzpatrick.type
    lesion_types = {lesion.type for lesion in assessment.lesions}
    eligibility = evaluate_eligibility(case, lesion_types, fitzpatrick, knowledge, policies, start)
    found = recommend(
        scar_load(assessment),
        eligibility,
        knowledge,
        fitzpatrick,
        case.preferences.max_downtime_days,
        conventions,
    )
    treatments = assign_techniques(assessment.lesions, knowledge, _not_possible(found))
    return rank(found, treatments, fitzpatrick, knowledge, conventions)


def _expectations(
    recommendation: Recommendation, knowledge: KnowledgeBase
) -> tuple[Expectation, ...]:
    entry = knowledge.modalities[recommendation.modality]
    found = []
    for outcome in relevant_outcomes(entry, recommendation.targets):
        text = outcome.summary
        short = outcome.in_short()  # the honest improvement in plain words (schema/outcomes.py)
        if short:
            text += f" In short: {short}."
        found.append(Expectation(text, tuple(outcome.sources)))
    return tuple(found)


def _blend_notes(treatments: tuple[LesionTreatment, ...], chosen: list[CourseSpec]) -> list[str]:
    """Punch sites no field course in the plan covers: their fine lines can be resurfaced
    later if they show (optional for excision, usual after grafting; ACNEORG-PUNCH, HEBER)."""
    covered = {r for c in chosen if c.role is PlanRole.RESURFACING for r in c.regions}
    open_sites = [t for t in treatments if t.technique in PUNCHES and t.region not in covered]
    if not open_sites:
        return []
    regions = ", ".join(dict.fromkeys(t.region.value.replace("_", " ") for t in open_sites))
    return [
        f"The fine lines left by the punch techniques ({regions}) can be resurfaced 4-6 weeks "
        "after healing if they show; decide at the re-assessment (ACNEORG-PUNCH, HEBER)."
    ]


def _notes(
    recommendations: Recommendations,
    eligibility: Mapping[Modality, Eligibility],
    uncovered: list[str],
    chosen: list[CourseSpec],
    knowledge: KnowledgeBase,
) -> list[str]:
    # Improvement, not erasure: said once in every plan, with its sources (techniques.yaml).
    notes = [f"{s.text} ({', '.join(s.sources)})" for s in knowledge.techniques.expectations]
    notes.extend([*recommendations.notes, *uncovered])
    advice = dict.fromkeys(
        f"{f.why_active}: {f.advice}"
        for status in eligibility.values()
        for f in status.blocking
        if f.advice
    )
    notes.extend(advice)
    for course in chosen:
        for figure, what in (
            (course.sessions, "course length"),
            (course.interval_min_days, "interval"),
            (course.downtime, "downtime"),
        ):
            if not figure.sources:
                notes.append(f"{course.modality.value}: {what} not published; {figure.basis}.")
    in_plan = {c.modality for c in chosen}
    for rule in knowledge.sequencing.same_session:
        if set(rule.modalities) <= in_plan:
            pair = " and ".join(m.value for m in rule.modalities)
            notes.append(f"{pair} may be given in the same visit: {rule.note}")
    return notes


def _conflicts(
    infeasible: Infeasible,
    problem: ScheduleProblem,
    start: date,
    load: ScarLoad,
    currency: str,
    conventions: PlanningConventions,
) -> list[Conflict]:
    conflicts = []
    for name in infeasible.clashing:
        if name == "budget":
            cheapest = relaxed(problem, "budget", cheapest=True)
            detail = f"the budget of {Decimal(problem.budget_cents or 0) / 100:.2f} {currency}"
            relax = "raise the budget"
            if isinstance(cheapest, Solved):
                cost = sum(
                    (_course_cost(c) for c in problem.courses if c.modality in cheapest.chosen),
                    Decimal(0),
                )
                relax = (
                    f"raise the budget to at least {cost:.2f} {currency}, the cheapest courses "
                    "that treat every scar type present"
                )
            conflicts.append(Conflict("preferences.budget", detail, relax))
        elif name.startswith("avoid:"):
            window = problem.avoid[int(name.split(":")[1])]
            conflicts.append(
                Conflict(
                    "preferences.avoid",
                    f"no session or its downtime may fall on {window.label}",
                    "move or shorten this window",
                )
            )
        elif name == "horizon":
            latest = add_months(start, conventions.horizon_months)
            longer = relaxed(problem, "horizon")
            relax = "allow a longer plan (setting planning_horizon_months)"
            if isinstance(longer, Solved):
                end = start + timedelta(max(day for days in longer.days.values() for day in days))
                relax = f"allow the plan to run to {end.isoformat()} (planning_horizon_months)"
            conflicts.append(
                Conflict("planning_horizon_months", f"the plan must end by {latest}", relax)
            )
        else:
            scar_type = ScarType(name.split(":")[1])
            options = ", ".join(m.value for m in problem.cover[scar_type])
            conflicts.append(
                Conflict(
                    f"treat {scar_type.value}",
                    f"the {load.counts[scar_type]} {scar_type.value.replace('_', ' ')} scars "
                    f"need a course of {options}",
                    "treat these scars in a later plan",
                )
            )
    return conflicts
