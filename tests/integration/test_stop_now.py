"""An agent the patient already uses that is unsafe for her now (tretinoin in pregnancy) is a
'stop now' with why, distinct from an agent simply left out: in the routine, the CLI routine and
plan, and the patient report (docs/homecare.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from scarplan.adapters.casefile import parse_case_document
from scarplan.adapters.reports.content import Variant
from scarplan.adapters.reports.render import render_html
from scarplan.domain.vocabulary import Agent, Fitzpatrick
from scarplan.entrypoints.cli.app import main
from scarplan.entrypoints.cli.console import out
from scarplan.homecare.routine import build_routine
from scarplan.knowledge import KnowledgeBase
from scarplan.services.reports import case_report
from scarplan.settings import Settings
from support.report_text import seen

TODAY = date(2026, 11, 21)


def pregnant(*agents: str, breastfeeding: bool = False) -> dict[str, Any]:
    return {
        "scarplan_case": 1,
        "patient": {
            "id": "S-1",
            "age_years": 31,
            "sex": "female",
            "fitzpatrick": "III",
            "pregnant": not breastfeeding,
            "breastfeeding": breastfeeding,
            "active_acne": "mild",
            "current_agents": list(agents),
        },
        "preferences": {"start_date": "2027-01-04"},
        "assessment": {
            "date": "2026-11-20",
            "lesions": [{"region": "cheek_left", "type": "ice_pick", "count": 6}],
        },
    }


def routine_of(knowledge: KnowledgeBase, document: dict[str, Any]):  # type: ignore[no-untyped-def]
    case = parse_case_document(document, TODAY)
    return build_routine(case, Fitzpatrick.III, [], knowledge, date(2027, 1, 4))


def test_tretinoin_in_use_in_pregnancy_is_stop_now_with_why(knowledge: KnowledgeBase) -> None:
    routine = routine_of(knowledge, pregnant("tretinoin"))
    left = {item.agent: item for item in routine.left_out}
    tretinoin = left[Agent.TRETINOIN]
    assert tretinoin.stop_now.startswith("Stop tretinoin now: you are pregnant")
    assert "pregnancy" in tretinoin.reason
    assert tretinoin.sources
    # Retinoids she does not use are left out, not stopped.
    assert left[Agent.ADAPALENE].stop_now == ""
    assert left[Agent.RETINOL].stop_now == ""


def test_breastfeeding_says_so(knowledge: KnowledgeBase) -> None:
    routine = routine_of(knowledge, pregnant("adapalene", breastfeeding=True))
    (stop,) = [item for item in routine.left_out if item.stop_now]
    assert stop.agent is Agent.ADAPALENE
    assert "you are breastfeeding" in stop.stop_now


def test_a_prescribed_oral_retinoid_is_stopped_with_the_prescriber(
    knowledge: KnowledgeBase,
) -> None:
    routine = routine_of(knowledge, pregnant("isotretinoin"))
    (stop,) = [item for item in routine.left_out if item.stop_now]
    assert stop.agent is Agent.ISOTRETINOIN
    assert "must not be used" in stop.stop_now
    assert "contact your prescriber today" in stop.stop_now


def test_a_safe_agent_in_use_is_never_stopped(knowledge: KnowledgeBase) -> None:
    routine = routine_of(knowledge, pregnant("azelaic_acid"))
    assert not [item for item in routine.left_out if item.stop_now]


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "pregnant-tretinoin.json"
    path.write_text(json.dumps(pregnant("tretinoin")))
    return path


def test_the_cli_routine_and_plan_say_stop_now(
    case_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(out, "_width", 2000)
    assert main(["routine", str(case_file)]) == 0
    routine = capsys.readouterr().out
    assert "Stop tretinoin now: you are pregnant" in routine
    assert "left out: tretinoin" not in routine
    assert "left out: adapalene" in routine
    assert main(["plan", str(case_file)]) == 0
    assert "Stop tretinoin now" in capsys.readouterr().out
    assert main(["routine", str(case_file), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    stops = {x["agent"]: x["stop_now"] for x in data["left_out"]}
    assert stops["tretinoin"].startswith("Stop tretinoin")
    assert stops["adapalene"] is None


def test_the_patient_report_says_stop_now_at_the_top(
    case_file: Path, knowledge: KnowledgeBase
) -> None:
    content = case_report(case_file, knowledge, Settings(), TODAY, Variant.PATIENT)
    assert content.routine is not None
    (stop,) = content.routine.stops
    assert stop.instruction.startswith("Stop tretinoin now")
    assert stop.why.refs
    text = seen(render_html(content))
    assert text.index("Stop now.") < text.index("Your scars")
    assert "Stop tretinoin now" in text
