"""The clinic's price list: the version in force with its history, and saving a new version."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from scarplan.domain.vocabulary import Modality
from scarplan.entrypoints.web.api.common import ERRORS, PREFIX
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.planning.price_list import PriceEntry
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.plans import prices

router = APIRouter(
    prefix=PREFIX,
    tags=["prices"],
    responses={**ERRORS, 403: ERRORS[401]},
    dependencies=[require(Permission.MANAGE_PRICES)],
)


class NewPriceListBody(BaseModel):
    """A new version of the clinic's price list; it prices the plans made from now on."""

    model_config = ConfigDict(extra="forbid")

    currency: str = Field(description="ISO 4217 code of every price, e.g. USD.")
    prices: dict[Modality, PriceEntry] = Field(
        description=(
            "Price per procedure id: `amount` per session, or per scar (`per: scar`) for the "
            "focal techniques. A procedure left out keeps its published estimate."
        )
    )
    reason: str = Field(description="Why the prices change (3 to 300 characters).")
    valid_from: date | None = Field(
        None,
        description="The first day these prices price the plans proposed (today or later, "
        "within two years); omitted: today. A plan proposed on day D uses the version valid "
        "on D.",
    )


@router.get("/prices")
def read_prices(clinic: ClinicDep, actor: ActorDep) -> prices.PricesPage:
    """The version in force (`current`, null before the first save), the saved versions newest
    first (`history`), and the published estimate of every procedure (`estimates`)."""
    return prices.read_prices(clinic, actor)


@router.post("/prices", status_code=201)
def save_prices(
    clinic: ClinicDep, actor: ActorDep, entered: NewPriceListBody
) -> prices.PriceListVersion:
    """Save a new version of the clinic's price list (kept with who saved it, when and why)."""
    raw = entered.model_dump(mode="json", include={"currency", "prices"})
    return prices.save_price_list(clinic, actor, raw, entered.reason, entered.valid_from)
