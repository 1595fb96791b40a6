"""scar_types.yaml: morphology of each scar type and where it usually appears."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, StrictBool

from scarplan.domain.vocabulary import EdgeProfile, Region, ScarType
from scarplan.knowledge.schema.common import Cited, CitedRange, Statement, StrictModel, Text


class Profile(StrEnum):
    """Cross-section shape as the literature draws it."""

    V_SHAPED = "V"
    U_SHAPED = "U"
    M_SHAPED = "M"
    RAISED = "raised"


class Morphology(Cited):
    profile: Profile
    edges: EdgeProfile | None = None
    description: Text


class UsualSites(Cited):
    regions: tuple[Region, ...]


class ScaleMapping(StrictModel):
    """Where this scar type counts in each scale (ids from scales.yaml).

    The scales define categories by morphology; assigning a scar type to one is scarplan's
    documented convention (docs/assessment.md), so these are ids, not cited numbers.
    """

    ecca_item: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    goodman_baron_category: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    goodman_baron_category_deep: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    """Used instead when the lesion is at least as deep as boxcar's shallow/deep split."""


class ScarTypeEntry(StrictModel):
    id: ScarType
    name: Text
    patient_summary: Text
    """Plain-language explanation for a patient report."""
    atrophic: StrictBool
    refer: StrictBool
    """True where atrophic-scar procedures do not treat it and the patient is referred on."""
    morphology: Morphology
    width_mm: CitedRange | None = None
    depth_mm: CitedRange | None = None
    usual_sites: UsualSites | None = None
    share_of_atrophic_pct: tuple[CitedRange, ...] = ()
    """Reported share among atrophic scars; one range per source where sources disagree."""
    treatment_notes: tuple[Statement, ...] = ()
    scales: ScaleMapping


class ScarTypesFile(StrictModel):
    scar_types: tuple[ScarTypeEntry, ...]
