"""The dated calendar a patient follows: priming, titration steps, pauses, stops and healing
weeks. An agent never starts, steps up or resumes inside one of its own pauses: its titration
waits for the pause to end (`schedule.phases_from`), and overlapping or back-to-back pauses are
one pause, resumed after the last of them (`schedule.merged`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from scarplan.domain.vocabulary import Agent
from scarplan.homecare.routine import Routine
from scarplan.homecare.schedule import merged
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
    for period in routine.primings:
        names = " and ".join(a.value.replace("_", " ") for a in period.agents)
        before = ", ".join(m.value for m in period.before)
        entries.append(
            CalendarEntry(
                period.start,
                period.until,
                None,
                "priming",
                f"priming before {before} on {period.until.isoformat()}: {names} every day",
                period.sources,
            )
        )
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
        first = usage.phases[0].start if usage.phases else routine.start
        for pause in merged(usage.pauses):
            if usage.stop is not None and pause.start >= usage.stop:
                continue  # no longer in use: nothing to pause
            if pause.end < first and not step.already_used:
                continue  # over before the agent starts: its start waits for it instead
            resume = pause.end + timedelta(1)
            then = (
                f"resume from {resume.isoformat()}: {pause.resume_when}"
                if usage.stop is None or resume < usage.stop
                else f"do not resume it (it stops on {usage.stop.isoformat()})"
            )
            entries.append(
                CalendarEntry(
                    pause.start,
                    pause.end,
                    step.agent,
                    "pause",
                    f"pause {step.name} for {pause.reason}; {then}",
                    pause.sources,
                )
            )
        if usage.stop is not None:
            entries.append(
                CalendarEntry(
                    usage.stop, None, step.agent, "stop", f"stop {step.name}: {usage.stop_reason}"
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
