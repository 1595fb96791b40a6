"""The clinic's own price list: one currency, a price per procedure (per session, or per scar
for the focal techniques). It overrides the published estimates procedure by procedure; a
procedure it leaves out keeps its published estimate. Stored in versions by the clinic service
(services/clinic/plans/prices.py); the CLI, which has no database, uses settings `prices`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scarplan.domain.currencies import ISO_4217
from scarplan.domain.vocabulary import Modality
from scarplan.knowledge.schema.modalities import PriceUnit
from scarplan.planning.conventions import ClinicPrice

FOCAL = frozenset(
    {
        Modality.TCA_CROSS,
        Modality.PUNCH_EXCISION,
        Modality.PUNCH_ELEVATION,
        Modality.PUNCH_GRAFTING,
    }
)
"""Techniques that treat scars one by one: the only ones a clinic may price per scar."""
MAX_PRICE = 1_000_000
CENT = Decimal("0.01")


class PriceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Annotated[Decimal, Field(gt=0, le=MAX_PRICE, max_digits=12, decimal_places=2)]
    per: PriceUnit = PriceUnit.SESSION

    @field_validator("amount")
    @classmethod
    def _cents(cls, value: Decimal) -> Decimal:
        return value.quantize(CENT)


class PriceList(BaseModel):
    """A version of the clinic's price list, as stored and as the API reads and writes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD.")
    prices: dict[Modality, PriceEntry] = Field(
        description="Price per procedure id: per session, or per scar for the focal techniques."
    )

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in ISO_4217:
            raise ValueError(
                f"{value} is not a currency code of ISO 4217: choose one such as USD, EUR or GBP"
            )
        return value

    @model_validator(mode="after")
    def _units(self) -> Self:
        for modality, entry in self.prices.items():
            if entry.per is PriceUnit.SCAR and modality not in FOCAL:
                raise ValueError(
                    f"{modality.value}: only the focal techniques (TCA CROSS, punch techniques) "
                    "may be priced per scar"
                )
            if entry.per not in (PriceUnit.SESSION, PriceUnit.SCAR):
                raise ValueError(f"{modality.value}: price per session or per scar")
        return self

    def clinic_prices(self) -> dict[Modality, ClinicPrice]:
        return {m: ClinicPrice(e.amount, e.per) for m, e in self.prices.items()}

    @property
    def complete(self) -> bool:
        return set(self.prices) == set(Modality)
