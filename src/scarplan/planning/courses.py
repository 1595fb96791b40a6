"""What one course of a procedure means for the schedule: sessions, spacing, downtime, price.

Published figures come from the knowledge base; where it has none, the clinic's planning
conventions (settings `fallback_*`) fill in and every such value says so in its `basis`.
Every session has a price: the clinic's own (its price list), else the published estimate, whose
range is kept and whose upper end is planned. A procedure is never counted as free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from scarplan.domain.case import Money
from scarplan.domain.vocabulary import Modality, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import (
    PER_PRODUCT,
    ModalityEntry,
    PlanRole,
    PriceEstimate,
    PriceUnit,
)
from scarplan.planning.conventions import (
    DAYS_PER_WEEK,
    ClinicPrice,
    Figure,
    PlanningConventions,
    planning_downtime,
)
from scarplan.planning.recommend import Recommendation, ScarLoad


class PriceSource(StrEnum):
    """Where a session's price comes from."""

    CLINIC = "clinic"
    PUBLISHED_ESTIMATE = "published_estimate"


@dataclass(frozen=True)
class SessionPrice:
    """The price of one session: the amount planned and its range.

    A clinic price is one figure (`low == high == amount`); a published estimate keeps its
    range and plans its upper end (`amount == high`), which is what the budget check counts.
    """

    amount: Decimal
    low: Decimal
    high: Decimal
    currency: str
    source: PriceSource
    basis: str
    sources: tuple[str, ...] = ()

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def is_estimate(self) -> bool:
        return self.source is PriceSource.PUBLISHED_ESTIMATE


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
    price: SessionPrice
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


def course_figures(
    entry: ModalityEntry, conventions: PlanningConventions
) -> tuple[Figure, str, Figure, int | None]:
    """A procedure's planned course as the planner books it: sessions (with the published
    range in words) and the days between sessions (with the published maximum)."""
    sessions, published = _sessions(entry, conventions)
    interval, interval_max = _interval(entry, conventions)
    return sessions, published, interval, interval_max


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
) -> SessionPrice:
    """The price of one session, in the currency of the price it comes from: the clinic's
    price for the procedure, else its published estimate (every procedure has one: the
    knowledge base refuses to load without it). Per-scar prices are multiplied by the scars
    the course's lesion groups hold (`scars`), or all scars of its target types."""
    clinic = (conventions.clinic_prices or {}).get(modality)
    if clinic is not None:
        return _clinic_price(clinic, scars, targets, load, conventions)
    return _estimate_price(knowledge.prices[modality], scars, targets, load)


def _clinic_price(
    clinic: ClinicPrice,
    scars: int | None,
    targets: tuple[ScarType, ...],
    load: ScarLoad,
    conventions: PlanningConventions,
) -> SessionPrice:
    factor, unit = Decimal(1), "per session"
    if clinic.per is PriceUnit.SCAR:
        count = _scars_treated(targets, load, scars)
        factor, unit = Decimal(count), f"per scar x {count} scars"
    amount = _money(float(clinic.amount)) * factor
    basis = f"{conventions.price_list} ({unit})"
    return SessionPrice(amount, amount, amount, conventions.currency, PriceSource.CLINIC, basis)


def _estimate_price(
    estimate: PriceEstimate,
    scars: int | None,
    targets: tuple[ScarType, ...],
    load: ScarLoad,
) -> SessionPrice:
    factor, unit = Decimal(1), "per session"
    if estimate.per is PriceUnit.SCAR:
        count = _scars_treated(targets, load, scars)
        factor, unit = Decimal(count), f"per scar x {count} scars"
    elif estimate.per in PER_PRODUCT and estimate.units_per_session is not None:
        published = estimate.units_per_session
        per_session = published.max if published.max is not None else published.min
        count = math.ceil(per_session or 1)
        factor, unit = Decimal(count), f"per {estimate.per.value} x {count} a session"
    low = _money(estimate.min) * factor
    high = low if estimate.max is None else _money(estimate.max) * factor
    bound = "upper end of the" if estimate.max is not None else "lower bound only of the"
    basis = (
        f"{bound} published estimate {estimate.currency} {_figure(estimate)} "
        f"({estimate.year}, {unit})"
    )
    return SessionPrice(
        high,
        low,
        high,
        estimate.currency,
        PriceSource.PUBLISHED_ESTIMATE,
        basis,
        tuple(estimate.sources),
    )


def _figure(estimate: PriceEstimate) -> str:
    if estimate.max is None or estimate.max == estimate.min:
        return f"{estimate.min:,.0f}"
    return f"{estimate.min:,.0f}-{estimate.max:,.0f}"


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def course_spec(
    recommendation: Recommendation,
    treats: CourseScope,
    load: ScarLoad,
    knowledge: KnowledgeBase,
    conventions: PlanningConventions,
) -> CourseSpec:
    modality = recommendation.modality
    entry = knowledge.modalities[modality]
    sessions, published = _sessions(entry, conventions)
    interval_min, interval_max = _interval(entry, conventions)
    price = session_price(modality, treats.scars, treats.targets, load, knowledge, conventions)
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
    )
