"""Case files: valid ones become domain objects; each kind of bad input names its field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import yaml

from scarplan.adapters.casefile import case_json_schema, parse_case_text
from scarplan.domain.errors import InputError
from scarplan.domain.vocabulary import (
    AcneSeverity,
    EdgeProfile,
    Fitzpatrick,
    IsotretinoinStatus,
    Region,
    ScarType,
)

TODAY = date(2026, 11, 21)

VALID = """
scarplan_case: 1
patient:
  id: P-001
  birth_date: 1996-05-14
  sex: female
  fitzpatrick: III
  pregnant: false
  breastfeeding: false
  keloid_history: false
  herpes_labialis_history: false
  anticoagulants: false
  skin_infection: false
  active_acne: mild
  isotretinoin: {status: stopped, stopped_on: 2026-06-01}
preferences:
  start_date: 2026-12-01
  budget: {amount: 3000, currency: USD}
  max_downtime_days: 7
  avoid: [{from: 2027-02-10, to: 2027-02-20, reason: wedding}]
assessment:
  date: 2026-11-21
  lesions:
    - {region: cheek_left, type: ice_pick, count: 12, width_mm: 1.2, depth_mm: 1.5}
    - {region: forehead, count: 5, width_mm: 3.0, depth_mm: 0.4, edges: sharp}
    - {region: cheek_right, type: rolling, count: 8, distensible: true}
"""


def _with(path: str, value: object) -> str:
    data = yaml.safe_load(VALID)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return yaml.safe_dump(data)


_DELETE = object()


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_case_text(text, TODAY)
    return caught.value


def test_architecture_example_parses_into_domain_objects() -> None:
    case = parse_case_text(VALID, TODAY)
    assert case.patient.id == "P-001"
    assert case.patient.fitzpatrick is Fitzpatrick.III
    assert case.patient.active_acne is AcneSeverity.MILD
    assert case.patient.isotretinoin.status is IsotretinoinStatus.STOPPED
    assert case.patient.isotretinoin.stopped_on == date(2026, 6, 1)
    assert case.patient.age_on(TODAY) == 30
    assert case.patient.unstated == frozenset()
    assert case.preferences.budget is not None
    assert case.preferences.budget.amount == Decimal("3000")
    assert case.preferences.avoid[0].start == date(2027, 2, 10)
    assert case.preferences.avoid[0].reason == "wedding"
    lesions = case.assessment.lesions
    assert lesions[0].type is ScarType.ICE_PICK
    assert lesions[1].type is None
    assert lesions[1].edges is EdgeProfile.SHARP
    assert lesions[2].region is Region.CHEEK_RIGHT


def test_json_case_files_parse_the_same() -> None:
    data = yaml.safe_load(VALID)
    text = json.dumps(data, default=str)
    assert parse_case_text(text, TODAY, json_format=True) == parse_case_text(VALID, TODAY)


def test_unstated_safety_facts_default_to_no_and_are_remembered() -> None:
    text = _with("patient.pregnant", _DELETE)
    case = parse_case_text(_with_removed(text, "patient.isotretinoin"), TODAY)
    assert case.patient.pregnant is False
    assert {"pregnant", "isotretinoin"} <= case.patient.unstated


def _with_removed(text: str, path: str) -> str:
    data = yaml.safe_load(text)
    parent, key = path.rsplit(".", 1)
    node = data
    for part in parent.split("."):
        node = node[part]
    del node[key]
    return yaml.safe_dump(data)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (_with("assessment.lesions.0.region", "ear"), "assessment.lesions[0].region", "forehead"),
        (_with("assessment.lesions.0.count", -3), "assessment.lesions[0].count", "greater"),
        (_with("assessment.lesions.0.width_mm", "abc"), "assessment.lesions[0].width_mm", "number"),
        (_with("patient.id", _DELETE), "patient.id", "required"),
        (_with("assessment.date", "2027-01-05"), "assessment.date", "future"),
        (_with("scarplan_case", 2), "scarplan_case", "version 1"),
        (_with("scarplan_case", _DELETE), "scarplan_case", "scarplan_case: 1"),
        (_with("patient.fitzpatrick", "VII"), "patient.fitzpatrick", "'VI'"),
        (_with("patient.fitzpatrick_answers", [1, 2]), "patient.fitzpatrick_answers", "10"),
        (_with("patient.pregnant", "maybe"), "patient.pregnant", "true or false"),
        (_with("patient.colour", "x"), "patient.colour", "spelling"),
        (
            _with("patient.isotretinoin", {"status": "stopped"}),
            "patient.isotretinoin",
            "stopped_on",
        ),
        (_with("assessment.lesions.0.depth_mm", float("nan")), "depth_mm", "finite"),
        (_with("assessment.lesions.1.width_mm", _DELETE), "assessment.lesions[1]", "width_mm"),
        (_with("preferences.avoid.0.to", "2027-01-01"), "preferences.avoid[0]", "before"),
        (_with("preferences.budget.currency", "usd"), "preferences.budget.currency", "pattern"),
        (_with("assessment.date", 20261121), "assessment.date", "ISO date"),
        (_with("patient.birth_date", "2026-11-22"), "patient.birth_date", "after"),
        (_with("assessment.lesions", []), "assessment.lesions", "at least 1"),
    ],
)
def test_bad_input_names_the_field_and_the_fix(text: str, field: str, words: str) -> None:
    error = _error(text)
    rendered = str(error)
    assert field in rendered, rendered
    assert words.lower() in rendered.lower(), rendered


def test_syntax_errors_give_line_and_column() -> None:
    error = _error("scarplan_case: 1\npatient: {id: [unclosed\n")
    assert "line" in str(error)


def test_yaml_aliases_are_refused() -> None:
    error = _error("a: &x [1, 2]\nb: *x\n")
    assert "aliases" in str(error)


def test_top_level_must_be_a_mapping() -> None:
    assert "mapping" in str(_error("- just\n- a list\n"))


def test_oversized_input_is_refused() -> None:
    assert "too large" in str(_error("#" * 1_100_000))


def test_json_schema_describes_every_field() -> None:
    schema = case_json_schema()
    assert schema["title"] == "scarplan case file (version 1)"
    lesion = schema["$defs"]["LesionIn"]["properties"]
    assert {"region", "type", "count", "width_mm", "depth_mm", "edges", "distensible"} <= set(
        lesion
    )
    assert all("description" in spec for spec in lesion.values())
    assert "from" in schema["$defs"]["AvoidIn"]["properties"]
