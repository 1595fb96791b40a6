"""A clinician's changes to what a plan holds: add a course of a procedure, swap one course for
another (the new course takes the old one's place in the sequence), change the regions and
technique settings of planned sessions. (Moving and removing sessions is `lifecycle.Plan.edit`.)

Every change is checked with the functions the proposal itself uses, so an edited plan keeps
the planner's rules:

- safety (`eligibility` and `recommend`): a procedure the patient's findings exclude (pregnancy,
  current isotretinoin, active acne, keloid history ...) or that the knowledge base rates
  `avoid` for the skin type is refused; dated deferrals and preparations move its earliest day
  (`preparations.first_session_floor`, the planner's one rule for the first session);
- the course figures and technique settings stay within the knowledge base's published ranges;
- the one gap rule (`gaps.GapRules`, with `sequence.orders`/`turns` for the procedures now in
  the plan) and the patient's dates to avoid;
- every session keeps a price (`courses.session_price`, the clinic's price list first).

Some rules are a clinician's judgement rather than safety: the patient's downtime limit, a
procedure that treats none of the recorded scar types, a second course of a kind the planner
books once. They are refused unless the clinician gives a reason for going ahead; the reason is
saved in the plan's notes, where the plan page shows it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Agent, Modality, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import ModalityEntry
from scarplan.planning.conventions import DAYS_PER_WEEK, PlanningConventions, planning_downtime
from scarplan.planning.courses import course_figures, session_price
from scarplan.planning.document import (
    Alternation,
    Course,
    Figure,
    Interval,
    PlanDocument,
    Precedence,
    PreparationItem,
    Recommended,
    Session,
    SessionCost,
    SessionParameter,
)
from scarplan.planning.eligibility import Eligibility
from scarplan.planning.gaps import GapRules
from scarplan.planning.lifecycle import AvoidWindow, Plan, plan_total, renumbered
from scarplan.planning.preparations import first_session_floor, lead_days, preparations
from scarplan.planning.recommend import TREATS, Recommendations, ScarLoad
from scarplan.planning.schedule import ONE_PER_PLAN
from scarplan.planning.sequence import orders, turns

FURTHEST_DAYS = 3650
"""A first day further ahead than this is refused (ten years: no plan looks so far)."""
SEARCH_DAYS = 730
"""How far ahead an added course without a chosen first day looks for the earliest day the
rules allow (the planner's horizon is 24 months)."""


@dataclass(frozen=True)
class PatientRules:
    """What the proposal checked for this patient, rebuilt for an edit from the stored case."""

    eligibility: Mapping[Modality, Eligibility]
    recommendations: Recommendations
    load: ScarLoad
    knowledge: KnowledgeBase
    conventions: PlanningConventions
    proposed_on: date
    """The day the plan was proposed: preparation is counted from it (or the start)."""
    today: date
    avoid: Sequence[AvoidWindow] = ()
    max_downtime_days: int | None = None


@dataclass(frozen=True)
class CourseRequest:
    modality: Modality
    regions: tuple[Region, ...]
    sessions: int | None = None
    """None: the knowledge base's typical course."""
    interval_days: int | None = None
    """None: the knowledge base's usual interval."""
    first_day: date | None = None
    """None: the earliest day the rules allow (add), or the replaced course's day (swap)."""
    parameters: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class AddCourse:
    course: CourseRequest


@dataclass(frozen=True)
class SwapCourse:
    replace: Modality
    course: CourseRequest


@dataclass(frozen=True)
class ChangeSessions:
    positions: tuple[int, ...]
    regions: tuple[Region, ...] | None = None
    parameters: Mapping[str, float] | None = None


Change = AddCourse | SwapCourse | ChangeSessions


@dataclass(frozen=True)
class Revised:
    """The new version's document; for each of its sessions, its position in the old version
    (None for a new session); and the judgement calls the clinician made, in words."""

    document: PlanDocument
    kept: tuple[int | None, ...]
    overridden: tuple[str, ...]


def name(knowledge: KnowledgeBase, modality: Modality) -> str:
    return knowledge.modalities[modality].name


def revise(
    plan: Plan, change: Change, reason: str, override_reason: str | None, rules: PatientRules
) -> Revised:
    """Apply one change to an open plan under the planner's rules; refused (InputError, with
    the reason in words and its field) when it breaks one, and nothing is changed."""
    plan.require_open("edit")
    if isinstance(change, ChangeSessions):
        return _change_sessions(plan, change, reason, rules)
    return _place_course(plan, change, reason, override_reason, rules)


# -- add and swap ----------------------------------------------------------------------------


def _place_course(
    plan: Plan,
    change: AddCourse | SwapCourse,
    reason: str,
    override_reason: str | None,
    rules: PatientRules,
) -> Revised:
    where = "add" if isinstance(change, AddCourse) else "swap"
    request = change.course
    document, knowledge = plan.document, rules.knowledge
    entry = knowledge.modalities[request.modality]
    in_plan = {s.modality for s in document.sessions}
    kept_rows = list(enumerate(document.sessions))
    slot: date | None = None
    if isinstance(change, SwapCourse):
        kept_rows, slot = _without_course(plan, change.replace, knowledge)
        in_plan.discard(change.replace)
        if not request.regions:
            replaced = [s for s in document.sessions if s.modality == change.replace]
            regions = {r for s in replaced for r in s.regions}
            request = replace(request, regions=tuple(r for r in Region if r in regions))
    if not request.regions:
        raise _refused(f"{where}.regions", "no region chosen", "tick the regions the course treats")
    if request.modality in in_plan:
        raise _refused(
            f"{where}.modality",
            f"{entry.name} is already in the plan",
            "change its sessions or remove them instead",
        )
    _refuse_unsafe(request.modality, where, rules)
    judgement = _judgement_calls(request.modality, in_plan, rules)
    _require_reason(judgement, override_reason)
    sessions_count, interval, timing_basis = _course_shape(entry, request, where, rules)
    parameters = _parameters(entry, request.parameters, f"{where}.parameters")
    downtime = planning_downtime(entry, rules.conventions)
    floor = _earliest(request.modality, document.start_date, rules)
    first = request.first_day or slot
    _refuse_far(first, where, rules)
    template = _new_session(
        request.modality, request.regions, parameters, downtime.value, rules, document
    )
    modalities = [*in_plan, request.modality]
    courses = [c for c in document.courses if c.modality in in_plan]
    new_course = _course(entry, sessions_count, interval, timing_basis, floor, rules)
    shaped = _with_rules(document, [*courses, new_course], modalities, rules)
    gap_rules = shaped.gap_rules(rules.conventions.default_gap_days)
    old = [s for _, s in kept_rows]
    if first is None:
        first = _first_fitting(old, template, sessions_count, interval, floor, gap_rules, rules)
    if first < floor:
        raise _refused(
            f"{where}.first_day",
            f"the first {entry.name} session cannot be before {floor:%d %b %Y}: "
            + _floor_reason(request.modality, document.start_date, rules),
            f"choose {floor:%d %b %Y} or later",
        )
    added = [
        template.model_copy(
            update={
                "date": first + timedelta(days=k * interval),
                "recovered_by": first + timedelta(days=k * interval + downtime.value),
            }
        )
        for k in range(sessions_count)
    ]
    hint = (
        "choose a later first day, or leave it empty for the earliest day that fits"
        if where == "add"
        else "give a later first day for the new course, or choose another procedure"
    )
    _refuse_breaches(old, added, gap_rules, rules, f"{where}.first_day", hint)
    rows: list[tuple[Session, int | None]] = [(s, p) for p, s in kept_rows]
    rows += [(s, None) for s in added]
    done_course = new_course.model_copy(update={"first": added[0].date, "last": added[-1].date})
    shaped = shaped.model_copy(
        update={
            "courses": [*courses, done_course],
            "recommended": _in_plan(shaped, request.modality, True, ""),
        }
    )
    if isinstance(change, SwapCourse):
        shaped = shaped.model_copy(
            update={
                "recommended": _in_plan(
                    shaped,
                    change.replace,
                    False,
                    f"swapped for {entry.name} by the clinician: {reason}",
                ),
                "reviews": [r for r in shaped.reviews if r.after != change.replace],
            }
        )
    notes = [
        f"Clinician's judgement: {text} Reason given: {override_reason}." for text in judgement
    ]
    return _finish(shaped, rows, reason, notes, rules, tuple(judgement))


def _require_reason(judgement: list[str], override_reason: str | None) -> None:
    if judgement and not (override_reason and override_reason.strip()):
        raise InputError(
            "the change needs the clinician's reason",
            [
                FieldProblem(
                    "override_reason",
                    text,
                    "give your clinical reason for going ahead, or choose another procedure",
                )
                for text in judgement
            ],
        )


def _refuse_far(first: date | None, where: str, rules: PatientRules) -> None:
    latest = rules.today + timedelta(days=FURTHEST_DAYS)
    if first is not None and first > latest:
        raise _refused(
            f"{where}.first_day",
            f"{first:%d %b %Y} is more than ten years ahead",
            f"choose a day before {latest:%d %b %Y}",
        )


def _course(
    entry: ModalityEntry,
    sessions: int,
    interval: int,
    interval_basis: str,
    floor: date,
    rules: PatientRules,
) -> Course:
    """The course entry of an added procedure (its figures and where they come from)."""
    figures = course_figures(entry, rules.conventions)
    downtime = planning_downtime(entry, rules.conventions)
    return Course(
        modality=entry.id,
        role=entry.plan_role,
        sessions=Figure(
            value=sessions,
            basis=f"chosen by the clinician ({figures[0].basis})",
            sources=list(figures[0].sources),
        ),
        published_sessions=figures[1],
        interval_days=Interval(
            value=interval,
            basis=interval_basis,
            sources=list(figures[2].sources),
            max=figures[3],
        ),
        downtime_days=Figure(
            value=downtime.value, basis=downtime.basis, sources=list(downtime.sources)
        ),
        earliest=floor,
        first=floor,
        last=floor,
    )


def _without_course(
    plan: Plan, replaced: Modality, knowledge: KnowledgeBase
) -> tuple[list[tuple[int, Session]], date]:
    """The sessions left once the replaced course goes, and the day its first session held."""
    rows = list(enumerate(plan.document.sessions))
    its = [(p, s) for p, s in rows if s.modality == replaced]
    if not its:
        raise _refused(
            "swap.replace",
            f"the plan has no {name(knowledge, replaced)} sessions",
            "choose a procedure that is in the plan",
        )
    if any(p in plan.done for p, _ in its):
        raise _refused(
            "swap.replace",
            f"the {name(knowledge, replaced)} course has started (sessions were carried out)",
            "remove its remaining sessions and add the new procedure instead",
        )
    return [(p, s) for p, s in rows if s.modality != replaced], its[0][1].date


def _refuse_unsafe(modality: Modality, where: str, rules: PatientRules) -> None:
    """The proposal's safety rules: findings that block, a skin-type risk rated `avoid`."""
    excluded = next((e for e in rules.recommendations.excluded if e.modality == modality), None)
    if excluded is not None and excluded.relax_days is None:
        raise _refused(
            f"{where}.modality",
            f"{name(rules.knowledge, modality)} cannot be planned for this patient: "
            + "; ".join(excluded.reasons),
            "choose another procedure",
        )
    blocking = rules.eligibility[modality].blocking
    if blocking:  # a procedure that treats no recorded scar type is not in `excluded`
        raise _refused(
            f"{where}.modality",
            f"{name(rules.knowledge, modality)} cannot be planned for this patient: "
            + "; ".join(f"{f.why_active}: {f.reason}" for f in blocking),
            "choose another procedure",
        )


def _judgement_calls(modality: Modality, in_plan: set[Modality], rules: PatientRules) -> list[str]:
    """Rules the planner keeps that a clinician may set aside with a reason."""
    knowledge = rules.knowledge
    entry = knowledge.modalities[modality]
    found = []
    excluded = next((e for e in rules.recommendations.excluded if e.modality == modality), None)
    if excluded is not None and excluded.relax_days is not None:
        found.append(f"{entry.name}: {'; '.join(excluded.reasons)}.")
    recommended = {r.modality for r in rules.recommendations.recommended}
    if modality not in recommended and excluded is None:
        found.append(f"{entry.name} treats none of the scar types recorded in the assessment.")
    if entry.plan_role in ONE_PER_PLAN:
        same_role = [m for m in in_plan if knowledge.modalities[m].plan_role == entry.plan_role]
        if same_role:
            others = ", ".join(name(knowledge, m) for m in same_role)
            found.append(
                f"the plan already has a {entry.plan_role.value} course ({others}); the planner "
                "books one."
            )
    return found


def _course_shape(
    entry: ModalityEntry, request: CourseRequest, where: str, rules: PatientRules
) -> tuple[int, int, str]:
    """Sessions and days between them: the typical published course unless the clinician
    chose, within the published range."""
    sessions_figure, _, interval_figure, interval_max = course_figures(entry, rules.conventions)
    problems = []
    sessions = request.sessions if request.sessions is not None else sessions_figure.value
    published = entry.sessions
    if published is not None:
        low = math.ceil(published.min) if published.min is not None else 1
        high = math.floor(published.max) if published.max is not None else None
        if sessions < low or (high is not None and sessions > high):
            problems.append(
                FieldProblem(
                    f"{where}.sessions",
                    f"{sessions} sessions is outside the published course of {entry.name} "
                    f"({published.describe('sessions')})",
                    f"choose {low} to {high}" if high is not None else f"choose {low} or more",
                )
            )
    interval = request.interval_days if request.interval_days is not None else interval_figure.value
    basis = interval_figure.basis
    weeks = entry.interval_weeks
    if request.interval_days is not None:
        basis = f"chosen by the clinician ({interval_figure.basis})"
        if weeks is not None and weeks.min is not None:
            low = math.ceil(weeks.min * DAYS_PER_WEEK)
            if interval < low or (interval_max is not None and interval > interval_max):
                upper = f" to {interval_max}" if interval_max is not None else " or more"
                problems.append(
                    FieldProblem(
                        f"{where}.interval_days",
                        f"{interval} days between sessions is outside the published interval "
                        f"of {entry.name} ({weeks.describe('weeks')})",
                        f"choose {low}{upper} days",
                    )
                )
    if problems:
        raise InputError("the change breaks the plan's rules", problems)
    return sessions, interval, basis


def _parameters(
    entry: ModalityEntry, given: Mapping[str, float], where: str
) -> list[SessionParameter]:
    """Technique settings, each named as in the knowledge base and within its range."""
    known = {p.name: p for p in entry.parameters}
    problems, chosen = [], []
    for key, value in given.items():
        parameter = known.get(key)
        if parameter is None:
            names = ", ".join(known) or "none"
            problems.append(
                FieldProblem(
                    f"{where}.{key}",
                    f"{entry.name} has no setting called {key!r}",
                    f"use one of: {names}",
                )
            )
            continue
        low, high = parameter.min, parameter.max
        if (low is not None and value < low) or (high is not None and value > high):
            problems.append(
                FieldProblem(
                    f"{where}.{key}",
                    f"{parameter.name} {value:g} {parameter.unit} is outside the published range "
                    f"for {entry.name} ({parameter.describe(parameter.unit)})",
                    f"enter a value from {_bound(low)} to {_bound(high)} {parameter.unit}",
                )
            )
            continue
        chosen.append(SessionParameter(name=parameter.name, value=value, unit=parameter.unit))
    if problems:
        raise InputError("the change breaks the plan's rules", problems)
    return chosen


def _bound(value: float | None) -> str:
    return "any" if value is None else f"{value:g}"


def _earliest(modality: Modality, start: date, rules: PatientRules) -> date:
    """The first session's earliest day: a dated deferral, and the planner's first-session
    rule (the proposal day plus the preparation the procedure needs); never in the past."""
    lead = lead_days(modality, rules.eligibility, rules.knowledge)
    return max(
        rules.eligibility[modality].earliest(start),
        first_session_floor(start, rules.proposed_on, lead),
        rules.today,
    )


def earliest_days(
    modalities: Iterable[Modality], start: date, rules: PatientRules
) -> dict[Modality, tuple[date, str]]:
    """Each procedure's earliest session day, with why in words (for moved sessions)."""
    return {
        m: (_earliest(m, start, rules), _floor_reason(m, start, rules)) for m in set(modalities)
    }


def _floor_reason(modality: Modality, start: date, rules: PatientRules) -> str:
    lead = lead_days(modality, rules.eligibility, rules.knowledge)
    deferred = rules.eligibility[modality].earliest(start)
    parts = []
    if deferred > start:
        why = [f.why_active for f in rules.eligibility[modality].findings if f.not_before]
        parts.append(f"{'; '.join(why)} (not before {deferred:%d %b %Y})")
    if lead:
        parts.append(
            f"it needs {lead} days of preparation (test spot or priming) first, counted from "
            f"{max(start, rules.proposed_on):%d %b %Y}"
        )
    if not parts and start > rules.proposed_on:
        parts.append(f"the plan starts on {start:%d %b %Y}")
    if not parts:
        parts.append("no session is booked on the day the plan is proposed, nor in the past")
    return "; ".join(parts)


def _new_session(
    modality: Modality,
    regions: tuple[Region, ...],
    parameters: list[SessionParameter],
    downtime: int,
    rules: PatientRules,
    document: PlanDocument,
) -> Session:
    """A session of `modality` for `regions`, priced (the date is set by the caller)."""
    targets, groups = _treats(modality, regions, rules, document)
    cost, basis = _price(modality, targets, groups, rules, document)
    day = document.start_date
    return Session(
        date=day,
        modality=modality,
        number=1,
        of=1,
        targets=list(targets),
        regions=list(regions),
        downtime_days=downtime,
        recovered_by=day + timedelta(days=downtime),
        lesion_groups=list(groups),
        cost=cost,
        cost_basis=basis,
        parameters=parameters,
    )


def _treats(
    modality: Modality, regions: tuple[Region, ...], rules: PatientRules, document: PlanDocument
) -> tuple[tuple[ScarType, ...], tuple[int, ...]]:
    entry = rules.knowledge.modalities[modality]
    present = [t for t in ScarType if rules.load.counts.get(t, 0) > 0]
    targets = tuple(t for t in present if entry.rating_for(t) in TREATS)
    recommended = next(
        (r for r in rules.recommendations.recommended if r.modality == modality), None
    )
    if recommended is not None:
        targets = recommended.targets
    groups = tuple(
        g.index for g in document.lesion_groups if g.region in regions and g.type in targets
    )
    return targets, groups


def _price(
    modality: Modality,
    targets: tuple[ScarType, ...],
    groups: tuple[int, ...],
    rules: PatientRules,
    document: PlanDocument,
) -> tuple[SessionCost, str]:
    """The session's price as the planner prices it; in the plan's currency or refused."""
    scars = sum(g.count for g in document.lesion_groups if g.index in groups) or None
    price = session_price(modality, scars, targets, rules.load, rules.knowledge, rules.conventions)
    currency = document.total_cost.currency
    if currency is not None and price.currency != currency:
        raise _refused(
            "modality",
            f"{name(rules.knowledge, modality)} is priced in {price.currency} ({price.basis}) and "
            f"the plan in {currency}; no exchange rate is applied",
            f"add a {currency} price for it to the clinic's price list",
        )
    ranged = price.is_estimate
    return (
        SessionCost(
            amount=float(price.amount),
            currency=price.currency,
            source=price.source,
            min=float(price.low) if ranged else None,
            max=float(price.high) if ranged else None,
        ),
        price.basis,
    )


def _with_rules(
    document: PlanDocument,
    courses: list[Course],
    modalities: list[Modality],
    rules: PatientRules,
) -> PlanDocument:
    """The document with the order and alternation rules for the procedures now in it (the
    planner's `sequence.orders` and `turns`)."""
    knowledge, conventions = rules.knowledge, rules.conventions
    sequence = [
        Precedence(
            first=o.first,
            then=o.then,
            after=o.after,
            gap_days=Figure(value=o.gap_days, basis=o.basis, sources=list(o.sources)),
            rule=o.rule_id,
            reason=o.reason,
        )
        for o in orders(modalities, knowledge, conventions)
    ]
    alternations = [
        Alternation(
            modalities=sorted(t.pair, key=lambda m: m.value),
            gap_days=Figure(value=t.gap_days, basis=t.basis, sources=list(t.sources)),
            max_days=t.gap_max_days,
            rule=t.rule_id,
            note=t.note,
        )
        for t in turns(modalities, knowledge)
    ]
    return document.model_copy(
        update={"courses": courses, "sequence": sequence, "alternations": alternations}
    )


def _first_fitting(
    old: list[Session],
    template: Session,
    count: int,
    interval: int,
    floor: date,
    gap_rules: GapRules,
    rules: PatientRules,
) -> date:
    """The earliest first day from `floor` on where the whole new course keeps the gap rule
    and the dates to avoid with the sessions already planned."""
    for offset in range(SEARCH_DAYS):
        first = floor + timedelta(days=offset)
        days = [first + timedelta(days=k * interval) for k in range(count)]
        trial = [(s.date, s.modality) for s in old] + [(d, template.modality) for d in days]
        new = {(d, template.modality) for d in days}
        if any(
            (b.earlier in new or b.later in new) and not b.too_far
            for b in gap_rules.breaches(trial)
        ):
            continue
        if _avoid_problems(days, template.downtime_days, rules.avoid):
            continue
        return first
    raise _refused(
        "first_day",
        f"no day in the next {SEARCH_DAYS // 365} years fits the whole course around the "
        "sessions already planned",
        "remove or move other sessions first, or give fewer sessions",
    )


def _avoid_problems(days: list[date], downtime: int, avoid: Sequence[AvoidWindow]) -> list[str]:
    found = []
    for window in avoid:
        for day in days:
            recovered = day + timedelta(days=downtime)
            if day <= window.end and window.start <= recovered:
                why = f" ({window.reason})" if window.reason else ""
                found.append(
                    f"the session on {day:%d %b %Y} heals until {recovered:%d %b %Y}, inside "
                    f"the dates to avoid {window.start:%d %b %Y} to {window.end:%d %b %Y}{why}"
                )
    return found


def _refuse_breaches(
    old: list[Session],
    added: list[Session],
    gap_rules: GapRules,
    rules: PatientRules,
    where: str,
    hint: str,
) -> None:
    new = {(s.date, s.modality) for s in added}
    trial = [(s.date, s.modality) for s in [*old, *added]]
    knowledge = rules.knowledge
    problems = []
    for breach in gap_rules.breaches(trial):
        if breach.too_far or not (breach.earlier in new or breach.later in new):
            continue
        (day_a, a), (day_b, b) = breach.earlier, breach.later
        days = (day_b - day_a).days
        order = gap_rules.order(a, b) or gap_rules.order(b, a)
        why = f": {order.reason}" if order is not None and order.reason else ""
        cited = f" (sources: {', '.join(breach.gap.sources)})" if breach.gap.sources else ""
        problems.append(
            FieldProblem(
                where,
                f"{name(knowledge, b)} on {day_b:%d %b %Y} would be {_days(days)} after "
                f"{name(knowledge, a)} on {day_a:%d %b %Y}; at least {breach.gap.min_days} "
                f"days are needed{why}{cited}",
                hint,
            )
        )
    for added_session in added:
        for text in _avoid_problems([added_session.date], added_session.downtime_days, rules.avoid):
            problems.append(FieldProblem(where, text, "choose another first day"))
    if problems:
        raise InputError("the change breaks the plan's rules", problems)


def _in_plan(
    document: PlanDocument, modality: Modality, in_plan: bool, why: str
) -> list[Recommended]:
    return [
        r.model_copy(update={"in_plan": in_plan, "not_in_plan_reason": why or None})
        if r.modality == modality
        else r
        for r in document.recommended
    ]


# -- regions and settings --------------------------------------------------------------------


def _change_sessions(
    plan: Plan, change: ChangeSessions, reason: str, rules: PatientRules
) -> Revised:
    document = plan.document
    problems = []
    for i, position in enumerate(change.positions):
        if position not in range(len(document.sessions)):
            problems.append(FieldProblem(f"change.sessions[{i}]", "no such planned session", ""))
        elif position in plan.done:
            problems.append(
                FieldProblem(
                    f"change.sessions[{i}]",
                    "this session was carried out",
                    "record what was done with the session instead",
                )
            )
    if not change.positions:
        problems.append(FieldProblem("change.sessions", "no session chosen", "choose one"))
    if change.regions is None and change.parameters is None:
        problems.append(FieldProblem("change", "nothing to change", "give regions or settings"))
    if change.regions is not None and not change.regions:
        problems.append(
            FieldProblem("change.regions", "a session treats at least one region", "tick one")
        )
    if problems:
        raise InputError("the change is invalid", problems)
    rows: list[tuple[Session, int | None]] = []
    for position, planned in enumerate(document.sessions):
        if position not in change.positions:
            rows.append((planned, position))
            continue
        entry = rules.knowledge.modalities[planned.modality]
        regions = change.regions if change.regions is not None else tuple(planned.regions)
        parameters = (
            _parameters(entry, change.parameters, "change.parameters")
            if change.parameters is not None
            else planned.parameters
        )
        fresh = _new_session(
            planned.modality, regions, parameters, planned.downtime_days, rules, document
        )
        rows.append(
            (
                planned.model_copy(
                    update={
                        "regions": fresh.regions,
                        "targets": fresh.targets,
                        "lesion_groups": fresh.lesion_groups,
                        "parameters": fresh.parameters,
                        "cost": fresh.cost,
                        "cost_basis": fresh.cost_basis,
                    }
                ),
                position,
            )
        )
    return _finish(document, rows, reason, [], rules, ())


# -- the new version -------------------------------------------------------------------------


def _finish(
    document: PlanDocument,
    rows: list[tuple[Session, int | None]],
    reason: str,
    notes: list[str],
    rules: PatientRules,
    overridden: tuple[str, ...],
) -> Revised:
    rows.sort(key=lambda row: (row[0].date, row[0].modality.value, row[0].number))
    sessions = renumbered([s for s, _ in rows])
    firsts: dict[Modality, date] = {}
    for item in sessions:
        firsts.setdefault(item.modality, item.date)
    prepared = [
        PreparationItem(
            kind=p.kind,
            what=p.what,
            date=p.day,
            until=p.until,
            before=list(p.before),
            agents=[Agent(a) for a in p.agents],
            reason=p.reason,
            sources=list(p.sources),
        )
        for p in preparations(firsts, rules.eligibility, rules.knowledge)
    ]
    courses = [
        c.model_copy(
            update={
                "sessions": c.sessions.model_copy(
                    update={"value": sum(1 for s in sessions if s.modality == c.modality)}
                ),
                "first": firsts[c.modality],
                "last": max(s.date for s in sessions if s.modality == c.modality),
            }
        )
        for c in document.courses
        if c.modality in firsts
    ]
    edited = document.model_copy(
        update={
            "sessions": sessions,
            "courses": courses,
            "preparations": prepared,
            "total_cost": plan_total(document, sessions),
            "end_date": max(s.date for s in sessions) if sessions else None,
            "notes": [*document.notes, f"Edited by the clinician: {reason}", *notes],
        }
    )
    return Revised(edited, tuple(position for _, position in rows), overridden)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _refused(path: str, message: str, hint: str) -> InputError:
    return InputError("the change breaks the plan's rules", [FieldProblem(path, message, hint)])
