"""A stored plan's gap rule, read back from its typed document (planning.document).

The rule itself is `planning.gaps.GapRules`, the one the planner solved with; this module only
rebuilds it from what a plan document records, so the clinic calendar, the benchmark generator
and plan edits apply exactly the planner's rule. Documents from before the rule was recorded
in full (no `after`, `alternations` or `default_gap_days`) read with the defaults they were
planned under: whole-course orders, no alternations, the clinic's current default gap.
"""

from __future__ import annotations

from scarplan.domain.vocabulary import Modality
from scarplan.planning.document import PlanDocument
from scarplan.planning.gaps import GapRules


def gap_limits(
    previous: str,
    current: str,
    planned_gap: int,
    document: PlanDocument | None,
    default_gap: int,
) -> tuple[int, int | None]:
    """Minimum and maximum days between two consecutive sessions of a plan.

    The plan's own rule (`planning.gaps`). The plan as accepted is always allowed: a clinician
    who edited a session closer or further than the rule keeps that gap within the limits.
    """
    rules = (
        document.gap_rules(default_gap)
        if document is not None
        else GapRules({}, default_gap_days=default_gap)
    )
    before, after = Modality(previous), Modality(current)
    if before == after:
        alternating = any(rules.turn(after, other) for other in rules.courses if other != after)
        gap = rules.same(after, alternating)
    else:
        gap = rules.between(before, after)
    low, high = max(0, min(gap.min_days, planned_gap)), gap.max_days
    if high is not None:
        high = max(int(high), planned_gap, low)
    return low, high
