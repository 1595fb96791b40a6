"""The clinic's own price list, in versions: currency, a price per procedure, valid from a day.

Each save adds a version (ClinicPriceListRecord) with who saved it, when, why and the first day
it prices plans; none is lost. A plan proposed on day D uses the version valid on D: the one
with the latest `valid_from` on or before D (the later saved of two from the same day).
Planning (services/clinic/plans/plans.propose_plan) uses it in place of settings `prices`; any
procedure it leaves out keeps its published estimate (docs/planning.md). Only the admin role
manages prices (`prices.manage`), and every save is in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import ClinicPriceListRecord, User
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.price_list import PriceList
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import has_nul, validated
from scarplan.services.planning import ClinicPriceList

HISTORY = 50
MAX_DAYS_AHEAD = 731
"""A version may come into force up to two years ahead."""


class PriceListVersion(BaseModel):
    """One saved version of the clinic's price list."""

    model_config = ConfigDict(frozen=True)

    version: int
    price_list: PriceList
    reason: str
    created_at: datetime
    created_by: str | None = Field(description="The user who saved it (null: user removed).")
    valid_from: date = Field(description="The first day it prices the plans proposed.")
    complete: bool = Field(description="Whether it prices every procedure.")


class PublishedEstimate(BaseModel):
    """The knowledge base's published estimate for one procedure, shown beside the clinic's."""

    model_config = ConfigDict(frozen=True)

    modality: Modality
    min: Decimal
    max: Decimal | None
    currency: str
    per: str
    year: int
    sources: list[str]


class PricesPage(BaseModel):
    """The price list in force, its history (newest first) and the published estimates."""

    model_config = ConfigDict(frozen=True)

    current: PriceListVersion | None = Field(description="The version in force today.")
    upcoming: list[PriceListVersion] = Field(
        default_factory=list, description="Versions valid from a later day, soonest first."
    )
    history: list[PriceListVersion] = Field(description="Every version, newest saved first.")
    estimates: list[PublishedEstimate]
    fallback_currency: str = Field(description="Settings `currency` (used before any version).")
    fallback_prices: dict[Modality, float] = Field(
        description="Settings `prices` (per session): the clinic's prices before any version."
    )


@dataclass(frozen=True)
class NewPriceList:
    price_list: PriceList
    reason: str
    valid_from: date


def clinic_price_list(session: Session, day: date) -> ClinicPriceList | None:
    """The price list valid on `day` (the plan's day), or None when no version is valid yet."""
    record = session.scalars(
        select(ClinicPriceListRecord)
        .where(ClinicPriceListRecord.valid_from <= day)
        .order_by(ClinicPriceListRecord.valid_from.desc(), ClinicPriceListRecord.id.desc())
        .limit(1)
    ).first()
    if record is None:
        return None
    return ClinicPriceList(record.id, _price_list(record))


def read_prices(clinic: Clinic, actor: Actor) -> PricesPage:
    authorize(actor, Permission.MANAGE_PRICES)
    with clinic.uow.read() as session:
        rows = session.execute(
            select(ClinicPriceListRecord, User.username)
            .outerjoin(User, User.id == ClinicPriceListRecord.created_by)
            .order_by(ClinicPriceListRecord.id.desc())
            .limit(HISTORY)
        ).all()
        history = [_version(record, username) for record, username in rows]
        in_force = clinic_price_list(session, clinic.today())
    today = clinic.today()
    upcoming = sorted(
        (v for v in history if v.valid_from > today), key=lambda v: (v.valid_from, v.version)
    )
    return PricesPage(
        current=next((v for v in history if in_force and v.version == in_force.version), None),
        upcoming=upcoming,
        history=history,
        estimates=published_estimates(clinic.knowledge),
        fallback_currency=clinic.settings.currency,
        fallback_prices=dict(clinic.settings.prices),
    )


def published_estimates(knowledge: KnowledgeBase) -> list[PublishedEstimate]:
    return [
        PublishedEstimate(
            modality=m,
            min=Decimal(str(p.min)),
            max=None if p.max is None else Decimal(str(p.max)),
            currency=p.currency,
            per=p.per.value,
            year=p.year,
            sources=list(p.sources),
        )
        for m in Modality
        if (p := knowledge.prices.get(m)) is not None
    ]


def checked_price_list(
    raw: Any, reason: str, today: date, valid_from: date | None = None
) -> NewPriceList:
    """A price list as entered, or InputError naming each field. `valid_from` (default
    `today`) may not lie in the past: a plan already made keeps the prices of its day."""
    price_list = validated(PriceList, raw, "price list")
    stated = _reason(reason)
    start = valid_from or today
    if start < today:
        raise InputError(
            "the prices cannot start in the past",
            [
                FieldProblem(
                    "valid_from",
                    f"{start.isoformat()} is before today ({today.isoformat()})",
                    "choose today or a later day: plans already made keep their prices",
                )
            ],
        )
    if start > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InputError(
            "the prices start too far ahead",
            [
                FieldProblem(
                    "valid_from",
                    f"{start.isoformat()} is more than two years ahead",
                    "choose a day within the next two years",
                )
            ],
        )
    return NewPriceList(price_list, stated, start)


def save_price_list(
    clinic: Clinic, actor: Actor, raw: Any, reason: str, valid_from: date | None = None
) -> PriceListVersion:
    """Save a new version of the clinic's price list, pricing the plans proposed from
    `valid_from` (default: today) until a later version comes into force."""
    authorize(actor, Permission.MANAGE_PRICES)
    entered = checked_price_list(raw, reason, clinic.today(), valid_from)
    with clinic.uow.write() as session:
        return add_version(session, clinic, actor, entered)


def add_version(
    session: Session, clinic: Clinic, actor: Actor, entered: NewPriceList
) -> PriceListVersion:
    record = ClinicPriceListRecord(
        currency=entered.price_list.currency,
        prices=entered.price_list.model_dump(mode="json")["prices"],
        reason=entered.reason,
        created_at=clinic.now(),
        created_by=actor.user_id,
        valid_from=entered.valid_from,
    )
    session.add(record)
    session.flush()
    clinic.audit.changed(
        session,
        actor,
        "update",
        "price_list",
        record.id,
        None,
        {
            "currency": record.currency,
            "procedures": len(record.prices),
            "valid_from": record.valid_from.isoformat(),
        },
    )
    return _version(record, actor.username)


def _version(record: ClinicPriceListRecord, username: str | None) -> PriceListVersion:
    prices = _price_list(record)
    return PriceListVersion(
        version=record.id,
        price_list=prices,
        reason=record.reason,
        created_at=record.created_at,
        created_by=username,
        valid_from=record.valid_from,
        complete=prices.complete,
    )


def _price_list(record: ClinicPriceListRecord) -> PriceList:
    return PriceList.model_validate({"currency": record.currency, "prices": record.prices})


def _reason(reason: str) -> str:
    stated = reason.strip()
    if not 3 <= len(stated) <= 300 or has_nul(stated):
        raise InputError(
            "the change needs a reason",
            [
                FieldProblem(
                    "reason", "must be 3 to 300 characters", "say why, e.g. 'new laser prices'"
                )
            ],
        )
    return stated
