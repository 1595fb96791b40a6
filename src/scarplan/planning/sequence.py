"""How two different procedures in one plan relate: order and the healing gap between them.

The rules come from sequencing.yaml. A published order with a published gap uses that gap;
an order without one, and any pair without a rule, use the clinic's default gap
(`default_gap_between_modalities_days`). The scheduler also never starts a session before the
previous procedure's downtime is over.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.conventions import DAYS_PER_WEEK, Figure, PlanningConventions

DEFAULT_GAP_POLICY = "clinic policy default_gap_between_modalities_days"


@dataclass(frozen=True)
class Precedence:
    """Every session of `first` comes before every session of `then`, `gap` days apart."""

    first: Modality
    then: Modality
    gap: Figure
    rule_id: str
    reason: str


@dataclass(frozen=True)
class Alternation:
    """Two procedures given in turn, `gap` days apart (published protocols)."""

    pair: frozenset[Modality]
    gap: Figure
    gap_max_days: int | None
    rule_id: str
    note: str


def precedences(
    modalities: Iterable[Modality], knowledge: KnowledgeBase, conventions: PlanningConventions
) -> list[Precedence]:
    chosen = set(modalities)
    found: list[Precedence] = []
    for rule in knowledge.sequencing.sequence:
        if rule.min_gap_weeks is not None and rule.min_gap_weeks.min is not None:
            weeks = rule.min_gap_weeks
            gap = Figure(
                math.ceil(weeks.min * DAYS_PER_WEEK),  # type: ignore[operator]
                f"published gap {weeks.describe('weeks')}",
                tuple(weeks.sources),
            )
        else:
            gap = Figure(conventions.default_gap_days, DEFAULT_GAP_POLICY)
        for first in rule.first:
            for then in rule.then:
                if first in chosen and then in chosen and first != then:
                    found.append(Precedence(first, then, gap, rule.id, rule.reason))
    return _strictest(found)


def _strictest(found: list[Precedence]) -> list[Precedence]:
    """One precedence per ordered pair: the largest gap any rule asks for."""
    best: dict[tuple[Modality, Modality], Precedence] = {}
    for item in found:
        key = (item.first, item.then)
        if key not in best or item.gap.value > best[key].gap.value:
            best[key] = item
    return list(best.values())


def alternations(modalities: Iterable[Modality], knowledge: KnowledgeBase) -> list[Alternation]:
    chosen = set(modalities)
    found = []
    for rule in knowledge.sequencing.alternation:
        if set(rule.modalities) <= chosen and rule.gap_weeks.min is not None:
            weeks = rule.gap_weeks
            found.append(
                Alternation(
                    frozenset(rule.modalities),
                    Figure(
                        math.ceil(weeks.min * DAYS_PER_WEEK),  # type: ignore[operator]
                        f"published alternation every {weeks.describe('weeks')}",
                        tuple(weeks.sources),
                    ),
                    None if weeks.max is None else math.floor(weeks.max * DAYS_PER_WEEK),
                    rule.id,
                    rule.note,
                )
            )
    return found
