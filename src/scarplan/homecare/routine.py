"""Build the AM/PM routine from the case, the skin type and the planned procedures.

Pure: the knowledge base gives every fact (purpose, strengths, order of application, pregnancy
status, titration, pauses, conflicts, advice); the rules that choose agents are scarplan's and
are documented in docs/homecare.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from scarplan.domain.case import Case
from scarplan.domain.vocabulary import AcneSeverity, Agent, Fitzpatrick, HomeCareBudget, Modality
from scarplan.homecare import priming
from scarplan.homecare.priming import PrimingPeriod
from scarplan.homecare.schedule import PauseWindow, Phase, Usage, phases_from
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.agents import (
    AgentClass,
    AgentConflict,
    AgentEntry,
    ConflictKind,
    Frequency,
    PregnancyStatus,
    TimeOfDay,
)
from scarplan.knowledge.schema.common import Statement
from scarplan.knowledge.schema.homecare import SeverityAdvice

RETINOIDS = (Agent.TRETINOIN, Agent.ADAPALENE, Agent.RETINOL)
RETINOID_SET = frozenset(RETINOIDS)
DARKER = frozenset({Fitzpatrick.IV, Fitzpatrick.V, Fitzpatrick.VI})
UNSAFE_IN_PREGNANCY = frozenset({PregnancyStatus.AVOID, PregnancyStatus.CONTRAINDICATED})
ACTIVES_BY_BUDGET = {HomeCareBudget.LOW: 1, HomeCareBudget.MEDIUM: 2, HomeCareBudget.HIGH: 4}
"""How many actives besides sunscreen each budget tier allows (scarplan's convention)."""
ORAL = frozenset({Agent.ISOTRETINOIN, Agent.ORAL_ANTIBIOTIC})
MIN_AGE_OTC_RETINOID = 12
"""Adapalene 0.1% gel's US OTC approval is for ages 12 and over (FDA-DIFFERIN, agents.yaml)."""


@dataclass(frozen=True)
class ProcedureDate:
    """A planned session the routine must work around."""

    day: date
    modality: Modality
    downtime_days: int


@dataclass(frozen=True)
class Step:
    agent: Agent
    name: str
    slot: TimeOfDay
    order: int
    strength: str
    dose: str
    why: tuple[Statement, ...]
    usage: Usage
    already_used: bool

    @property
    def as_needed(self) -> bool:
        """Dressings go on spots when needed, not on a schedule."""
        return self.agent is Agent.HYDROCOLLOID_PATCH


@dataclass(frozen=True)
class Check:
    kind: str
    agents: tuple[Agent, ...]
    message: str
    resolution: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class LeftOut:
    agent: Agent
    reason: str
    sources: tuple[str, ...]
    stop_now: str = ""
    """For an agent the patient uses now and must not go on using (unsafe in pregnancy or
    breastfeeding): 'Stop tretinoin now: ...'. `reason` says why, with its sources."""


@dataclass(frozen=True)
class Routine:
    start: date
    steps: tuple[Step, ...]
    procedures: tuple[ProcedureDate, ...]
    checks: tuple[Check, ...]
    left_out: tuple[LeftOut, ...]
    advice: tuple[tuple[str, tuple[Statement, ...]], ...]
    referral: tuple[Statement, ...]
    primings: tuple[PrimingPeriod, ...] = ()

    def slot(self, slot: TimeOfDay) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.slot is slot)

    def applied_on(self, day: date) -> dict[TimeOfDay, list[Agent]]:
        used: dict[TimeOfDay, list[Agent]] = {TimeOfDay.AM: [], TimeOfDay.PM: []}
        for step in self.steps:
            if step.usage.applied_on(day):
                used[step.slot].append(step.agent)
        return used


@dataclass(frozen=True)
class _Pick:
    agent: Agent
    why: tuple[Statement, ...]
    already_used: bool = False
    priming: PrimingPeriod | None = None


def _unsafe_in_pregnancy(entry: AgentEntry) -> bool:
    return entry.pregnancy.status in UNSAFE_IN_PREGNANCY


