"""What one course of a procedure means for the schedule: sessions, spacing, downtime, price.

Published figures come from the knowledge base; where it has none, the clinic's planning
conventions (settings `fallback_*`) fill in and every such value says so in its `basis`.
A clinic's own price replaces the published estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from scarplan.domain.case import Money
from scarplan.domain.vocabulary import Modality, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import ModalityEntry, PlanRole, PriceUnit
from scarplan.planning.conventions import (
    DAYS_PER_WEEK,
    Figure,
    PlanningConventions,
    planning_downtime,
)
from scarplan.planning.recommend import Recommendation, ScarLoad


@dataclass(frozen=True)
class SessionPrice:
    """The price of one session: the amount planned (upper estimate) and its range."""

    amount: Decimal
    low: Decimal
    high: Decimal | None
    currency: str
    basis: str
    sources: tuple[str, ...] = ()

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


@dataclass(frozen=True)
class CourseSpec:
    """One procedure as the schedule sees it."""

    modality: Modality
    role: PlanRole
    targets: tuple[ScarType, ...]
    regions: tuple[Region, ...]
    value: int
    """Recommendation score in thousandths: what the course is worth to this patient."""
    sessions: Figure
    sessions_published: str
    interval_min_days: Figure
    interval_max_days: int | None
    downtime: Figure
    price: SessionPrice | None
    price_note: str
    lesion_groups: tuple[int, ...] = ()
    """The assessed lesion groups this course treats (indices in the assessment)."""


def _sessions(entry: ModalityEntry, conventions: PlanningConventions) -> tuple[Figure, str]:
    published = entry.sessions
    if published is None or published.min is None:
        n = conventions.fallback_sessions
        return Figure(n, "clinic convention (no published course length)"), "not published"
    if published.usual is not None:
        # A course is the typical published course, not the shortest anyone reported.
        count = max(1, math.ceil(published.usual))
        basis = (
            f"typical published course of {count} (published {published.describe('sessions')}); "
            "re-assess after it"
        )
    else:
        count = max(1, math.ceil(published.min))
        basis = f"published minimum course ({published.describe('sessions')}); re-assess after it"
    return Figure(count, basis, tuple(published.sources)), published.describe()


def _interval(entry: ModalityEntry, conventions: PlanningConventions) -> tuple[Figure, int | None]:
    published = entry.interval_weeks
    if published is None or published.min is None:
        days = conventions.fallback_interval_weeks * DAYS_PER_WEEK
        return Figure(days, "clinic convention (no published interval)"), None
    low = math.ceil(published.min * DAYS_PER_WEEK)
    high = None if published.max is None else math.floor(published.max * DAYS_PER_WEEK)
    basis = f"published interval {published.describe('weeks')}"
    if published.usual is not None:
        # Plan at the spacing most series use, not the shortest anyone reported.
        low = math.ceil(published.usual * DAYS_PER_WEEK)
        basis = f"usual interval {published.usual:g} weeks (published {published.describe()})"
    return Figure(low, basis, tuple(published.sources)), high


@dataclass(frozen=True)
class CourseScope:
    """What one course treats in this plan, and what it is worth (its rank)."""

    targets: tuple[ScarType, ...]
    regions: tuple[Region, ...]
    lesion_groups: tuple[int, ...]
    scars: int | None
    """Scars treated one by one (priced per scar); None: all scars of the targets."""
    value: int


def _scars_treated(targets: tuple[ScarType, ...], load: ScarLoad, scars: int | None) -> int:
    return scars if scars is not None else sum(load.counts.get(t, 0) for t in targets)


def session_price(
    modality: Modality,
    scars: int | None,
    targets: tuple[ScarType, ...],
    load: ScarLoad,
    knowledge: KnowledgeBase,
    conventions: PlanningConventions,
    plan_currency: str,
) -> tuple[SessionPrice | None, str]:
    """The planned price of one session in `plan_currency`, or None with the reason."""
    clinic = (conventions.clinic_prices or {}).get(modality)
    if clinic is not None:
        if conventions.currency != plan_currency:
            return None, (
                f"the clinic price is in {conventions.currency}, the plan in {plan_currency}"
            )
        return SessionPrice(clinic, clinic, clinic, plan_currency, "clinic price"), ""
    estimate = knowledge.prices.get(modality)
    if estimate is None:
        return None, "no published price: set the clinic's price (SCARPLAN_PRICES)"
    if estimate.currency != plan_currency:
        return (
            None,
            f"the published estimate is in {estimate.currency}, the plan in {plan_currency}",
        )
    factor = Decimal(1)
    unit = "per session"
    if estimate.per is PriceUnit.SCAR:
        factor = Decimal(_scars_treated(targets, load, scars))
        unit = f"per scar x {factor} scars"
    elif estimate.per is PriceUnit.SYRINGE:
        return None, "the published estimate is per syringe; set a clinic price per session"
    low = _money(estimate.min) * factor
    high = None if estimate.max is None else _money(estimate.max) * factor
    amount = high if high is not None else low
    bound = "upper" if estimate.max is not None else "lower-bound-only"
    basis = f"{bound} published estimate {estimate.year} ({unit})"
    return SessionPrice(amount, low, high, plan_currency, basis, tuple(estimate.sources)), ""


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def course_spec(
    recommendation: Recommendation,
    treats: CourseScope,
    load: ScarLoad,
    knowledge: KnowledgeBase,
    conventions: PlanningConventions,
    plan_currency: str,
) -> CourseSpec:
    modality = recommendation.modality
    entry = knowledge.modalities[modality]
    sessions, published = _sessions(entry, conventions)
    interval_min, interval_max = _interval(entry, conventions)
    price, price_note = session_price(
        modality, treats.scars, treats.targets, load, knowledge, conventions, plan_currency
    )
    return CourseSpec(
        modality=modality,
        role=entry.plan_role,
        targets=treats.targets,
        regions=treats.regions,
        lesion_groups=treats.lesion_groups,
        value=treats.value,
        sessions=sessions,
        sessions_published=published,
        interval_min_days=interval_min,
        interval_max_days=interval_max,
        downtime=planning_downtime(entry, conventions),
        price=price,
        price_note=price_note,
    )
