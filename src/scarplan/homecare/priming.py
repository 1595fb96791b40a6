"""Priming before a procedure: agents the plan asks the patient to use at home for some weeks
before the first session (e.g. hydroquinone and tretinoin before TCA CROSS in darker skin,
KHUNGER2011), and how the routine fits them in.

The plan books each priming period (`planning/preparations.py`); the routine schedules its
agents: an agent the routine would not otherwise use starts on the priming date and stops when
the course it primes is over (the trial continued priming through the course) or at the agent's
course limit, whichever comes first; a retinoid among them is the routine's one retinoid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from scarplan.domain.vocabulary import Agent, Modality
from scarplan.knowledge.schema.agents import AgentEntry
from scarplan.knowledge.schema.common import Statement


@dataclass(frozen=True)
class PrimingPeriod:
    """The agents to use from `start` until the first session (`until`) of the procedures in
    `before`, as the plan booked them."""

    agents: tuple[Agent, ...]
    start: date
    until: date
    before: tuple[Modality, ...]
    sources: tuple[str, ...]


class Dated(Protocol):
    """A planned session (homecare.routine.ProcedureDate)."""

    @property
    def day(self) -> date: ...

    @property
    def modality(self) -> Modality: ...

    @property
    def downtime_days(self) -> int: ...


def primed(
    agent: Agent, periods: Sequence[PrimingPeriod], retinoids: frozenset[Agent]
) -> frozenset[Modality]:
    """The procedures this agent primes. A retinoid already in use stands in for the priming
    retinoid (one retinoid at a time)."""
    found: set[Modality] = set()
    for period in periods:
        named = agent in period.agents
        stands_in = agent in retinoids and any(a in retinoids for a in period.agents)
        if named or stands_in:
            found.update(period.before)
    return frozenset(found)


def statement(period: PrimingPeriod) -> Statement:
    names = " and ".join(a.value.replace("_", " ") for a in period.agents)
    before = ", ".join(m.value for m in period.before)
    return Statement(
        text=(
            f"Priming before {before} (first session {period.until.isoformat()}): {names} from "
            f"{period.start.isoformat()}, as the plan's preparations say."
        ),
        sources=period.sources,
    )


def course_end(period: PrimingPeriod, sessions: Sequence[Dated]) -> date:
    """The last day of healing after the last session of the procedures it primes."""
    ends = [
        s.day + timedelta(days=s.downtime_days) for s in sessions if s.modality in period.before
    ]
    return max(ends, default=period.until)


def stop(
    entry: AgentEntry,
    begins: date,
    period: PrimingPeriod | None,
    sessions: Sequence[Dated],
) -> tuple[date, str] | None:
    """When an agent the routine starts stops, and why: at the end of the course it primes (an
    agent used only for priming) or at its course limit (`max_course_weeks`), the earlier."""
    found: list[tuple[date, str]] = []
    if period is not None:
        end = course_end(period, sessions)
        found.append(
            (
                end + timedelta(days=1),
                f"the course it primes ({', '.join(m.value for m in period.before)}) has healed",
            )
        )
    limit = entry.max_course_weeks
    if limit is not None:
        weeks = int(limit.min if limit.min is not None else limit.max or 0)
        found.append((begins + timedelta(weeks=weeks), f"at most {weeks} weeks in a row"))
    return min(found, default=None)
