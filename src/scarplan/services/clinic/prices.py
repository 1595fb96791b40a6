"""The clinic's own price list, in versions: currency and a price per procedure.

Each save adds a version (ClinicPriceListRecord) with who saved it, when and why; the newest is
in force and none is lost. Planning (services/clinic/plans.propose_plan) uses the newest version
in place of settings `prices`; any procedure it leaves out keeps its published estimate
(docs/planning.md). Only the admin role manages prices (`prices.manage`), and every save is in
the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
from scarplan.services.clinic.access import Permission, authorize
from scarplan.services.clinic.context import Actor, Clinic
from scarplan.services.clinic.inputs import has_nul, validated
from scarplan.services.planning import ClinicPriceList

HISTORY = 50


class PriceListVersion(BaseModel):
    """One saved version of the clinic's price list."""

    model_config = ConfigDict(frozen=True)

    version: int
    price_list: PriceList
    reason: str
    created_at: datetime
    created_by: str | None = Field(description="The user who saved it (null: user removed).")
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

    current: PriceListVersion | None
    history: list[PriceListVersion]
    estimates: list[PublishedEstimate]
    fallback_currency: str = Field(description="Settings `currency` (used before any version).")
    fallback_prices: dict[Modality, float] = Field(
        description="Settings `prices` (per session): the clinic's prices before any version."
    )


@dataclass(frozen=True)
class NewPriceList:
    price_list: PriceList
    reason: str


def clinic_price_list(session: Session) -> ClinicPriceList | None:
    """The price list in force for planning, or None when no version was saved."""
    record = session.scalars(
        select(ClinicPriceListRecord).order_by(ClinicPriceListRecord.id.desc()).limit(1)
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
    return PricesPage(
        current=history[0] if history else None,
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


def checked_price_list(raw: Any, reason: str) -> NewPriceList:
    """A price list as entered, or InputError naming each field."""
    return NewPriceList(validated(PriceList, raw, "price list"), _reason(reason))


def save_price_list(clinic: Clinic, actor: Actor, raw: Any, reason: str) -> PriceListVersion:
    """Save a new version of the clinic's price list; it is in force for plans made from now."""
    authorize(actor, Permission.MANAGE_PRICES)
    entered = checked_price_list(raw, reason)
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
        {"currency": record.currency, "procedures": len(record.prices)},
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
