"""homecare.yaml: advice around the routine (sun, picking, at-home devices, prevention)."""

from __future__ import annotations

from pydantic import Field

from scarplan.domain.vocabulary import AcneSeverity
from scarplan.knowledge.schema.common import Statement, StrictModel


class SeverityAdvice(StrictModel):
    """What acne of one severity calls for; `refer` asks for a prescriber."""

    severity: AcneSeverity
    refer: bool
    advice: tuple[Statement, ...] = Field(min_length=1)


class HomeCareFile(StrictModel):
    sun_protection: tuple[Statement, ...] = Field(min_length=1)
    """Why a broad-spectrum SPF 30+ every morning (photosensitising actives, PIH, results)."""
    after_procedure: tuple[Statement, ...] = Field(min_length=1)
    """Care while a procedure heals: gentle products, extra sun protection."""
    picking: tuple[Statement, ...] = Field(min_length=1)
    at_home_microneedling: tuple[Statement, ...] = Field(min_length=1)
    pregnancy: tuple[Statement, ...] = Field(min_length=1)
    """What is considered acceptable instead of retinoids in pregnancy and breastfeeding."""
    darker_skin: tuple[Statement, ...] = Field(min_length=1)
    prevention: tuple[SeverityAdvice, ...] = Field(min_length=1)
