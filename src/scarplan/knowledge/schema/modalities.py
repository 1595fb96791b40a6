"""modalities.yaml: every procedure in the shared vocabulary, with its published numbers."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from scarplan.domain.vocabulary import Fitzpatrick, Modality, ScarType
from scarplan.knowledge.schema.common import (
    Cited,
    CitedRange,
    Number,
    Statement,
    StrictModel,
    Text,
)


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
    """A published result, stated as the study stated it."""

    summary: Text
    scar_types: tuple[ScarType, ...] = ()
    improvement_pct: CitedRange | None = None
    """Where the study reports a percentage improvement range, for the planner's expectations."""


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


class PriceEstimate(Cited):
    """A default price, always an estimate; a clinic sets its own in settings."""

    modality: Modality
    min: Number = Field(ge=0)
    max: Number | None = Field(default=None, ge=0)
    """None where the source gives only a lower bound ("may exceed")."""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    per: PriceUnit
    year: int = Field(ge=1990, le=2100)
    note: str = ""


class PricesFile(StrictModel):
    prices: tuple[PriceEstimate, ...]
