"""modalities.yaml: every procedure in the shared vocabulary, with its published numbers."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from scarplan.domain.vocabulary import Fitzpatrick, Modality, ScarType
from scarplan.knowledge.schema.common import (
    Cited,
    CitedRange,
    Number,
    PreTreatmentTest,
    Statement,
    StrictModel,
    Text,
)
from scarplan.knowledge.schema.outcomes import ImprovementRange, ResponderBand, in_short


class ModalityCategory(StrEnum):
    CHEMICAL = "chemical"
    SURGICAL = "surgical"
    MECHANICAL = "mechanical"
    ENERGY_ABLATIVE = "energy_ablative"
    ENERGY_NONABLATIVE = "energy_nonablative"
    INJECTABLE = "injectable"
    ADJUNCT = "adjunct"


class PlanRole(StrEnum):
    """The part a procedure plays in a combined plan (scarplan's convention, no number).

    focal: treats individual deep scars (TCA CROSS, punch techniques); release: frees tethered
    scars (subcision); resurfacing: treats the whole area; volume: fills (fillers); adjunct:
    added to another procedure (PRP). A plan holds at most one course per role.
    """

    FOCAL = "focal"
    RELEASE = "release"
    RESURFACING = "resurfacing"
    VOLUME = "volume"
    ADJUNCT = "adjunct"


class SuitabilityRating(StrEnum):
    """How well a procedure treats one scar type, ordered best first."""

    FIRST_LINE = "first_line"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    NOT_INDICATED = "not_indicated"

    @property
    def rank(self) -> int:
        """0 for first-line, 4 for not indicated: lower is better."""
        return list(SuitabilityRating).index(self)


class EvidenceLevel(StrEnum):
    """Certainty of the evidence for acne scars, GRADE-style wording."""

    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very_low"


class RiskLevel(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    AVOID = "avoid"


class Suitability(Cited):
    rating: SuitabilityRating
    note: str = ""


class Parameter(CitedRange):
    """A technique setting: TCA concentration, punch diameter, needle depth, laser energy."""

    name: Text
    unit: Text


class Outcome(Cited):
    """A published result, stated as the study stated it (`summary`), and its improvement in
    per cent where the study gives one, kept honest (schema/outcomes.py)."""

    summary: Text
    scar_types: tuple[ScarType, ...] = ()
    improvement_pct: ImprovementRange | None = None
    """The improvement the study reports as a whole: a mean, the range its patients spanned, or
    the band most patients (or the largest group) reached; see `basis`."""
    responders: tuple[ResponderBand, ...] = ()
    """The share of patients in each improvement band, as the study gives them."""

    def in_short(self) -> str:
        """The improvement in plain words ('' when the study gives none in per cent)."""
        return in_short(self.improvement_pct, self.responders)


class SkinTypeRisk(Cited):
    """Pigmentary and scarring risk for a group of Fitzpatrick types."""

    types: tuple[Fitzpatrick, ...] = Field(min_length=1)
    level: RiskLevel
    note: Text


class Evidence(Cited):
    level: EvidenceLevel
    note: Text


class ModalityEntry(StrictModel):
    id: Modality
    name: Text
    category: ModalityCategory
    plan_role: PlanRole
    summary: Text
    """Plain-language: what it is and what it does."""
    suitability: dict[ScarType, Suitability]
    parameters: tuple[Parameter, ...] = ()
    sessions: CitedRange | None = None
    interval_weeks: CitedRange | None = None
    downtime_days: CitedRange | None = None
    outcomes: tuple[Outcome, ...] = ()
    risks: tuple[Statement, ...] = ()
    skin_type_risks: tuple[SkinTypeRisk, ...] = ()
    evidence: Evidence
    aftercare: tuple[Statement, ...] = ()
    tests: tuple[PreTreatmentTest, ...] = ()
    """Tests every patient has before the first session (e.g. a skin test for a product)."""
    notes: tuple[Statement, ...] = ()
    device: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    """The scarce device a session needs (for clinic scheduling), if any."""
    duration_minutes: CitedRange | None = None

    def rating_for(self, scar_type: ScarType) -> SuitabilityRating:
        entry = self.suitability.get(scar_type)
        return entry.rating if entry else SuitabilityRating.NOT_INDICATED


class ModalitiesFile(StrictModel):
    modalities: tuple[ModalityEntry, ...]


class PriceUnit(StrEnum):
    SESSION = "session"
    SCAR = "scar"
    SYRINGE = "syringe"
    VIAL = "vial"


PER_PRODUCT = frozenset({PriceUnit.SYRINGE, PriceUnit.VIAL})


class PriceEstimate(Cited):
    """A published price, always an estimate: a range with its currency, unit and year.

    The clinic's own price list overrides it (docs/planning.md). `sources` cite the figure;
    a low-tier source (consumer cost page, news relay) says so in its `note`.
    """

    modality: Modality
    min: Number = Field(ge=0)
    max: Number | None = Field(default=None, ge=0)
    """None where the source gives only a lower bound ("may exceed")."""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    per: PriceUnit
    """What one price pays for: a session, a scar (focal techniques), a syringe or a vial."""
    units_per_session: CitedRange | None = None
    """Syringes or vials in one session, cited; required when `per` is syringe or vial."""
    year: int = Field(ge=1990, le=2100)
    """The year of the figure: the survey year, else the date the page gives; for an undated
    page the year it was read, which the note then says."""
    note: str = ""

    @model_validator(mode="after")
    def _range_and_units(self) -> Self:
        if self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        if self.per in PER_PRODUCT and self.units_per_session is None:
            raise ValueError(
                f"a price per {self.per.value} needs units_per_session (how many a session "
                "uses, cited), or give a price per session"
            )
        if self.per not in PER_PRODUCT and self.units_per_session is not None:
            raise ValueError("units_per_session applies only to a price per syringe or vial")
        return self


class PricesFile(StrictModel):
    prices: tuple[PriceEstimate, ...]
