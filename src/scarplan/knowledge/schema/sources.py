"""sources.yaml: every publication, guideline or page the knowledge base cites."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from scarplan.knowledge.schema.common import SourceId, StrictModel, Text


class SourceTier(StrEnum):
    """How much weight a source can bear. `low` sources are hints, never a safety rule's only
    support (shared/clinical/reference.md)."""

    GUIDELINE = "guideline"
    SYSTEMATIC_REVIEW = "systematic_review"
    TRIAL = "trial"
    STUDY = "study"
    REVIEW = "review"
    REGULATOR = "regulator"
    LOW = "low"


class SourceRead(StrEnum):
    """What of the source was actually read when the facts were taken from it."""

    FULL_TEXT = "full_text"
    ABSTRACT = "abstract"
    TABLE = "table"
    SUMMARY = "summary"
    RECORD = "record"


class Source(StrictModel):
    id: SourceId
    citation: Text
    tier: SourceTier
    read: SourceRead
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmid: Annotated[str, Field(pattern=r"^\d{1,9}$")] | None = None
    pmcid: Annotated[str, Field(pattern=r"^PMC\d+$")] | None = None
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    note: str = ""

    @model_validator(mode="after")
    def _locatable(self) -> Self:
        if not (self.doi or self.pmid or self.pmcid or self.url):
            raise ValueError("a source needs a doi, pmid, pmcid or url so a reader can find it")
        return self

    @property
    def links(self) -> list[str]:
        links = []
        if self.doi:
            links.append(f"https://doi.org/{self.doi}")
        if self.pmid:
            links.append(f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/")
        if self.pmcid:
            links.append(f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/")
        if self.url:
            links.append(self.url)
        return links


class SourcesFile(StrictModel):
    reviewed_on: date | None = None
    """When a reviewer last checked the evidence against its sources (the whole knowledge base,
    not one entry): the public decision aid shows it as the date the evidence was reviewed."""
    sources: tuple[Source, ...]
