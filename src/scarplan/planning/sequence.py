"""How two different procedures in one plan relate: order and the healing gap between them.

The rules come from sequencing.yaml. A published order with a published gap uses that gap;
an order without one, and any pair without a rule, use the clinic's default gap
(`default_gap_between_modalities_days`). `planning.gaps` applies them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.conventions import DAYS_PER_WEEK, PlanningConventions
from scarplan.planning.gaps import Order, Turn

DEFAULT_GAP_POLICY = "clinic policy default_gap_between_modalities_days"


def orders(
    modalities: Iterable[Modality], knowledge: KnowledgeBase, conventions: PlanningConventions
) -> list[Order]:
    """The order rules between the given procedures; one per ordered pair, the strictest."""
    chosen = set(modalities)
    found: list[Order] = []
    for rule in knowledge.sequencing.sequence:
        weeks = rule.min_gap_weeks
        if weeks is not None and weeks.min is not None:
            days = math.ceil(weeks.min * DAYS_PER_WEEK)
            basis = f"published gap {weeks.describe('weeks')}"
            sources = tuple(weeks.sources)
        else:
            days, basis, sources = conventions.default_gap_days, DEFAULT_GAP_POLICY, ()
        for first in rule.first:
            for then in rule.then:
                if first in chosen and then in chosen and first != then:
                    found.append(
                        Order(
                            first,
                            then,
                            days,
                            rule.id,
                            rule.reason,
                            sources or tuple(rule.sources),
                            rule.after,
                            basis,
                        )
                    )
    return _strictest(found)


def _strictest(found: list[Order]) -> list[Order]:
    """One rule per ordered pair: a whole-course wait beats a first-session one, then the
    largest gap."""
    best: dict[tuple[Modality, Modality], Order] = {}
    for item in found:
        key = (item.first, item.then)
        current = best.get(key)
        if current is None or _strength(item) > _strength(current):
            best[key] = item
    return list(best.values())


def _strength(order: Order) -> tuple[int, int]:
    return (1 if order.after.value == "course" else 0, order.gap_days)


def turns(modalities: Iterable[Modality], knowledge: KnowledgeBase) -> list[Turn]:
    chosen = set(modalities)
    found = []
    for rule in knowledge.sequencing.alternation:
        weeks = rule.gap_weeks
        if set(rule.modalities) <= chosen and weeks.min is not None:
            found.append(
                Turn(
                    frozenset(rule.modalities),
                    math.ceil(weeks.min * DAYS_PER_WEEK),
                    None if weeks.max is None else math.floor(weeks.max * DAYS_PER_WEEK),
                    rule.id,
                    tuple(weeks.sources),
                    rule.note,
                    f"published alternation every {weeks.describe('weeks')}",
                )
            )
    return found
