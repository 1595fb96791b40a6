"""Golden assessment cases: expectations computed by hand from docs/assessment.md and the
published scale tables (the arithmetic is in each file's comments), never from the code."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from scarplan.adapters.casefile import parse_case_text
from scarplan.assessment import assess_case
from scarplan.knowledge import KnowledgeBase
from scarplan.services.assessment import assessment_json

CASES = sorted((Path(__file__).parent / "assessment").glob("g*.yaml"))


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_golden_assessment(path: Path, knowledge: KnowledgeBase) -> None:
    golden = yaml.safe_load(path.read_text())
    today = golden["today"]
    assert isinstance(today, date)
    case = parse_case_text(yaml.safe_dump(golden["case"]), today)
    result = assessment_json(assess_case(case, knowledge))
    expected: dict[str, Any] = golden["expected"]

    assert result["fitzpatrick"] == expected["fitzpatrick"]
    counts = {
        t: n for t, n in result["counts_by_type"].items() if n or t in expected["counts_by_type"]
    }
    assert counts == expected["counts_by_type"]
    assert [lesion["type"] for lesion in result["lesions"]] == expected["lesion_types"]
    assert [lesion["type_source"] for lesion in result["lesions"]] == expected["type_sources"]
    if "candidates" in expected:
        assert [set(lesion["candidates"]) for lesion in result["lesions"]] == [
            set(candidates) for candidates in expected["candidates"]
        ]
    gb = expected["goodman_baron"]
    assert result["goodman_baron"]["qualitative_grade"] == gb["qualitative_grade"]
    assert result["goodman_baron"]["qualitative_by_region"] == gb["by_region"]
    assert result["goodman_baron"]["quantitative_score"] == gb["quantitative_score"]
    assert result["ecca"] == expected["ecca"]
    if "macular" in expected:
        assert result["macular"] == expected["macular"]
