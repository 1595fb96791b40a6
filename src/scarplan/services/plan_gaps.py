"""The days allowed between two consecutive sessions of a plan, when a scheduler moves them.

One rule for the clinic calendar (plans as stored) and the benchmark generator (plans as made):
both pass the plan in its `scarplan plan --json` shape (`services.planning.plan_json`).
"""

from __future__ import annotations

from typing import Any


def gap_limits(
    previous: str, current: str, planned_gap: int, document: dict[str, Any], default_gap: int
) -> tuple[int, int | None]:
    """Minimum and maximum days between two consecutive sessions of a plan.

    The same procedure: the course's interval and at least its downtime (the planner's own rule,
    `planning.schedule.interval_bounds`), up to its published maximum. Two procedures: the
    plan's sequencing rule for the pair, else the clinic's default gap; no maximum. The plan as
    accepted is always allowed: a clinician who edited a session closer or further than the
    rule keeps that gap within the limits.
    """
    if previous == current:
        course = next((c for c in document.get("courses", []) if c["modality"] == current), None)
        interval: dict[str, Any] = (
            course["interval_days"] if course else {"value": default_gap, "max": None}
        )
        downtime = int(course["downtime_days"]["value"]) if course else 0
        low, high = max(int(interval["value"]), downtime), interval.get("max")
    else:
        rule = next(
            (
                s
                for s in document.get("sequence", [])
                if s["first"] == previous and s["then"] == current
            ),
            None,
        )
        low, high = (int(rule["gap_days"]["value"]) if rule else default_gap), None
    low = max(0, min(low, planned_gap))
    if high is not None:
        high = max(int(high), planned_gap, low)
    return low, high
