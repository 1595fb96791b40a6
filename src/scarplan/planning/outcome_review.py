"""The outcome review's comparison: the measured improvement against the published range.

The improvement measure (docs/clinic-day.md): the percent reduction of a score from the
assessment before the course (the baseline) to the latest one,

    improvement % = (baseline - latest) / baseline x 100

for the Goodman & Baron quantitative score and for ECCA alike (both: lower is better). A
worse score gives a negative improvement. With no baseline, a baseline of 0 (nothing to
improve on that scale) or no re-assessment after the course, there is no improvement to
compare, and the review says which is missing.

The expected range is the one the plan shows: the `improvement_pct` of the published outcomes
of the plan's procedures for the scar types each treats (planning.plan.relevant_outcomes),
from the lowest lower end to the highest upper end (open when a study reports only "over n %").
The verdict compares the G&B improvement with it (ECCA where G&B cannot be compared):
below the lower end -> below expected; above the upper end -> better than expected;
otherwise as expected. Published ranges, not a promise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from scarplan.domain.vocabulary import Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.plan import relevant_outcomes

HUNDRED = 100.0


class Verdict(StrEnum):
    AS_EXPECTED = "as_expected"
    BETTER = "better"
    BELOW = "below"

    @property
    def words(self) -> str:
        return {
            Verdict.AS_EXPECTED: "as expected",
            Verdict.BETTER: "better than expected",
            Verdict.BELOW: "below expected",
        }[self]


@dataclass(frozen=True)
class PublishedOutcome:
    modality: Modality
    low: float
    high: float | None
    words: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ExpectedRange:
    low: float
    high: float | None
    """None when a study reports only a lower bound ('over 70 %')."""
    outcomes: tuple[PublishedOutcome, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for o in self.outcomes for s in o.sources))

    def words(self) -> str:
        if self.high is None:
            return f"{self.low:g} % or more"
        if self.high == self.low:
            return f"{self.low:g} %"
        return f"{self.low:g}-{self.high:g} %"


def expected_range(
    procedures: Iterable[tuple[Modality, Iterable[ScarType]]], knowledge: KnowledgeBase
) -> ExpectedRange | None:
    """The published improvement range of these procedures (each with the scar types it
    treats), or None when none of their outcomes gives one in per cent."""
    found = []
    for modality, targets in procedures:
        for outcome in relevant_outcomes(knowledge.modalities[modality], tuple(targets)):
            pct = outcome.improvement_pct
            if pct is None or pct.min is None:
                continue
            found.append(
                PublishedOutcome(
                    modality, pct.min, pct.max, outcome.in_short(), tuple(outcome.sources)
                )
            )
    if not found:
        return None
    highs = [o.high for o in found]
    return ExpectedRange(
        min(o.low for o in found),
        None if any(h is None for h in highs) else max(h for h in highs if h is not None),
        tuple(found),
    )


def improvement_pct(baseline: float | None, latest: float | None) -> float | None:
    """Percent reduction from the baseline, or None when it cannot be computed (no baseline,
    a baseline of 0, or no later score)."""
    if baseline is None or latest is None or baseline <= 0:
        return None
    return round((baseline - latest) / baseline * HUNDRED, 1)


def verdict(improvement: float, expected: ExpectedRange) -> Verdict:
    """Below the lowest published lower end, above the highest upper end, or within."""
    if improvement < expected.low:
        return Verdict.BELOW
    if expected.high is not None and improvement > expected.high:
        return Verdict.BETTER
    return Verdict.AS_EXPECTED