def _choose(
    case: Case,
    fitzpatrick: Fitzpatrick | None,
    knowledge: KnowledgeBase,
    start: date,
    primings: Sequence[PrimingPeriod] = (),
) -> tuple[list[_Pick], list[LeftOut]]:
    """The actives, most important first, and what was left out and why."""
    patient = case.patient
    agents = knowledge.agents
    expecting = patient.pregnant or patient.breastfeeding
    darker = fitzpatrick is None or fitzpatrick in DARKER
    acne = patient.active_acne is not AcneSeverity.NONE
    picks: list[_Pick] = []
    left: list[LeftOut] = []
    current = [a for a in patient.current_agents if a not in ORAL]
    current_retinoid = next((a for a in current if a in RETINOIDS), None)
    if expecting:
        for retinoid in RETINOIDS:
            entry = agents[retinoid]
            left.append(
                LeftOut(
                    retinoid,
                    entry.pregnancy.note,
                    entry.pregnancy.sources,
                    _stop_now(entry, patient.pregnant) if retinoid in current else "",
                )
            )
    elif current_retinoid is not None:
        picks.append(_Pick(current_retinoid, agents[current_retinoid].purpose, True))
    elif (patient.age_on(start) or MIN_AGE_OTC_RETINOID) < MIN_AGE_OTC_RETINOID:
        adapalene = agents[Agent.ADAPALENE]
        left.append(
            LeftOut(
                Agent.ADAPALENE,
                "the over-the-counter approval is for ages 12 and over; a prescriber decides",
                tuple(adapalene.notes[0].sources) if adapalene.notes else (),
            )
        )
    else:
        retinoid = Agent.RETINOL if patient.sensitive_skin else Agent.ADAPALENE
        picks.append(_Pick(retinoid, agents[retinoid].purpose))
    if acne and Agent.BENZOYL_PEROXIDE not in current:
        picks.append(_Pick(Agent.BENZOYL_PEROXIDE, agents[Agent.BENZOYL_PEROXIDE].purpose))
    if (darker or expecting) and Agent.AZELAIC_ACID not in current:
        picks.append(_Pick(Agent.AZELAIC_ACID, agents[Agent.AZELAIC_ACID].purpose))
    tier = case.preferences.home_care_budget or HomeCareBudget.HIGH
    limit = ACTIVES_BY_BUDGET[tier]
    for extra in picks[limit:]:
        left.append(LeftOut(extra.agent, f"left out for the {tier.value} home-care budget", ()))
    picks = picks[:limit]
    picks.extend(_priming_picks(primings, picks, current, expecting, knowledge, left))
    for agent in current:
        if agent in {p.agent for p in picks} or agent is Agent.SUNSCREEN:
            continue
        entry = agents[agent]
        if expecting and _unsafe_in_pregnancy(entry):
            if agent not in RETINOIDS:
                left.append(
                    LeftOut(
                        agent,
                        entry.pregnancy.note,
                        entry.pregnancy.sources,
                        _stop_now(entry, patient.pregnant),
                    )
                )
            continue
        if agent in RETINOIDS and any(p.agent in RETINOIDS for p in picks):
            left.append(LeftOut(agent, "one retinoid at a time", ()))
            continue
        picks.append(_Pick(agent, entry.purpose, True))
    if expecting:
        # A prescribed oral treatment contraindicated in pregnancy (isotretinoin): stop it now.
        for agent in patient.current_agents:
            entry = agents[agent]
            if agent in ORAL and entry.pregnancy.status is PregnancyStatus.CONTRAINDICATED:
                left.append(
                    LeftOut(
                        agent,
                        entry.pregnancy.note,
                        entry.pregnancy.sources,
                        _stop_now(entry, patient.pregnant),
                    )
                )
    if acne:
        patch = agents[Agent.HYDROCOLLOID_PATCH]
        picks.append(
            _Pick(Agent.HYDROCOLLOID_PATCH, patch.purpose, Agent.HYDROCOLLOID_PATCH in current)
        )
    picks.append(
        _Pick(Agent.SUNSCREEN, knowledge.homecare.sun_protection, Agent.SUNSCREEN in current)
    )
    return picks, left


