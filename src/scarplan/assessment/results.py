"""What an assessment produces. Each result keeps its inputs so a clinician can redo it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from scarplan.domain.case import LesionGroup, MacularMarks
from scarplan.domain.vocabulary import Fitzpatrick, Region, ScarType


class Confidence(StrEnum):
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


class TypeSource(StrEnum):
    GIVEN = "given"
    MEASURED = "measured"


@dataclass(frozen=True)
class TypedLesion:
    index: int
    lesion: LesionGroup
    type: ScarType
    type_source: TypeSource
    confidence: Confidence | None
    candidates: tuple[ScarType, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class QuantitativeItem:
    category: str
    label: str
    lesion_indices: tuple[int, ...]
    count: int
    points: float
    multiplier: float

    @property
    def score(self) -> float:
        return self.points * self.multiplier


@dataclass(frozen=True)
class QuantitativeResult:
    score: float
    max_score: float
    items: tuple[QuantitativeItem, ...]


@dataclass(frozen=True)
class QualitativeLesion:
    index: int
    region: Region
    grade: int
    visible_at_50cm: bool
    covered_by_makeup: bool
    distensible: bool
    inferred: tuple[str, ...]
    """Which of the three facts were inferred rather than recorded."""


@dataclass(frozen=True)
class QualitativeResult:
    grade: int
    by_region: dict[Region, int]
    lesions: tuple[QualitativeLesion, ...]


@dataclass(frozen=True)
class EccaItemScore:
    item: str
    label: str
    lesion_indices: tuple[int, ...]
    count: int
    count_score: float
    weight: float

    @property
    def score(self) -> float:
        return self.weight * self.count_score


@dataclass(frozen=True)
class EccaResult:
    score: float
    max_score: float
    items: tuple[EccaItemScore, ...]


class FitzpatrickSource(StrEnum):
    GIVEN = "given"
    QUESTIONNAIRE = "questionnaire"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FitzpatrickResult:
    type: Fitzpatrick | None
    source: FitzpatrickSource
    questionnaire_score: int | None = None
    questionnaire_type: Fitzpatrick | None = None


@dataclass(frozen=True)
class AssessmentResult:
    patient_id: str
    date: date
    fitzpatrick: FitzpatrickResult
    lesions: tuple[TypedLesion, ...]
    counts_by_type: dict[ScarType, int]
    goodman_baron_qualitative: QualitativeResult
    goodman_baron_quantitative: QuantitativeResult
    ecca: EccaResult
    warnings: tuple[str, ...]
    sources: tuple[str, ...]
    macular: tuple[MacularMarks, ...] = ()
    """Flat marks as recorded (graded 1 where a region has no contour scar)."""
