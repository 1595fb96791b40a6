"""Building blocks shared by every knowledge-base file: strict models, cited values, ranges."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool, model_validator

from scarplan.domain.vocabulary import Agent

Number = Annotated[float, Strict()]
Count = Annotated[int, Strict(), Field(ge=0)]
SourceId = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
Text = Annotated[str, Field(min_length=1)]
# The ids of clinic settings that stand in where no source exists (see settings.py).
PolicyId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class StrictModel(BaseModel):
    """Unknown keys are errors, never silently dropped; loaded entries are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(StrictModel):
    """Anything that states a clinical fact carries at least one source id."""

    sources: tuple[SourceId, ...] = Field(min_length=1)
    verified: StrictBool = True
    """False where the value is the one in common use but the primary paper was not read."""


class Statement(Cited):
    """A sentence of clinical fact with its sources."""

    text: Text


class CitedRange(Cited):
    """A published range. Either end may be open; a single value has min == max."""

    min: Number | None = None
    max: Number | None = None
    usual: Number | None = None
    """The value most sources use, where they say so (e.g. monthly sessions in most series)."""
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.usual is not None and not (
            (self.min is None or self.min <= self.usual)
            and (self.max is None or self.usual <= self.max)
        ):
            raise ValueError(f"usual ({self.usual}) lies outside the range")
        return self

    def describe(self, unit: str = "") -> str:
        suffix = f" {unit}" if unit else ""
        if self.min is not None and self.max is not None:
            if self.min == self.max:
                return f"{_fmt(self.min)}{suffix}"
            return f"{_fmt(self.min)}-{_fmt(self.max)}{suffix}"
        if self.min is not None:
            return f">= {_fmt(self.min)}{suffix}"
        return f"<= {_fmt(self.max)}{suffix}"  # type: ignore[arg-type]


def _fmt(value: float) -> str:
    return f"{value:g}"


def iter_models(value: object) -> Iterator[BaseModel]:
    """Every pydantic model inside `value`, depth first, `value` itself included."""
    if isinstance(value, BaseModel):
        yield value
        for name in type(value).model_fields:
            yield from iter_models(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_models(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from iter_models(item)


def cited_source_ids(value: object) -> set[str]:
    """The ids of every source cited anywhere inside `value`."""
    found: set[str] = set()
    for model in iter_models(value):
        found.update(getattr(model, "sources", ()))
    return found


class PreTreatmentTest(Cited):
    """A test before the first session of a procedure: a skin test (an ingredient allergy) or a
    test spot (how the skin heals and pigments), booked `lead_days` before that session and
    read `read_after_days` after it is done."""

    what: Text
    """Plain words, e.g. "bovine collagen skin test on the forearm"."""
    lead_days: CitedRange
    read_after_days: CitedRange | None = None


class Priming(Cited):
    """Agents used at home for `weeks` before the first session (e.g. hydroquinone and
    tretinoin before TCA CROSS in darker skin)."""

    agents: tuple[Agent, ...] = Field(min_length=1)
    """Home-care agents (agents.yaml), which the routine schedules for these weeks."""
    weeks: CitedRange