def _priming_picks(
    primings: Sequence[PrimingPeriod],
    picks: list[_Pick],
    current: list[Agent],
    expecting: bool,
    knowledge: KnowledgeBase,
    left: list[LeftOut],
) -> list[_Pick]:
    """The priming agents the routine does not already hold (not cut by the home-care budget:
    the plan needs them); unsafe ones in pregnancy are left out, and a priming retinoid when
    another retinoid is used (one retinoid at a time). A priming retinoid replaces the new
    retinoid the routine would start."""
    found: list[_Pick] = []
    for period in primings:
        for agent in period.agents:
            new = next((p for p in picks if p.agent in RETINOIDS and not p.already_used), None)
            if agent in RETINOIDS and new is not None:
                why = (priming.statement(period), *knowledge.agents[agent].purpose)
                picks[picks.index(new)] = _Pick(agent, why, False, period)
    for period in primings:
        for agent in period.agents:
            held = {p.agent for p in [*picks, *found]} | {x.agent for x in left}
            entry = knowledge.agents[agent]
            if agent in held:
                continue
            if agent in RETINOIDS:
                left.append(
                    LeftOut(
                        agent,
                        "one retinoid at a time: the retinoid in the routine stands in for it "
                        "during the priming, or a prescriber decides",
                        period.sources,
                    )
                )
            elif expecting and _unsafe_in_pregnancy(entry):
                if agent not in current:  # one in use is left out below, with "stop now"
                    left.append(LeftOut(agent, entry.pregnancy.note, entry.pregnancy.sources))
            else:
                why = (priming.statement(period), *entry.purpose)
                found.append(_Pick(agent, why, agent in current, period))
    return found


def _stop_now(entry: AgentEntry, pregnant: bool) -> str:
    """'Stop tretinoin now: ...' for an agent in use that is unsafe in pregnancy or
    breastfeeding; a prescribed one also needs its prescriber today."""
    state, when = (
        ("pregnant", "in pregnancy") if pregnant else ("breastfeeding", "while breastfeeding")
    )
    verb = (
        "must not be used"
        if entry.pregnancy.status is PregnancyStatus.CONTRAINDICATED
        else "is not advised"
    )
    name = entry.name.split(" (")[0].lower()  # "Tretinoin (topical)" -> "tretinoin"
    text = f"Stop {name} now: you are {state}, and it {verb} {when}"
    if entry.agent_class is AgentClass.ORAL:
        text += "; contact your prescriber today"
    return f"{text}."


def _slot(entry: AgentEntry, taken_pm: bool) -> TimeOfDay:
    if entry.id is Agent.HYDROCOLLOID_PATCH:
        return TimeOfDay.PM  # on spots, overnight; not layered under sunscreen
    if entry.application is None or entry.application.time_of_day is TimeOfDay.ANY:
        return TimeOfDay.AM if taken_pm else TimeOfDay.PM
    return entry.application.time_of_day


def _strength(entry: AgentEntry, already_used: bool) -> str:
    if already_used:
        return "the strength already in use"
    for strength in entry.strengths:
        if strength.percent:
            return f"{min(strength.percent):g}% {strength.form}"
        return strength.form
    return ""


def _phases(
    entry: AgentEntry,
    start: date,
    gentle: bool,
    already_used: bool,
    pauses: Sequence[PauseWindow] = (),
) -> tuple[Phase, ...]:
    """The titration phases; paused days do not count, so no phase begins inside a pause."""
    steps = entry.gentle_titration_steps if gentle and entry.gentle_titration_steps else None
    steps = steps or entry.titration_steps
    if already_used or not steps:
        frequency = steps[-1].frequency if steps else Frequency.DAILY
        note = "continue as now" if already_used else "daily"
        sources = tuple(steps[-1].sources) if steps else ()
        return phases_from(start, [(frequency, None, note, sources)], pauses)
    return phases_from(
        start, [(s.frequency, s.weeks, s.note, tuple(s.sources)) for s in steps], pauses
    )


