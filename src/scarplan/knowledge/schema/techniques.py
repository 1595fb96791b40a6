"""techniques.yaml: which technique treats a lesion group, and which field options come first.

A lesion-group rule matches a scar type and its measurements (width, depth, edges,
distensibility); the first matching rule names the techniques in order of preference, and the
first one the patient may have is booked for that group. Field lines rank the whole-area
treatments by skin type, as the consensus sources do.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from scarplan.domain.vocabulary import EdgeProfile, Fitzpatrick, Modality, ScarType
from scarplan.knowledge.schema.common import Cited, Number, Statement, StrictModel, Text


class MeasureBound(Cited):
    """Where a measurement must lie; `if_unknown` says whether a missing value matches."""

    above: Number | None = None
    at_least: Number | None = None
    below: Number | None = None
    at_most: Number | None = None
    if_unknown: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _one_per_side(self) -> Self:
        if self.above is not None and self.at_least is not None:
            raise ValueError("give either above or at_least, not both")
        if self.below is not None and self.at_most is not None:
            raise ValueError("give either below or at_most, not both")
        return self

    def holds(self, value: float | None) -> bool:
        if value is None:
            return self.if_unknown
        return (
            (self.above is None or value > self.above)
            and (self.at_least is None or value >= self.at_least)
            and (self.below is None or value < self.below)
            and (self.at_most is None or value <= self.at_most)
        )

    def describe(self, unit: str) -> str:
        parts = []
        for value, word in (
            (self.above, "over"),
            (self.at_least, "at least"),
            (self.below, "under"),
            (self.at_most, "at most"),
        ):
            if value is not None:
                parts.append(f"{word} {value:g} {unit}")
        return " and ".join(parts)


class LesionRule(Cited):
    """One kind of lesion group and the techniques that treat it, best first."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scar_type: ScarType
    width_mm: MeasureBound | None = None
    depth_mm: MeasureBound | None = None
    edges: tuple[EdgeProfile | None, ...] = ()
    """Edge profiles that match (null: not recorded); empty: any."""
    distensible: bool | None = None
    """Must the scar flatten when stretched (true), must it not (false), or either (null)."""
    techniques: tuple[Modality, ...] = ()
    """Focal or release techniques, best first; empty: the field treatment treats it."""
    then: tuple[Modality, ...] = ()
    """A later treatment after the field course (e.g. a filler), best first."""
    field: bool = True
    """Whether the region's field (resurfacing) course also treats the group."""
    label: Text
    reason: Text

    def matches(
        self,
        scar_type: ScarType,
        width_mm: float | None,
        depth_mm: float | None,
        edges: EdgeProfile | None,
        distensible: bool | None,
    ) -> bool:
        return (
            scar_type is self.scar_type
            and (self.width_mm is None or self.width_mm.holds(width_mm))
            and (self.depth_mm is None or self.depth_mm.holds(depth_mm))
            and (not self.edges or edges in self.edges)
            and (self.distensible is None or distensible is self.distensible)
        )


class FieldLine(Cited):
    """First- and second-line whole-area treatments for some scar and skin types."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    fitzpatrick: tuple[Fitzpatrick, ...] = Field(min_length=1)
    scar_types: tuple[ScarType, ...] = Field(min_length=1)
    first_line: tuple[Modality, ...] = Field(min_length=1)
    second_line: tuple[Modality, ...] = ()
    note: Text


class TechniquesFile(StrictModel):
    lesion_rules: tuple[LesionRule, ...] = Field(min_length=1)
    field_lines: tuple[FieldLine, ...] = ()
    expectations: tuple[Statement, ...] = ()
    """What treatment can achieve, said once in every plan and report: scars improve, they are
    not erased (with the published figures behind it)."""
