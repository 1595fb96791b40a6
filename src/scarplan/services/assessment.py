"""Assessment use cases: read a case file and assess it; present the result as JSON."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from scarplan.adapters.casefile import read_case_file
from scarplan.assessment import AssessmentResult, assess_case
from scarplan.knowledge import KnowledgeBase

NOTICE = (
    "Decision support for qualified clinicians and education for patients; it does not replace "
    "a clinician's examination and judgement."
)


def assess_file(path: Path, knowledge: KnowledgeBase, today: date) -> AssessmentResult:
    return assess_case(read_case_file(path, today), knowledge)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def assessment_json(result: AssessmentResult) -> dict[str, Any]:
    """The `scarplan assess --json` contract (architecture.md), plus how each score was made."""
    qualitative = result.goodman_baron_qualitative
    quantitative = result.goodman_baron_quantitative
    fitzpatrick = result.fitzpatrick
    return {
        "patient_id": result.patient_id,
        "assessment_date": result.date.isoformat(),
        "fitzpatrick": fitzpatrick.type.value if fitzpatrick.type else None,
        "fitzpatrick_detail": {
            "source": fitzpatrick.source.value,
            "questionnaire_score": fitzpatrick.questionnaire_score,
            "questionnaire_type": fitzpatrick.questionnaire_type.value
            if fitzpatrick.questionnaire_type
            else None,
        },
        "lesions": [
            {
                "index": lesion.index,
                "region": lesion.lesion.region.value,
                "type": lesion.type.value,
                "count": lesion.lesion.count,
                "type_source": lesion.type_source.value,
                "confidence": lesion.confidence.value if lesion.confidence else None,
                "candidates": [candidate.value for candidate in lesion.candidates],
                "reasons": list(lesion.reasons),
                "width_mm": lesion.lesion.width_mm,
                "depth_mm": lesion.lesion.depth_mm,
            }
            for lesion in result.lesions
        ],
        "counts_by_type": {t.value: n for t, n in result.counts_by_type.items()},
        "macular": [
            {
                "region": m.region.value,
                "count": m.count,
                **({"colour": m.colour.value} if m.colour else {}),
            }
            for m in result.macular
        ],
        "goodman_baron": {
            "qualitative_grade": qualitative.grade,
            "qualitative_by_region": {r.value: g for r, g in qualitative.by_region.items()},
            "qualitative_inputs": [
                {
                    "lesion": lesion.index,
                    "region": lesion.region.value,
                    "grade": lesion.grade,
                    "visible_at_50cm": lesion.visible_at_50cm,
                    "covered_by_makeup": lesion.covered_by_makeup,
                    "distensible": lesion.distensible,
                    "inferred": list(lesion.inferred),
                }
                for lesion in qualitative.lesions
            ],
            "quantitative_score": _number(quantitative.score),
            "quantitative_max": _number(quantitative.max_score),
            "quantitative_items": [
                {
                    "category": item.category,
                    "label": item.label,
                    "lesions": list(item.lesion_indices),
                    "count": item.count,
                    "points": _number(item.points),
                    "multiplier": _number(item.multiplier),
                    "score": _number(item.score),
                }
                for item in quantitative.items
            ],
        },
        "ecca": int(result.ecca.score),
        "ecca_detail": {
            "max": _number(result.ecca.max_score),
            "items": [
                {
                    "item": item.item,
                    "label": item.label,
                    "lesions": list(item.lesion_indices),
                    "count": item.count,
                    "count_score": _number(item.count_score),
                    "weight": _number(item.weight),
                    "score": _number(item.score),
                }
                for item in result.ecca.items
            ],
        },
        "warnings": list(result.warnings),
        "sources": list(result.sources),
        "notice": NOTICE,
    }