def _pauses(
    entry: AgentEntry,
    fitzpatrick: Fitzpatrick | None,
    procedures: Sequence[ProcedureDate],
    primed: frozenset[Modality] = frozenset(),
) -> tuple[PauseWindow, ...]:
    """Each procedure's pause: from the upper `before_days` (the lower end before a procedure
    this agent primes: the priming trial kept it going, KHUNGER2011) to the end of the downtime
    (or `after_days`)."""
    windows = []
    for procedure in procedures:
        for pause in entry.pauses:
            if procedure.modality not in pause.modalities:
                continue
            if not _pause_applies(pause.skin_types, fitzpatrick):
                continue
            low, high = pause.before_days.min, pause.before_days.max
            if procedure.modality in primed:
                before = low if low is not None else high or 0
            else:
                before = high if high is not None else low or 0
            after = (
                pause.after_days.max or pause.after_days.min or 0
                if pause.after_days
                else procedure.downtime_days
            )
            windows.append(
                PauseWindow(
                    procedure.day - timedelta(days=int(before)),
                    procedure.day + timedelta(days=int(after)),
                    f"{procedure.modality.value} on {procedure.day.isoformat()}",
                    pause.resume_when,
                    tuple(dict.fromkeys([*pause.before_days.sources, *pause.sources])),
                )
            )
    return tuple(windows)


def _pause_applies(skin_types: Sequence[Fitzpatrick], fitzpatrick: Fitzpatrick | None) -> bool:
    """A pause for some skin types only; an unknown type takes the darker types' pause."""
    if not skin_types:
        return True
    if fitzpatrick is None:
        return bool(set(skin_types) & DARKER)
    return fitzpatrick in skin_types


def _conflict(a: Agent, b: Agent, knowledge: KnowledgeBase) -> AgentConflict | None:
    return next((c for c in knowledge.conflicts if set(c.agents) == {a, b}), None)


def build_routine(
    case: Case,
    fitzpatrick: Fitzpatrick | None,
    procedures: Sequence[ProcedureDate],
    knowledge: KnowledgeBase,
    start: date,
    primings: Sequence[PrimingPeriod] = (),
) -> Routine:
    picks, left = _choose(case, fitzpatrick, knowledge, start, primings)
    gentle = case.patient.sensitive_skin or fitzpatrick is None or fitzpatrick in DARKER
    steps: list[Step] = []
    checks: list[Check] = []
    for pick in picks:
        entry = knowledge.agents[pick.agent]
        taken_pm = any(s.slot is TimeOfDay.PM and s.agent in RETINOIDS for s in steps)
        slot = _slot(entry, taken_pm)
        own = pick.priming is not None and pick.agent not in RETINOIDS and not pick.already_used
        begins = pick.priming.start if own and pick.priming is not None else start
        pauses = _pauses(
            entry, fitzpatrick, procedures, priming.primed(pick.agent, primings, RETINOID_SET)
        )
        usage = Usage(_phases(entry, begins, gentle, pick.already_used, pauses), pauses)
        ends = (
            None
            if pick.already_used
            else priming.stop(entry, begins, pick.priming if own else None, procedures)
        )
        if ends is not None:
            usage = replace(usage, stop=ends[0], stop_reason=ends[1])
        irritating: AgentConflict | None = None
        for earlier in list(steps):
            conflict = _conflict(earlier.agent, pick.agent, knowledge)
            if conflict is None:
                continue
            checks.append(
                Check(
                    f"conflict: {conflict.kind.value}",
                    (earlier.agent, pick.agent),
                    conflict.reason,
                    conflict.resolution,
                    tuple(conflict.sources),
                )
            )
            if conflict.kind is ConflictKind.IRRITATION:
                usage = _yield(usage, earlier.usage)
                irritating = conflict
            elif slot is earlier.slot:
                slot = TimeOfDay.AM if earlier.slot is TimeOfDay.PM else TimeOfDay.PM
        if irritating is not None and usage.stop is not None and usage.stop <= start:
            left.append(
                LeftOut(
                    pick.agent,
                    "the retinoid is used every day from the start and they must not share a "
                    "day; stop it",
                    tuple(irritating.sources),
                )
            )
            continue
        order = entry.application.order if entry.application else 9
        dose = entry.dose.amount if entry.dose else ""
        steps.append(
            Step(
                pick.agent,
                entry.name,
                slot,
                order,
                _strength(entry, pick.already_used),
                dose,
                pick.why,
                usage,
                pick.already_used,
            )
        )
    steps.sort(key=lambda s: (s.slot.value, s.order, s.agent.value))
    checks.extend(_course_checks(steps, knowledge))
    checks.extend(_safety_checks(case, fitzpatrick, knowledge))
    prevention = next(
        (p for p in knowledge.homecare.prevention if p.severity is case.patient.active_acne), None
    )
    advice = _advice(case, procedures, knowledge, prevention)
    referral = prevention.advice if prevention is not None and prevention.refer else ()
    return Routine(
        start,
        tuple(steps),
        tuple(procedures),
        tuple(checks),
        tuple(left),
        advice,
        referral,
        tuple(primings),
    )


