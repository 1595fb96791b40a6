"""Home-care use cases: the routine for a case (knowing its plan), as the JSON contract."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from scarplan.adapters.casefile import read_case_file
from scarplan.assessment import assess_case
from scarplan.domain.case import Case
from scarplan.domain.errors import InfeasibleError
from scarplan.domain.vocabulary import Agent, Modality
from scarplan.homecare.calendar import FREQUENCY_WORDS, routine_calendar
from scarplan.homecare.priming import PrimingPeriod
from scarplan.homecare.routine import ProcedureDate, Routine, Step, build_routine
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.agents import TimeOfDay
from scarplan.knowledge.schema.common import Statement
from scarplan.planning.plan import Plan
from scarplan.services.assessment import NOTICE
from scarplan.services.planning import plan_case, plan_file, plan_json
from scarplan.settings import Settings

PrimingItem = tuple[Iterable[str], date, date, Iterable[Modality], Iterable[str]]
"""A booked priming period as a plan or a stored plan document holds it: agents, date, until
(the first session it prepares), before (the procedures), sources."""


def priming_periods(
    items: Iterable[PrimingItem], procedures: Sequence[ProcedureDate]
) -> list[PrimingPeriod]:
    """The plan's priming periods, kept the same length before the first session of what they
    prime as it now stands (a clinician's edit may have moved it)."""
    periods = []
    for agents, day, until, before, sources in items:
        primed = tuple(before)
        firsts = [p.day for p in procedures if p.modality in primed]
        first = min(firsts, default=until)
        periods.append(
            PrimingPeriod(
                tuple(Agent(a) for a in agents),
                first - (until - day),
                first,
                primed,
                tuple(sources),
            )
        )
    return periods


def routine_for_plan(case: Case, plan: Plan, knowledge: KnowledgeBase) -> Routine:
    """The routine around the plan's sessions, with the agents of its priming periods."""
    procedures = [ProcedureDate(s.day, s.modality, s.downtime.value) for s in plan.sessions]
    primings = priming_periods(
        (
            (p.agents, p.day, p.until, p.before, p.sources)
            for p in plan.preparations
            if p.kind == "priming"
        ),
        procedures,
    )
    return build_routine(case, plan.fitzpatrick, procedures, knowledge, plan.start, primings)


def plan_file_json(
    path: Path, knowledge: KnowledgeBase, settings: Settings, today: date
) -> dict[str, Any]:
    """`scarplan plan`: the plan of a case file with its routine, as the JSON contract."""
    case, plan = plan_file(path, knowledge, settings, today)
    return plan_json(plan, routine_json(routine_for_plan(case, plan, knowledge)))


def routine_case(
    case: Case, knowledge: KnowledgeBase, settings: Settings, today: date
) -> tuple[Routine, list[str]]:
    """The routine around the case's plan; if the plan cannot be made, around no procedure."""
    try:
        plan = plan_case(case, knowledge, settings, today)
    except InfeasibleError as error:
        fitzpatrick = assess_case(case, knowledge).fitzpatrick.type
        start = case.preferences.start_date or today
        note = f"No procedure dates: the plan cannot be made ({error.message})."
        return build_routine(case, fitzpatrick, [], knowledge, start), [note]
    return routine_for_plan(case, plan, knowledge), []


def routine_file(
    path: Path, knowledge: KnowledgeBase, settings: Settings, today: date
) -> tuple[Routine, list[str]]:
    return routine_case(read_case_file(path, today), knowledge, settings, today)


def _statements(items: tuple[Statement, ...]) -> list[dict[str, Any]]:
    return [{"text": s.text, "sources": list(s.sources)} for s in items]


def _frequency(step: Step) -> str:
    if step.as_needed:
        return "on spots, as needed"
    words = FREQUENCY_WORDS[step.usage.phases[-1].frequency]
    if step.usage.stop is None:
        return words
    if step.usage.yields_to is not None:
        return f"{words} except retinoid days, until {step.usage.stop.isoformat()}"
    return f"{words} until {step.usage.stop.isoformat()}"


def routine_json(routine: Routine, notes: list[str] | None = None) -> dict[str, Any]:
    def steps(slot: TimeOfDay) -> list[dict[str, Any]]:
        return [
            {
                "agent": s.agent.value,
                "name": s.name,
                "order": s.order,
                "strength": s.strength,
                "dose": s.dose,
                "frequency": _frequency(s),
                "already_used": s.already_used,
                "why": _statements(s.why),
            }
            for s in routine.slot(slot)
        ]

    return {
        "start_date": routine.start.isoformat(),
        "am": steps(TimeOfDay.AM),
        "pm": steps(TimeOfDay.PM),
        "calendar": [
            {
                "date": e.day.isoformat(),
                "until": e.until.isoformat() if e.until else None,
                "agent": e.agent.value if e.agent else None,
                "event": e.event,
                "text": e.text,
                "sources": list(e.sources),
            }
            for e in routine_calendar(routine)
        ],
        "checks": [
            {
                "kind": c.kind,
                "agents": [a.value for a in c.agents],
                "message": c.message,
                "resolution": c.resolution,
                "sources": list(c.sources),
            }
            for c in routine.checks
        ],
        "left_out": [
            {
                "agent": x.agent.value,
                "reason": x.reason,
                "sources": list(x.sources),
                "stop_now": x.stop_now or None,
            }
            for x in routine.left_out
        ],
        "advice": [
            {"topic": topic, "items": _statements(items)} for topic, items in routine.advice
        ],
        "referral": _statements(routine.referral),
        "notes": notes or [],
        "notice": NOTICE,
    }
