"""Small hand-made scheduling instances. 2027-01-04 is a Monday: day 0 of every horizon."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.model import Assignment, Instance, ScheduleResult
from scarplan.scheduling.solver import reschedule, solve

MONDAY = date(2027, 1, 4)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def day(offset: int) -> str:
    return (MONDAY + timedelta(offset)).isoformat()


def hours(start: str, end: str, days: Sequence[str] = WEEKDAYS) -> dict[str, list[dict[str, str]]]:
    return {d: [{"start": start, "end": end}] for d in days}


def practitioner(pid: str, procedures: Sequence[str], **extra: Any) -> dict[str, Any]:
    return {"id": pid, "procedures": list(procedures), "hours": hours("09:00", "12:00")} | extra


def session(sid: str, procedure: str = "tca_cross", **extra: Any) -> dict[str, Any]:
    return {"id": sid, "procedure": procedure} | extra


def patient(pid: str, *sessions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": pid, "sessions": list(sessions)} | extra


def instance(
    patients: Sequence[dict[str, Any]],
    *,
    practitioners: Sequence[dict[str, Any]] | None = None,
    devices: Sequence[dict[str, Any]] = (),
    rooms: Sequence[dict[str, Any]] = ({"id": "room-1"},),
    days: int = 14,
    slot: int = 30,
    **extra: Any,
) -> Instance:
    document = {
        "version": 1,
        "horizon": {"start": MONDAY.isoformat(), "days": days},
        "slot_minutes": slot,
        "resources": {
            "practitioners": list(
                practitioners or [practitioner("dr-a", ["tca_cross", "subcision"])]
            ),
            "devices": list(devices),
            "rooms": list(rooms),
        },
        "patients": list(patients),
    } | extra
    return Instance.model_validate(document)


def solved(problem: Instance, knowledge: KnowledgeBase, seconds: float = 10) -> ScheduleResult:
    return solve(problem, knowledge, time_limit_s=seconds, workers=1)


def resolved(
    problem: Instance,
    previous: Sequence[Assignment],
    knowledge: KnowledgeBase,
    seconds: float = 10,
) -> ScheduleResult:
    return reschedule(problem, previous, knowledge, time_limit_s=seconds, workers=1)


def booked(result: ScheduleResult) -> dict[str, Assignment]:
    return {a.session: a for a in result.assignments}