def _yield(usage: Usage, first: Usage) -> Usage:
    """An irritating pair never shares a day: this one stops once the first is used daily."""
    daily = next(
        (p.start for p in first.phases if p.frequency in (Frequency.DAILY, Frequency.TWICE_DAILY)),
        None,
    )
    if daily is None or (usage.stop is not None and usage.stop <= daily):
        return replace(usage, yields_to=first)
    reason = "the retinoid is now used every day and they must not share a day"
    return replace(usage, yields_to=first, stop=daily, stop_reason=reason)


def _course_checks(steps: Sequence[Step], knowledge: KnowledgeBase) -> list[Check]:
    """An agent with a course limit (hydroquinone: ochronosis after long use) gets a check."""
    checks = []
    for step in steps:
        limit = knowledge.agents[step.agent].max_course_weeks
        if limit is None:
            continue
        weeks = int(limit.min if limit.min is not None else limit.max or 0)
        checks.append(
            Check(
                "course limit",
                (step.agent,),
                limit.note,
                f"use {step.name.lower()} for at most {weeks} weeks in a row, with sunscreen "
                "every day; stop and see the doctor if grey or blue-black patches appear",
                tuple(limit.sources),
            )
        )
    return checks


def _safety_checks(
    case: Case, fitzpatrick: Fitzpatrick | None, knowledge: KnowledgeBase
) -> list[Check]:
    checks = []
    homecare = knowledge.homecare
    if case.patient.pregnant or case.patient.breastfeeding:
        checks.append(_statements_check("pregnancy", homecare.pregnancy, "no retinoids"))
    if fitzpatrick is None or fitzpatrick in DARKER:
        checks.append(
            _statements_check(
                "darker skin", homecare.darker_skin, "start slower; stop if irritated"
            )
        )
    checks.append(
        _statements_check(
            "at-home microneedling", homecare.at_home_microneedling, "not recommended"
        )
    )
    expecting = case.patient.pregnant or case.patient.breastfeeding
    for agent in case.patient.current_agents:
        entry = knowledge.agents[agent]
        if expecting and entry.pregnancy.status is PregnancyStatus.CONTRAINDICATED:
            checks.append(
                Check(
                    "pregnancy: contraindicated",
                    (agent,),
                    entry.pregnancy.note,
                    "stop now and contact the prescriber today",
                    tuple(entry.pregnancy.sources),
                )
            )
        if entry.agent_class is AgentClass.ORAL:
            checks.append(
                Check(
                    "prescribed oral treatment",
                    (agent,),
                    f"{entry.name} is prescribed and supervised by a doctor.",
                    "keep the prescriber informed of the scar plan",
                    tuple(entry.pregnancy.sources),
                )
            )
    return checks


def _statements_check(kind: str, statements: tuple[Statement, ...], resolution: str) -> Check:
    return Check(
        kind,
        (),
        " ".join(s.text for s in statements),
        resolution,
        tuple(dict.fromkeys(source for s in statements for source in s.sources)),
    )


def _advice(
    case: Case,
    procedures: Sequence[ProcedureDate],
    knowledge: KnowledgeBase,
    prevention: SeverityAdvice | None,
) -> tuple[tuple[str, tuple[Statement, ...]], ...]:
    homecare = knowledge.homecare
    found: list[tuple[str, tuple[Statement, ...]]] = [("sun protection", homecare.sun_protection)]
    if prevention is not None:
        found.append((f"acne ({case.patient.active_acne.value})", prevention.advice))
    found.append(("picking and squeezing", homecare.picking))
    if procedures:
        found.append(("after each procedure", homecare.after_procedure))
    return tuple(found)
