"""When each agent is applied: start-low titration phases, weekdays, and pauses around procedures.

An agent's use is a list of phases (from a date, a frequency) and a list of pauses (date ranges).
`applied_on(day)` answers for any date, so the calendar shown to the patient and the checks made
in tests read the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from scarplan.knowledge.schema.agents import Frequency

# Spread over the week so that nights of use are not bunched (Monday = 0).
WEEKDAYS: dict[Frequency, frozenset[int]] = {
    Frequency.ONCE_WEEKLY: frozenset({0}),
    Frequency.TWICE_WEEKLY: frozenset({0, 3}),
    Frequency.THREE_TIMES_WEEKLY: frozenset({0, 2, 4}),
    Frequency.FOUR_TIMES_WEEKLY: frozenset({0, 2, 4, 6}),
    Frequency.FIVE_TIMES_WEEKLY: frozenset({0, 1, 2, 4, 5}),
    Frequency.SIX_TIMES_WEEKLY: frozenset({0, 1, 2, 3, 4, 5}),
    Frequency.DAILY: frozenset(range(7)),
    Frequency.TWICE_DAILY: frozenset(range(7)),
}


@dataclass(frozen=True)
class Phase:
    start: date
    frequency: Frequency
    note: str = ""
    sources: tuple[str, ...] = ()

    def applies(self, day: date) -> bool:
        if self.frequency is Frequency.EVERY_OTHER_DAY:
            return (day - self.start).days % 2 == 0
        return day.weekday() in WEEKDAYS[self.frequency]


@dataclass(frozen=True)
class PauseWindow:
    start: date
    end: date
    """Inclusive: the agent is not used from `start` to `end`."""
    reason: str
    resume_when: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Usage:
    """When one agent is used: its phases, its pauses, and days kept free for another agent."""

    phases: tuple[Phase, ...]
    pauses: tuple[PauseWindow, ...] = ()
    stop: date | None = None
    """No use from this date on (e.g. an acid once the retinoid is nightly, or hydroquinone at
    the end of the course it primes)."""
    stop_reason: str = ""
    yields_to: Usage | None = None
    """Another agent this one never shares a day with (an irritating pair): it goes first."""

    def phase_on(self, day: date) -> Phase | None:
        current = None
        for phase in self.phases:
            if phase.start <= day:
                current = phase
        return current

    def paused_on(self, day: date) -> PauseWindow | None:
        return next((p for p in self.pauses if p.start <= day <= p.end), None)

    def applied_on(self, day: date) -> bool:
        phase = self.phase_on(day)
        if phase is None or (self.stop is not None and day >= self.stop):
            return False
        if self.paused_on(day) is not None:
            return False
        if self.yields_to is not None and self.yields_to.applied_on(day):
            return False
        return phase.applies(day)


def phases_from(
    start: date,
    steps: list[tuple[Frequency, int | None, str, tuple[str, ...]]],
    pauses: Sequence[PauseWindow] = (),
) -> tuple[Phase, ...]:
    """Consecutive phases: each step lasts its weeks of days in use; a step without weeks lasts
    from then on. Paused days do not count, so no phase starts or steps up inside one of the
    agent's own pauses: it begins the day after the pause ends."""
    phases, day = [], _in_use_from(start, pauses)
    for frequency, weeks, note, sources in steps:
        phases.append(Phase(day, frequency, note, sources))
        if weeks is None:
            break
        day = _in_use_from(_after_days_in_use(day, weeks * 7, pauses), pauses)
    return tuple(phases)


def _paused(day: date, pauses: Sequence[PauseWindow]) -> PauseWindow | None:
    return next((p for p in pauses if p.start <= day <= p.end), None)


def _in_use_from(day: date, pauses: Sequence[PauseWindow]) -> date:
    """The first day on or after `day` outside every pause."""
    while (pause := _paused(day, pauses)) is not None:
        day = pause.end + timedelta(days=1)
    return day


def _after_days_in_use(day: date, count: int, pauses: Sequence[PauseWindow]) -> date:
    """The day after `count` days outside the pauses, counted from `day`."""
    while count > 0:
        if _paused(day, pauses) is None:
            count -= 1
        day += timedelta(days=1)
    return day


def merged(pauses: Sequence[PauseWindow]) -> tuple[PauseWindow, ...]:
    """Overlapping or back-to-back pauses as one: the agent resumes only after the last of them
    (sessions 2 weeks apart with a 2-week stop before each never leave a day in between)."""
    found: list[PauseWindow] = []
    for pause in sorted(pauses, key=lambda p: (p.start, p.end)):
        if found and pause.start <= found[-1].end + timedelta(days=1):
            last = found[-1]
            found[-1] = replace(
                last,
                end=max(last.end, pause.end),
                reason=f"{last.reason}, {pause.reason}",
                resume_when=pause.resume_when if pause.end >= last.end else last.resume_when,
                sources=tuple(dict.fromkeys([*last.sources, *pause.sources])),
            )
        else:
            found.append(pause)
    return tuple(found)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]
