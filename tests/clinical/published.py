"""Loading ``published_cases.yaml`` and turning an entry into a case file (issue 19).

Kept apart from the planner so the file's structural test runs even while planning is broken.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from scarplan.domain.vocabulary import Fitzpatrick
from scarplan.knowledge import default_data_dir

CASES_FILE = Path(__file__).with_name("published_cases.yaml")
TODAY = date(2027, 2, 1)
START_DATE = date(2027, 3, 1)


def load_cases(path: Path = CASES_FILE) -> list[dict[str, Any]]:
    """The entries of ``published_cases.yaml`` (its ``cases`` list)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = document["cases"]
    return cases


def source_ids() -> set[str]:
    """Every ``id`` in the shipped knowledge base's ``sources.yaml``."""
    text = (default_data_dir() / "sources.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    entries = document["sources"] if isinstance(document, dict) else document
    return {entry["id"] for entry in entries}


def patient_id(entry_id: str) -> str:
    """The case's patient id: the entry id in upper case with hyphens."""
    return entry_id.upper().replace("_", "-")


def middle_fitzpatrick(types: list[str]) -> str:
    """The middle of the enrolled skin types (the lower of two middles); III when unknown."""
    if not types:
        return Fitzpatrick.III.value
    ordered = sorted((Fitzpatrick(t) for t in types), key=lambda t: t.ordinal)
    return ordered[(len(ordered) - 1) // 2].value


def case_document(entry: dict[str, Any]) -> dict[str, Any]:
    """The case file (as data) that represents one published entry: ten scars of the target
    type on the left cheek with the entry's representative lesion; no budget or downtime
    limit."""
    lesion: dict[str, Any] = {"region": "cheek_left", "type": entry["target"], "count": 10}
    for key, value in entry["lesion"].items():
        lesion[key] = float(value) if key in {"width_mm", "depth_mm"} else value
    return {
        "scarplan_case": 1,
        "patient": {
            "id": patient_id(entry["id"]),
            "age_years": 35,
            "sex": "unknown",
            "fitzpatrick": middle_fitzpatrick(entry["fitzpatrick"]),
            "active_acne": "none",
            "isotretinoin": {"status": "none"},
        },
        "preferences": {"start_date": START_DATE},
        "assessment": {"date": TODAY, "lesions": [lesion]},
    }
