"""Questionnaire instruments as data: the items a patient answers, their scoring and source.

The instruments shipped with scarplan and the licensed ones a clinic installs are validated by
the same model, so a licensed file is held to the same rules as the built-in ones.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, field_validator

from scarplan.knowledge.schema.common import StrictModel, Text

InstrumentId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
ItemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]


class ScoringRule(StrEnum):
    SUM = "sum"
    """The sum of the chosen options' values."""
    MEAN = "mean"
    """Their mean, rounded to two decimals."""


class InstrumentKind(StrEnum):
    GLOBAL_IMPROVEMENT = "global_improvement"
    SATISFACTION = "satisfaction"
    CONDITION_SPECIFIC = "condition_specific"


class AnswerOption(StrictModel):
    value: StrictInt = Field(ge=-1000, le=1000)
    label: Text


class InstrumentItem(StrictModel):
    id: ItemId
    text: Text
    options: tuple[AnswerOption, ...] = Field(min_length=2, max_length=11)

    # Field validators, so a problem is reported against the field, not the whole entry.
    @field_validator("options")
    @classmethod
    def _distinct_values(cls, options: tuple[AnswerOption, ...]) -> tuple[AnswerOption, ...]:
        values = [option.value for option in options]
        if len(set(values)) != len(values):
            raise ValueError("two answer options share a value: give each its own")
        return options


class Scoring(StrictModel):
    rule: ScoringRule
    higher_is_better: StrictBool
    """Which way a better outcome moves the score (PGI-I: 1 is "very much better")."""


class InstrumentSource(StrictModel):
    citation: Text
    """Authors, title, journal or publisher, year, as a reader would look it up."""
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    url: Annotated[str, Field(pattern=r"^https://\S+$")] | None = None


class Instrument(StrictModel):
    scarplan_instrument: Literal[1]
    """The file format's version."""
    id: InstrumentId
    version: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")]
    title: Text
    """The instrument's published name, shown to clinicians."""
    patient_title: Text
    """What a patient sees: plain words."""
    kind: InstrumentKind
    instructions: Text
    items: tuple[InstrumentItem, ...] = Field(min_length=1, max_length=60)
    scoring: Scoring
    sources: tuple[InstrumentSource, ...] = Field(min_length=1)
    licence: Text
    """Who may use it and on what terms; for a licensed instrument, the clinic's licence."""

    @field_validator("items")
    @classmethod
    def _distinct_items(cls, items: tuple[InstrumentItem, ...]) -> tuple[InstrumentItem, ...]:
        ids = [item.id for item in items]
        if len(set(ids)) != len(ids):
            raise ValueError("two items share an id: give each its own")
        return items
