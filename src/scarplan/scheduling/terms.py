"""The objective's terms as numbers per (session, possible day), in lexicographic order.

`scheduled` (more is better), then `moved` when rescheduling (fewer previous bookings changed),
then `deviation_days` (fewer days from the ideal dates). Each term gives a value for booking a
session on each of its possible days and for leaving it out, so the day model, the chain
dynamic programme and the bounds all read the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scarplan.scheduling.jobs import Prepared


@dataclass(frozen=True)
class Term:
    name: str
    maximize: bool
    option: tuple[tuple[int, ...], ...]
    """Per job, the value of booking it on each of its options."""
    unbooked: tuple[int, ...]
    """Per job, the value of leaving it out."""

    def value(self, choice: Mapping[int, int], jobs: Sequence[int]) -> int:
        """The term's value for the jobs listed, booked as in `choice` (absent: left out)."""
        return sum(self.option[j][choice[j]] if j in choice else self.unbooked[j] for j in jobs)

    def best(self, j: int) -> int:
        """The best value job `j` can contribute on its own."""
        values = (*self.option[j], self.unbooked[j])
        return max(values) if self.maximize else min(values)

    def worst(self, j: int) -> int:
        values = (*self.option[j], self.unbooked[j])
        return min(values) if self.maximize else max(values)


def objective_terms(prepared: Prepared, keep: Mapping[int, int | None] | None) -> list[Term]:
    """The terms in priority order; `keep` (rescheduling) maps each previously booked job to
    the option that leaves its booking unchanged, or None when it cannot stay."""
    options, count = prepared.options, len(prepared.jobs)
    terms = [
        Term(
            "scheduled",
            True,
            tuple((1,) * len(options[j]) for j in range(count)),
            (0,) * count,
        )
    ]
    if keep is not None:
        terms.append(
            Term(
                "moved",
                False,
                tuple(
                    tuple(int(j in keep and k != keep[j]) for k in range(len(options[j])))
                    for j in range(count)
                ),
                tuple(int(j in keep) for j in range(count)),
            )
        )
    terms.append(
        Term(
            "deviation_days",
            False,
            tuple(
                tuple(prepared.jobs[j].deviation(o.day) for o in options[j]) for j in range(count)
            ),
            (0,) * count,
        )
    )
    return terms


def tier_weights(terms: Sequence[Term], jobs: Sequence[int], last_span: int) -> list[int]:
    """Weights that make a weighted sum lexicographic over `jobs`: each term outweighs every
    later one, the last of which (`last_span`) is a term outside `terms` spanning 0..last_span.
    Returned in the order of `terms`, signed so that the weighted sum is to be maximised."""
    weights: list[int] = []
    below = last_span + 1
    for term in reversed(terms):
        span = sum(abs(term.worst(j) - term.best(j)) for j in jobs)
        weights.append(below if term.maximize else -below)
        below *= span + 1
    return list(reversed(weights))
