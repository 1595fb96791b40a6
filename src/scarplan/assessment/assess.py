"""Assess a case: type every lesion group, compute the scales, collect warnings."""

from __future__ import annotations

from collections import Counter

from scarplan.assessment.classify import TypingThresholds, classify_lesion
from scarplan.assessment.ecca import ecca_score
from scarplan.assessment.fitzpatrick import skin_type
from scarplan.assessment.qualitative import goodman_baron_qualitative
from scarplan.assessment.quantitative import goodman_baron_quantitative
from scarplan.assessment.results import (
    AssessmentResult,
    Confidence,
    FitzpatrickResult,
    FitzpatrickSource,
    QualitativeResult,
    TypedLesion,
)
from scarplan.domain.case import Case
from scarplan.domain.vocabulary import ATROPHIC_SCAR_TYPES, ScarType
from scarplan.knowledge import KnowledgeBase

SCALE_SOURCES = ("GB-QUAL", "GB-QUANT", "ECCA", "FSTQ-A")


def assess_case(case: Case, knowledge: KnowledgeBase) -> AssessmentResult:
    limits = TypingThresholds.from_knowledge(knowledge)
    typed = tuple(
        classify_lesion(index, lesion, limits)
        for index, lesion in enumerate(case.assessment.lesions)
    )
    scales = knowledge.scales
    fitzpatrick = skin_type(
        case.patient.fitzpatrick,
        case.patient.fitzpatrick_answers,
        scales.fitzpatrick_questionnaire,
    )
    first_band = min(scales.goodman_baron_quantitative.count_multipliers, key=lambda b: b.min_count)
    assert first_band.max_count is not None  # the schema makes only the last band open-ended
    macular = case.assessment.macular
    qualitative = goodman_baron_qualitative(
        typed, limits.shallow_max_depth_mm, first_band.max_count, macular
    )
    mappings = {scar_type: entry.scales for scar_type, entry in knowledge.scar_types.items()}
    counts: Counter[ScarType] = Counter()
    for lesion in typed:
        counts[lesion.type] += lesion.lesion.count
    counts_by_type = {scar_type: counts.get(scar_type, 0) for scar_type in ATROPHIC_SCAR_TYPES}
    counts_by_type.update({t: n for t, n in counts.items() if t not in ATROPHIC_SCAR_TYPES})
    warnings = [
        *_typing_warnings(typed),
        *_scale_warnings(typed),
        *_qualitative_warnings(qualitative),
        *_fitzpatrick_warnings(fitzpatrick),
        *_safety_warnings(case),
    ]
    return AssessmentResult(
        patient_id=case.patient.id,
        date=case.assessment.date,
        fitzpatrick=fitzpatrick,
        lesions=typed,
        counts_by_type=dict(
            sorted(counts_by_type.items(), key=lambda item: list(ScarType).index(item[0]))
        ),
        goodman_baron_qualitative=qualitative,
        goodman_baron_quantitative=goodman_baron_quantitative(
            typed, scales.goodman_baron_quantitative, mappings, limits.shallow_max_depth_mm, macular
        ),
        ecca=ecca_score(typed, scales.ecca, mappings),
        warnings=tuple(warnings),
        sources=tuple(sorted({*SCALE_SOURCES, *limits.sources})),
        macular=macular,
    )


def _where(lesion: TypedLesion) -> str:
    return f"assessment.lesions[{lesion.index}]"


def _typing_warnings(typed: tuple[TypedLesion, ...]) -> list[str]:
    warnings = []
    for lesion in typed:
        if len(lesion.candidates) > 1 or lesion.confidence is Confidence.LOW:
            candidates = " or ".join(c.value for c in lesion.candidates)
            warnings.append(
                f"{_where(lesion)}: typed {lesion.type.value} from measurements with "
                f"{lesion.confidence.value if lesion.confidence else 'no'} confidence; could be "
                f"{candidates}: {'; '.join(lesion.reasons)}"
            )
    return warnings


def _scale_warnings(typed: tuple[TypedLesion, ...]) -> list[str]:
    warnings = []
    for lesion in typed:
        if lesion.type in (ScarType.BOXCAR, ScarType.ROLLING) and lesion.lesion.depth_mm is None:
            warnings.append(
                f"{_where(lesion)}: depth_mm not recorded; scored as shallow in the Goodman & "
                "Baron quantitative scale"
            )
        if not lesion.type.is_atrophic:
            warnings.append(
                f"{_where(lesion)}: {lesion.type.value} scars are referred for their own "
                "treatment; scored by count (not area) in Goodman & Baron and as older than "
                "one year in ECCA"
            )
    return warnings


def _qualitative_warnings(qualitative: QualitativeResult) -> list[str]:
    return [
        f"assessment.lesions[{lesion.index}]: {', '.join(lesion.inferred)} not recorded; "
        f"inferred for the qualitative grade (visible at 50 cm: "
        f"{'yes' if lesion.visible_at_50cm else 'no'}, flattens on stretching: "
        f"{'yes' if lesion.distensible else 'no'})"
        for lesion in qualitative.lesions
        if lesion.inferred
    ]


def _fitzpatrick_warnings(result: FitzpatrickResult) -> list[str]:
    if result.source is FitzpatrickSource.UNKNOWN:
        return [
            "patient.fitzpatrick: skin type unknown; give fitzpatrick or fitzpatrick_answers. "
            "Advice that depends on skin type will assume the higher pigment risk"
        ]
    if result.questionnaire_type is not None and result.questionnaire_type != result.type:
        return [
            f"patient.fitzpatrick: stated type {result.type.value if result.type else '?'} "
            f"differs from the questionnaire's {result.questionnaire_type.value} "
            f"(score {result.questionnaire_score}); the stated type is used"
        ]
    return []


def _safety_warnings(case: Case) -> list[str]:
    if not case.patient.unstated:
        return []
    names = ", ".join(sorted(case.patient.unstated))
    return [f"patient: not stated, assumed 'no' or 'none': {names}; confirm before any procedure"]
