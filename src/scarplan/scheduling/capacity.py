"""Per-day capacity rows: what the sessions booked on a day can need at most (Hall's condition).

Sessions that can only use a set of resource time (practitioners' hours inside their patients'
hours; a device; a room) cannot together take more slots than that set holds. For each day and
each kind of resource, one row per distinct access set bounds the sessions whose access lies
inside it, and one row bounds them all. Every schedule meets these rows, so a solver that keeps
to them solves a relaxation: its bounds hold for the real problem (docs/scheduling.md). Whether
the booked sessions also fit in time is settled day by day afterwards (`timing.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scarplan.scheduling.jobs import Access, Prepared, covers, length, union

KINDS = ("practitioners", "devices", "rooms")


@dataclass(frozen=True)
class Row:
    day: int
    supply: int
    """Slots available to the row's sessions."""


@dataclass
class Capacity:
    rows: list[Row] = field(default_factory=list)
    option_rows: list[list[tuple[int, ...]]] = field(default_factory=list)
    """Per job and option, the rows that booking it counts in."""

    def rows_of(self, j: int, k: int) -> tuple[int, ...]:
        return self.option_rows[j][k]


class Loads:
    """Slots booked in each row, to test whether one more booking fits."""

    def __init__(self, prepared: Prepared, capacity: Capacity) -> None:
        self.slots = [job.slots for job in prepared.jobs]
        self.capacity = capacity
        self.supply = [row.supply for row in capacity.rows]
        self.used = [0] * len(capacity.rows)

    def fits(self, j: int, k: int) -> bool:
        slots, used, supply = self.slots[j], self.used, self.supply
        return all(used[r] + slots <= supply[r] for r in self.capacity.option_rows[j][k])

    def add(self, j: int, k: int, sign: int = 1) -> None:
        slots = sign * self.slots[j]
        for r in self.capacity.option_rows[j][k]:
            self.used[r] += slots


def _inside(inner: Access, outer: Access) -> bool:
    outer_windows = dict(outer)
    return all(r in outer_windows and covers(outer_windows[r], w) for r, w in inner)


def _supply(accesses: Iterable[Access]) -> int:
    windows: dict[str, list[tuple[int, int]]] = {}
    for access in accesses:
        for resource, pieces in access:
            windows.setdefault(resource, []).extend(pieces)
    return sum(length(union(pieces)) for pieces in windows.values())


def _add_rows(
    capacity: Capacity,
    by_access: dict[tuple[int, str, Access], list[int]],
    day: int,
    kind: str,
    demand: dict[Access, int],
) -> None:
    """Rows for one day and one resource kind; `demand` is the most slots each access may see."""
    accesses = list(demand)
    groups: dict[frozenset[Access], int] = {}
    for outer in accesses:
        inside = frozenset(a for a in accesses if a == outer or _inside(a, outer))
        supply = _supply([outer])
        groups[inside] = min(groups.get(inside, supply), supply)
    everything = frozenset(accesses)
    if everything not in groups:
        groups[everything] = _supply(accesses)
    for members, supply in groups.items():
        if sum(demand[a] for a in members) <= supply:
            continue  # can never bind
        row = len(capacity.rows)
        capacity.rows.append(Row(day, supply))
        for access in members:
            by_access.setdefault((day, kind, access), []).append(row)


def capacity_rows(prepared: Prepared) -> Capacity:
    demand: dict[tuple[int, str], dict[Access, int]] = {}
    for job, options in zip(prepared.jobs, prepared.options, strict=True):
        for option in options:
            for kind in KINDS:
                access: Access = getattr(option.placement, kind)
                if access:
                    by_access = demand.setdefault((option.day, kind), {})
                    by_access[access] = by_access.get(access, 0) + job.slots
    capacity = Capacity()
    rows_by_access: dict[tuple[int, str, Access], list[int]] = {}
    for (day, kind), by_access in sorted(demand.items()):
        _add_rows(capacity, rows_by_access, day, kind, by_access)
    capacity.option_rows = [
        [
            tuple(
                r
                for kind in KINDS
                for r in rows_by_access.get((o.day, kind, getattr(o.placement, kind)), ())
            )
            for o in options
        ]
        for options in prepared.options
    ]
    return capacity
