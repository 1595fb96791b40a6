"""scales.yaml: the published grading scales and the Fitzpatrick questionnaire as data."""

from __future__ import annotations

import itertools
from typing import Self

from pydantic import Field, model_validator

from scarplan.domain.vocabulary import Fitzpatrick
from scarplan.knowledge.schema.common import Cited, Count, Number, Statement, StrictModel, Text


class QualitativeGrade(Cited):
    grade: int = Field(ge=1, le=4)
    name: Text
    description: Text


class GoodmanBaronQualitative(Cited):
    grades: tuple[QualitativeGrade, ...] = Field(min_length=4, max_length=4)


class CountBand(Cited):
    """Counts from min_count to max_count inclusive (open-ended when max_count is None)."""

    min_count: Count
    max_count: Count | None = None
    value: Number

    def contains(self, count: int) -> bool:
        return count >= self.min_count and (self.max_count is None or count <= self.max_count)


def _check_bands(bands: tuple[CountBand, ...]) -> None:
    """Bands must tile the counts they cover with no gap or overlap."""
    ordered = sorted(bands, key=lambda band: band.min_count)
    for lower, upper in itertools.pairwise(ordered):
        if lower.max_count is None or lower.max_count + 1 != upper.min_count:
            raise ValueError(
                f"count bands must be contiguous: {lower.min_count}-{lower.max_count} "
                f"then {upper.min_count}"
            )
    if ordered and ordered[-1].max_count is not None:
        raise ValueError("the last count band must be open-ended (max_count: null)")


class QuantitativeCategory(Cited):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: str = Field(pattern=r"^[A-D]$")
    label: Text
    points: Number


class GoodmanBaronQuantitative(Cited):
    categories: tuple[QuantitativeCategory, ...] = Field(min_length=1)
    count_multipliers: tuple[CountBand, ...] = Field(min_length=1)
    max_score: Number

    @model_validator(mode="after")
    def _bands(self) -> Self:
        _check_bands(self.count_multipliers)
        return self


class EccaItem(Cited):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    weight: Number


class Ecca(Cited):
    items: tuple[EccaItem, ...] = Field(min_length=1)
    count_scores: tuple[CountBand, ...] = Field(min_length=1)
    """Semi-quantitative count levels: value is the 0-3 score for a count in the band."""
    max_score: Number

    @model_validator(mode="after")
    def _bands(self) -> Self:
        _check_bands(self.count_scores)
        return self


class Question(Cited):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: Text
    options: tuple[Text, ...] = Field(min_length=5, max_length=5)
    """Answer i scores i points (0-4)."""


class FitzpatrickBand(Cited):
    type: Fitzpatrick
    min_score: Count
    max_score: Count


class FitzpatrickDefinition(Cited):
    """What each phototype means, for the intake form and the patient report."""

    type: Fitzpatrick
    description: Text


class FitzpatrickQuestionnaire(Cited):
    questions: tuple[Question, ...] = Field(min_length=10, max_length=10)
    bands: tuple[FitzpatrickBand, ...] = Field(min_length=6, max_length=6)
    definitions: tuple[FitzpatrickDefinition, ...] = Field(min_length=6, max_length=6)
    notes: tuple[Statement, ...] = ()

    @model_validator(mode="after")
    def _bands_tile(self) -> Self:
        ordered = sorted(self.bands, key=lambda band: band.min_score)
        if ordered[0].min_score != 0:
            raise ValueError("the first Fitzpatrick band must start at score 0")
        for lower, upper in itertools.pairwise(ordered):
            if lower.max_score + 1 != upper.min_score:
                raise ValueError("Fitzpatrick bands must be contiguous and must not overlap")
        if ordered[-1].max_score != 4 * len(self.questions):
            raise ValueError("the last Fitzpatrick band must end at the maximum score")
        return self


class ScalesFile(StrictModel):
    goodman_baron_qualitative: GoodmanBaronQualitative
    goodman_baron_quantitative: GoodmanBaronQuantitative
    ecca: Ecca
    fitzpatrick_questionnaire: FitzpatrickQuestionnaire
    notes: tuple[Statement, ...] = ()
    """What the scales leave out and how far raters agree: shown beside the scores."""
