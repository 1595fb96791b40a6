"""Wording for patients and clinicians (issue 20 item 5): each caution and reason once per plan,
'improvement, not erasure' in the plan and the report, and a pregnant patient told to stop the
tretinoin she uses, with why, in the routine, the plan and the report."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from scarplan.adapters.casefile import parse_case_document
from scarplan.adapters.reports.content import Variant
from scarplan.adapters.reports.render import render_html
from scarplan.entrypoints.cli.app import main
from scarplan.entrypoints.cli.console import out
from scarplan.knowledge import KnowledgeBase
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.homecare import routine_for_plan, routine_json
from scarplan.services.planning import plan_case, plan_json
from scarplan.services.reports import case_report
from scarplan.settings import Settings
from support.report_text import seen

TODAY = date(2026, 12, 1)
PREGNANT = demo_cases_dir() / "pregnant.yaml"
# The pregnancy rule's reason (conditions.yaml pregnancy), and its advice.
REASON = "Trials of scar procedures excluded pregnant patients"
ADVICE = "azelaic acid or benzoyl peroxide are the suggested topicals"
NOT_ERASURE = "Treatment improves acne scars; it does not erase them."


def report_text(knowledge: KnowledgeBase, path: Path, variant: Variant) -> str:
    return seen(render_html(case_report(path, knowledge, Settings(), TODAY, variant)))


def test_the_pregnancy_reason_is_said_once_in_the_plan_notes(knowledge: KnowledgeBase) -> None:
    case = parse_case_document(yaml.safe_load(PREGNANT.read_text()), TODAY)
    data = plan_json(plan_case(case, knowledge, Settings(), TODAY))
    notes = data["notes"]
    assert len(notes) == len(set(notes))
    joined = " ".join(notes)
    # Every procedure is held for the same reason: the notes name the cause, not the sentence
    # 17 times (it stays, per procedure, in the `excluded` contract).
    assert joined.count(REASON) <= 1
    assert joined.count(ADVICE) == 1
    assert "the patient is pregnant" in joined
    assert sum(REASON in r for e in data["excluded"] for r in e["reasons"]) == 17
    assert all(e["causes"] == ["the patient is pregnant"] for e in data["excluded"])


@pytest.mark.parametrize("variant", list(Variant))
def test_the_pregnant_report_says_the_pregnancy_reason_once(
    knowledge: KnowledgeBase, variant: Variant
) -> None:
    text = report_text(knowledge, PREGNANT, variant)
    assert text.count(REASON) == 1
    assert text.count(ADVICE) <= 1


def test_the_plan_command_says_the_pregnancy_reason_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(out, "_width", 2000)  # one line per row: the sentence is not wrapped
    assert main(["plan", str(PREGNANT)]) == 0
    printed = capsys.readouterr().out
    assert printed.count(REASON) == 1


def test_improvement_not_erasure_is_in_the_plan_and_the_report(
    knowledge: KnowledgeBase,
) -> None:
    mixed = demo_cases_dir() / "mixed.yaml"
    case = parse_case_document(yaml.safe_load(mixed.read_text()), TODAY)
    notes = plan_json(plan_case(case, knowledge, Settings(), TODAY))["notes"]
    (note,) = [n for n in notes if n.startswith(NOT_ERASURE)]
    assert "COCHRANE2016" in note  # cited
    patient = report_text(knowledge, mixed, Variant.PATIENT)
    assert patient.count(NOT_ERASURE) == 1
    assert not re.search(r"\b0-100 %|30-100 %", patient)


def caution_case() -> dict[str, Any]:
    """Pregnant, with the clinic setting that only cautions (golden plan p07): the caution is
    on every recommended procedure."""
    return {
        "scarplan_case": 1,
        "patient": {
            "id": "W-1",
            "age_years": 30,
            "sex": "female",
            "fitzpatrick": "II",
            "pregnant": True,
        },
        "preferences": {"start_date": "2027-01-11"},
        "assessment": {
            "date": "2026-11-21",
            "lesions": [{"region": "cheek_left", "type": "ice_pick", "count": 10, "width_mm": 1.0}],
        },
    }


def test_a_caution_on_several_procedures_is_one_caution_of_the_plan(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    settings = Settings(pregnancy_procedure_policy="caution")
    case = parse_case_document(caution_case(), TODAY)
    plan = plan_case(case, knowledge, settings, TODAY)
    data = plan_json(plan, routine_json(routine_for_plan(case, plan, knowledge)))
    carrying = [r["modality"] for r in data["recommended"] if r["cautions"]]
    assert len(carrying) > 1  # each recommendation still carries it (the contract)
    pregnancy = [c for c in data["cautions"] if c["text"].startswith("the patient is pregnant")]
    assert len(pregnancy) == 1
    assert pregnancy[0]["procedures"] == carrying
    assert pregnancy[0]["sources"]
    path = tmp_path / "case.yaml"
    path.write_text(json.dumps(caution_case()))
    for variant in Variant:
        content = case_report(path, knowledge, settings, TODAY, variant)
        text = seen(render_html(content))
        assert text.count(REASON) == 1, variant
