"""Planning preferences in a FHIR bundle: scarplan extensions on the Patient, values written by
hand from the case file and the preferences given here; unstated preferences have no extension
and come back unstated; a malformed preference extension is refused at its bundle path."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from scarplan.adapters.casefile import read_case_file
from scarplan.adapters.fhir import ClinicalRecord, build_bundle, parse_bundle, stated_preferences
from scarplan.domain.errors import InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.fhir_case import case_record
from scarplan.settings import Settings
from support.fhir import assert_valid, resources

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
BASE = "https://scarplan.org/fhir/StructureDefinition/"
UCUM = "http://unitsofmeasure.org"
STATED: dict[str, Any] = {
    "start_date": "2026-12-01",
    "budget": {"amount": 3000.0, "currency": "EUR"},
    "max_downtime_days": 7,
    "avoid": [
        {"from": "2027-02-10", "to": "2027-02-20", "reason": "wedding"},
        {"from": "2027-04-01", "to": "2027-04-03", "reason": ""},
    ],
    "home_care_budget": "low",
}


@pytest.fixture(scope="module")
def mixed(knowledge: KnowledgeBase) -> ClinicalRecord:
    case = read_case_file(demo_cases_dir() / "mixed.yaml", TODAY)
    return case_record(case, knowledge, Settings(), TODAY)


def with_preferences(record: ClinicalRecord, preferences: dict[str, Any]) -> ClinicalRecord:
    return replace(record, patient=replace(record.patient, preferences=preferences))


def exported(record: ClinicalRecord) -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(json.dumps(build_bundle(record, NOW)))
    assert_valid(bundle)
    return bundle


def patient_extensions(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    (patient,) = resources(bundle, "Patient")
    found: list[dict[str, Any]] = patient.get("extension", [])
    return found


def test_the_case_files_preferences_are_patient_extensions(mixed: ClinicalRecord) -> None:
    # examples/mixed.yaml: start 2027-01-11, budget 4000 USD, at most 7 days of downtime, and
    # 10 to 18 April 2027 kept free for the sister's wedding; no home-care budget.
    assert patient_extensions(exported(mixed)) == [
        {"url": f"{BASE}preference-start-date", "valueDate": "2027-01-11"},
        {"url": f"{BASE}preference-budget", "valueMoney": {"value": 4000, "currency": "USD"}},
        {
            "url": f"{BASE}preference-max-downtime",
            "valueDuration": {"value": 7, "unit": "days", "system": UCUM, "code": "d"},
        },
        {
            "url": f"{BASE}preference-avoid",
            "extension": [
                {"url": "period", "valuePeriod": {"start": "2027-04-10", "end": "2027-04-18"}},
                {"url": "reason", "valueString": "sister's wedding"},
            ],
        },
    ]


def test_every_preference_has_its_extension_and_comes_back(mixed: ClinicalRecord) -> None:
    record = with_preferences(mixed, STATED)
    bundle = exported(record)
    assert patient_extensions(bundle) == [
        {"url": f"{BASE}preference-start-date", "valueDate": "2026-12-01"},
        {"url": f"{BASE}preference-budget", "valueMoney": {"value": 3000, "currency": "EUR"}},
        {
            "url": f"{BASE}preference-max-downtime",
            "valueDuration": {"value": 7, "unit": "days", "system": UCUM, "code": "d"},
        },
        {
            "url": f"{BASE}preference-avoid",
            "extension": [
                {"url": "period", "valuePeriod": {"start": "2027-02-10", "end": "2027-02-20"}},
                {"url": "reason", "valueString": "wedding"},
            ],
        },
        {
            "url": f"{BASE}preference-avoid",
            "extension": [
                {"url": "period", "valuePeriod": {"start": "2027-04-01", "end": "2027-04-03"}}
            ],
        },
        {"url": f"{BASE}preference-home-care-budget", "valueCode": "low"},
    ]
    assert parse_bundle(bundle).patient.preferences == STATED


def test_unstated_preferences_have_no_extension_and_stay_unstated(
    mixed: ClinicalRecord,
) -> None:
    nothing: dict[str, Any] = {
        "start_date": None,
        "budget": None,
        "max_downtime_days": None,
        "avoid": [],
        "home_care_budget": None,
    }
    assert stated_preferences(nothing) == {}
    bundle = exported(with_preferences(mixed, stated_preferences(nothing)))
    assert patient_extensions(bundle) == []
    assert parse_bundle(bundle).patient.preferences == {}


def test_a_limit_of_zero_days_is_stated_not_dropped(mixed: ClinicalRecord) -> None:
    bundle = exported(with_preferences(mixed, {"max_downtime_days": 0}))
    (downtime,) = patient_extensions(bundle)
    assert downtime["valueDuration"]["value"] == 0
    assert parse_bundle(bundle).patient.preferences == {"max_downtime_days": 0}


def budget_as_text(extension: dict[str, Any]) -> None:
    extension.pop("valueMoney")
    extension["valueString"] = "3000 EUR"


def money_without_currency(extension: dict[str, Any]) -> None:
    del extension["valueMoney"]["currency"]


def downtime_in_hours(extension: dict[str, Any]) -> None:
    extension["valueDuration"]["code"] = "h"


def window_without_end(extension: dict[str, Any]) -> None:
    del extension["extension"][0]["valuePeriod"]["end"]


def window_without_period(extension: dict[str, Any]) -> None:
    del extension["extension"][0]


def window_with_a_stray_part(extension: dict[str, Any]) -> None:
    extension["extension"].append({"url": "why", "valueString": "wedding"})


def window_with_a_value(extension: dict[str, Any]) -> None:
    extension["valueString"] = "February"


@pytest.mark.parametrize(
    ("position", "damage", "where"),
    [
        (1, budget_as_text, "entry[0].resource.extension[1]"),
        (1, money_without_currency, "entry[0].resource.extension[1].valueMoney"),
        (2, downtime_in_hours, "entry[0].resource.extension[2].valueDuration"),
        (3, window_without_end, "entry[0].resource.extension[3].extension[0].valuePeriod"),
        (3, window_without_period, "entry[0].resource.extension[3].extension"),
        (3, window_with_a_stray_part, "entry[0].resource.extension[3].extension[2].url"),
        (3, window_with_a_value, "entry[0].resource.extension[3]"),
    ],
)
def test_a_malformed_preference_is_refused_at_its_path(
    mixed: ClinicalRecord, position: int, damage: Any, where: str
) -> None:
    bundle = exported(with_preferences(mixed, STATED))
    assert bundle["entry"][0]["resource"]["resourceType"] == "Patient"
    damage(bundle["entry"][0]["resource"]["extension"][position])
    with pytest.raises(InputError) as error:
        parse_bundle(bundle)
    assert [p.path for p in error.value.problems] == [where]


def test_a_preference_given_twice_is_refused(mixed: ClinicalRecord) -> None:
    bundle = exported(with_preferences(mixed, STATED))
    extensions = bundle["entry"][0]["resource"]["extension"]
    extensions.append(dict(extensions[1]))
    with pytest.raises(InputError) as error:
        parse_bundle(bundle)
    (problem,) = error.value.problems
    assert problem.path == f"entry[0].resource.extension[{len(extensions) - 1}]"
    assert "a second" in problem.message
