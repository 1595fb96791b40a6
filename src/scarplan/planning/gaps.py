"""The one rule for the days allowed between any two sessions of a plan.

The planner's solver, a clinician's plan edit and the clinic calendar all ask this module:
- two sessions of one procedure: at least its interval and its downtime, at most its published
  maximum (wider when it alternates with another procedure, which needs room in between);
- two different procedures with a published order: the later one waits for the earlier one's
  whole course (or only its first session, where the rule says so) plus the rule's gap;
- any other pair: the clinic's default gap;
and never a session before the previous session's downtime is over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge.schema.rules import SequenceAnchor

DEFAULT_GAP_RULE = "default_gap_between_modalities_days"


@dataclass(frozen=True)
class CourseTiming:
    """What the gap rule needs of one course."""

    interval_min_days: int
    interval_max_days: int | None
    downtime_days: int
    basis: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Order:
    """`then` waits for `first` (its whole course, or its first session), `gap_days` after."""

    first: Modality
    then: Modality
    gap_days: int
    rule_id: str
    reason: str
    sources: tuple[str, ...] = ()
    after: SequenceAnchor = SequenceAnchor.COURSE
    basis: str = ""


@dataclass(frozen=True)
class Turn:
    """Two procedures given in turn, `gap_days` apart (published protocols)."""

    pair: frozenset[Modality]
    gap_days: int
    gap_max_days: int | None
    rule_id: str
    sources: tuple[str, ...] = ()
    note: str = ""
    basis: str = ""


@dataclass(frozen=True)
class Gap:
    """Days allowed from one session to the next, and the rule that says so."""

    min_days: int
    max_days: int | None
    rule: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Breach:
    """A pair of sessions closer (or further) than the rule allows."""

    earlier: tuple[date, Modality]
    later: tuple[date, Modality]
    gap: Gap
    text: str
    too_far: bool = False
    """Further apart than a published maximum (the trials' spacing), not closer than healing
    or out of order."""


@dataclass(frozen=True)
class GapRules:
    courses: Mapping[Modality, CourseTiming]
    orders: Sequence[Order] = ()
    turns: Sequence[Turn] = ()
    default_gap_days: int = 14
    _orders: Mapping[tuple[Modality, Modality], Order] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_orders", {(o.first, o.then): o for o in self.orders})

    def order(self, first: Modality, then: Modality) -> Order | None:
        return self._orders.get((first, then))

    def turn(self, a: Modality, b: Modality) -> Turn | None:
        return next((t for t in self.turns if t.pair == frozenset({a, b})), None)

    def _downtime(self, modality: Modality) -> int:
        course = self.courses.get(modality)
        return course.downtime_days if course else 0

    def same(self, modality: Modality, alternating: bool = False) -> Gap:
        """Between two consecutive sessions of one procedure."""
        course = self.courses.get(modality)
        if course is None:
            return Gap(self.default_gap_days, None, DEFAULT_GAP_RULE)
        low = max(course.interval_min_days, course.downtime_days)
        high = course.interval_max_days
        rule = f"{modality.value} interval ({course.basis})" if course.basis else "interval"
        if high is not None:
            high = max(high, low)
            if alternating:
                widest = max(
                    (t.gap_max_days or t.gap_days for t in self.turns if modality in t.pair),
                    default=0,
                )
                high = max(high, 2 * widest)
        return Gap(low, high, rule, course.sources)

    def between(self, earlier: Modality, later: Modality) -> Gap:
        """From a session of `earlier` to a later session of a different procedure."""
        rule = self.order(earlier, later)
        turn = self.turn(earlier, later)
        if rule is not None:
            gap = Gap(rule.gap_days, None, rule.rule_id, rule.sources)
        elif turn is not None:
            gap = Gap(turn.gap_days, None, turn.rule_id, turn.sources)
        else:
            gap = Gap(self.default_gap_days, None, DEFAULT_GAP_RULE)
        downtime = self._downtime(earlier)
        if downtime > gap.min_days:
            return Gap(downtime, None, f"{earlier.value} downtime", gap.sources)
        return gap

    def breaches(self, sessions: Iterable[tuple[date, Modality]]) -> list[Breach]:
        """Every pair of sessions that breaks the rule, in date order."""
        ordered = sorted(sessions, key=lambda s: (s[0], s[1].value))
        found: list[Breach] = []
        in_plan = {m for _, m in ordered}
        for modality in in_plan:
            days = [d for d, m in ordered if m == modality]
            alternating = any(self.turn(modality, o) for o in in_plan if o != modality)
            gap = self.same(modality, alternating)
            for before, after in pairwise(days):
                found.extend(_check((before, modality), (after, modality), gap))
        for i, (day_a, first) in enumerate(ordered):
            for day_b, second in ordered[i + 1 :]:
                if first != second:
                    found.extend(self._pair(ordered, (day_a, first), (day_b, second)))
        return sorted(found, key=lambda x: (x.later[0], x.earlier[0]))

    def _pair(
        self,
        ordered: Sequence[tuple[date, Modality]],
        first: tuple[date, Modality],
        second: tuple[date, Modality],
    ) -> list[Breach]:
        (day_a, a), (day_b, b) = first, second
        backwards = self.order(b, a)
        if backwards is not None and _bound_by(backwards, ordered, first, second):
            gap = Gap(backwards.gap_days, None, backwards.rule_id, backwards.sources)
            text = (
                f"{a.value} on {day_a} comes before {b.value} on {day_b}, but {backwards.reason}"
                if backwards.reason
                else f"{b.value} must come before {a.value}"
            )
            return [Breach(first, second, gap, text)]
        forwards = self.order(a, b)
        if forwards is not None and not _bound_by(forwards, ordered, first, second):
            # Only the first session of `a` must precede `b`: later pairs just keep apart.
            return _check(first, second, self.loose(a, b))
        return _check(first, second, self.between(a, b))

    def loose(self, a: Modality, b: Modality) -> Gap:
        """After the first session of a first-session order, the two just keep apart."""
        downtime = self._downtime(a)
        if downtime > self.default_gap_days:
            return Gap(downtime, None, f"{a.value} downtime")
        return Gap(self.default_gap_days, None, DEFAULT_GAP_RULE)


def _bound_by(
    rule: Order,
    ordered: Sequence[tuple[date, Modality]],
    first_of_pair: tuple[date, Modality],
    second_of_pair: tuple[date, Modality],
) -> bool:
    """Does the order rule bind this pair of sessions (one of rule.first, one of rule.then)?"""
    if rule.after is SequenceAnchor.COURSE:
        return True
    opener = min((d for d, m in ordered if m == rule.first), default=None)
    ours = first_of_pair if first_of_pair[1] == rule.first else second_of_pair
    return ours[0] == opener


def _check(earlier: tuple[date, Modality], later: tuple[date, Modality], gap: Gap) -> list[Breach]:
    days = (later[0] - earlier[0]).days
    if days < gap.min_days:
        return [
            Breach(
                earlier,
                later,
                gap,
                f"{later[1].value} on {later[0]} is {days} days after {earlier[1].value} on "
                f"{earlier[0]}; the rule ({gap.rule}) asks for at least {gap.min_days} days",
            )
        ]
    if gap.max_days is not None and days > gap.max_days:
        return [
            Breach(
                earlier,
                later,
                gap,
                f"{later[1].value} on {later[0]} is {days} days after the previous session on "
                f"{earlier[0]}; the rule ({gap.rule}) allows at most {gap.max_days} days",
                too_far=True,
            )
        ]
    return []
