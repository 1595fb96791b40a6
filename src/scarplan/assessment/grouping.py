"""Grouping typed lesion groups by a key (scale category, ECCA item, region)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from scarplan.assessment.results import TypedLesion

K = TypeVar("K")


def group_lesions(
    lesions: Iterable[TypedLesion], key: Callable[[TypedLesion], K]
) -> dict[K, list[TypedLesion]]:
    """Lesions by key, each group in input order; keys in first-seen order."""
    groups: dict[K, list[TypedLesion]] = defaultdict(list)
    for lesion in lesions:
        groups[key(lesion)].append(lesion)
    return dict(groups)


def total_count(lesions: Sequence[TypedLesion]) -> int:
    return sum(lesion.lesion.count for lesion in lesions)
