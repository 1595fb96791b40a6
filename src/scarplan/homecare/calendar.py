"""The dated calendar a patient follows: titration steps, pauses, stops and healing weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from scarplan.domain.vocabulary import Agent
from scarplan.homecare.routine import Routine
from scarplan.knowledge.schema.agents import Frequency

FREQUENCY_WORDS = {
    Frequency.ONCE_WEEKLY: "once a week",
    Frequency.TWICE_WEEKLY: "two days a week",
    Frequency.THREE_TIMES_WEEKLY: "three days a week",
    Frequency.FOUR_TIMES_WEEKLY: "four days a week",
    Frequency.FIVE_TIMES_WEEKLY: "five days a week",
    Frequency.SIX_TIMES_WEEKLY: "six days a week",
    Frequency.EVERY_OTHER_DAY: "every other day",
    Frequency.DAILY: "every day",
    Frequency.TWICE_DAILY: "twice a day",
}


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    until: date | None
    agent: Agent | None
    event: str
    text: str
    sources: tuple[str, ...] = ()


def routine_calendar(routine: Routine) -> list[CalendarEntry]:
    entries: list[CalendarEntry] = []
    for step in routine.steps:
        usage = step.usage
        if step.as_needed:
            continue
        for index, phase in enumerate(usage.phases):
            words = FREQUENCY_WORDS[phase.frequency]
            verb = "start" if index == 0 else "step up"
            text = f"{verb}: {step.name} {words}"
            if phase.note:
                text += f" ({phase.note})"
            entries.append(CalendarEntry(phase.start, None, step.agent, verb, text, phase.sources))
        for pause in usage.pauses:
            if usage.stop is not None and pause.start >= usage.stop:
                continue  # no longer in use: nothing to pause
            entries.append(
                CalendarEntry(
                    pause.start,
                    pause.end,
                    step.agent,
                    "pause",
                    f"pause {step.name} for {pause.reason}; resume from "
                    f"{(pause.end + timedelta(1)).isoformat()}: {pause.resume_when}",
                    pause.sources,
                )
            )
        if usage.stop is not None:  # only an agent yielding to a retinoid has a stop date
            entries.append(
                CalendarEntry(
                    usage.stop,
                    None,
                    step.agent,
                    "stop",
                    f"stop {step.name}: the retinoid is now used every day and they must not "
                    "share a day",
                )
            )
    for procedure in routine.procedures:
        entries.append(
            CalendarEntry(
                procedure.day,
                procedure.day + timedelta(procedure.downtime_days),
                None,
                "healing",
                f"{procedure.modality.value}: gentle care and extra sun protection while it heals",
                (),
            )
        )
    return sorted(entries, key=lambda e: (e.day, e.event, e.agent.value if e.agent else ""))
