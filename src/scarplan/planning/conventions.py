"""The clinic's planning conventions and the figures the plan derives from them.

Where the knowledge base has no published number (sessions, interval, downtime), the clinic's
convention fills in, and the figure's `basis` says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge.schema.common import CitedRange
from scarplan.knowledge.schema.modalities import ModalityEntry, PriceUnit

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class ClinicPrice:
    """The clinic's own price for one procedure, in the conventions' `currency`."""

    amount: Decimal
    per: PriceUnit = PriceUnit.SESSION
    """Per session, or per scar (the focal techniques)."""


@dataclass(frozen=True)
class PlanningConventions:
    """Clinic settings the planner needs; the adapter builds this from `Settings`."""

    default_gap_days: int = 14
    fallback_sessions: int = 1
    fallback_interval_weeks: int = 4
    fallback_downtime_days: int = 7
    horizon_months: int = 24
    currency: str = "USD"
    """The currency of `clinic_prices` (and of a plan without a budget)."""
    clinic_prices: Mapping[Modality, ClinicPrice] | None = None
    """The clinic's prices: they override the published estimates, procedure by procedure."""
    price_list: str = "the clinic's prices (settings)"
    """Where `clinic_prices` come from, as a session's cost basis names it."""


@dataclass(frozen=True)
class Figure:
    """A number the plan uses, and where it comes from (a published range or a convention)."""

    value: int
    basis: str
    sources: tuple[str, ...] = ()


def _upper(value: CitedRange | None) -> float | None:
    if value is None:
        return None
    return value.max if value.max is not None else value.min


def planning_downtime(entry: ModalityEntry, conventions: PlanningConventions) -> Figure:
    """The downtime the plan reserves after a session: the upper published value."""
    upper = _upper(entry.downtime_days)
    if upper is None or entry.downtime_days is None:
        days = conventions.fallback_downtime_days
        return Figure(days, "clinic convention (no published downtime)")
    basis = f"upper published downtime ({entry.downtime_days.describe('days')})"
    return Figure(math.ceil(upper), basis, tuple(entry.downtime_days.sources))
