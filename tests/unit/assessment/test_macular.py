"""Goodman & Baron grade 1: flat (macular) marks are recordable in the case file and graded
(docs/assessment.md s.4, docs/case-format.md `assessment.macular`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from scarplan.adapters.casefile import parse_case_document
from scarplan.assessment import assess_case
from scarplan.domain.errors import InputError
from scarplan.domain.vocabulary import MarkColour, Region
from scarplan.knowledge import KnowledgeBase
from scarplan.services.assessment import assessment_json

TODAY = date(2026, 11, 21)


def case(assessment: dict[str, Any]) -> dict[str, Any]:
    return {
        "scarplan_case": 1,
        "patient": {"id": "M-1", "age_years": 30, "sex": "female", "fitzpatrick": "III"},
        "assessment": {"date": "2026-11-20", **assessment},
    }


def problems(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InputError) as raised:
        parse_case_document(document, TODAY)
    return {p.path: p.message for p in raised.value.problems}


def test_flat_marks_are_read_with_their_colour() -> None:
    read = parse_case_document(
        case({"macular": [{"region": "cheek_left", "count": 4, "colour": "hypopigmented"}]}),
        TODAY,
    )
    assert read.assessment.lesions == ()
    (marks,) = read.assessment.macular
    assert (marks.region, marks.count, marks.colour) == (
        Region.CHEEK_LEFT,
        4,
        MarkColour.HYPOPIGMENTED,
    )


def test_an_assessment_needs_a_lesion_group_or_flat_marks() -> None:
    found = problems(case({"lesions": [], "macular": []}))
    assert "assessment.lesions" in found
    assert "at least 1" in found["assessment.lesions"]


def test_a_region_is_named_once_under_macular() -> None:
    marks = [{"region": "chin", "count": 2}, {"region": "chin", "count": 3}]
    found = problems(case({"macular": marks}))
    assert "chin" in found["assessment.macular"]


def test_an_unknown_colour_is_refused() -> None:
    found = problems(case({"macular": [{"region": "chin", "count": 2, "colour": "blue"}]}))
    assert any(path.startswith("assessment.macular[0].colour") for path in found)


def test_marks_never_become_scars_of_a_type(knowledge: KnowledgeBase) -> None:
    read = parse_case_document(
        case(
            {
                "lesions": [{"region": "chin", "type": "boxcar", "count": 3, "depth_mm": 0.2}],
                "macular": [{"region": "nose", "count": 5, "colour": "erythematous"}],
            }
        ),
        TODAY,
    )
    data = assessment_json(assess_case(read, knowledge))
    assert data["counts_by_type"]["boxcar"] == 3
    assert sum(data["counts_by_type"].values()) == 3
    assert data["macular"] == [{"region": "nose", "count": 5, "colour": "erythematous"}]
    # Marks are in no ECCA item; in the quantitative scale's macular category (1 point).
    assert all(item["count"] in (0, 3) for item in data["ecca_detail"]["items"])
    macular = [i for i in data["goodman_baron"]["quantitative_items"] if i["category"] == "macular"]
    assert [(i["count"], i["points"], i["lesions"]) for i in macular] == [(5, 1, [])]
    assert data["goodman_baron"]["qualitative_by_region"]["nose"] == 1
