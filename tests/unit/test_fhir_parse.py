"""Reading a bundle back: every example case survives export and parse unchanged, and every
kind of broken bundle is refused with the path of what to fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from scarplan.adapters.casefile import read_case_file
from scarplan.adapters.fhir import (
    AdverseEventFacts,
    ClinicalRecord,
    PhotoFacts,
    SessionFacts,
    build_bundle,
    locate,
    parse_bundle,
    read_json,
)
from scarplan.domain.errors import InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.fhir_case import case_record
from scarplan.settings import Settings
from support.clinic_data import jpeg
from support.fhir import LOCAL

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
CASES = sorted(p.stem for p in demo_cases_dir().glob("*.yaml"))
EXAMPLES_READ_ON = date(2026, 12, 7)
"""A day on or after every example's assessment (history.yaml is assessed on 2026-12-01)."""


def record_of(name: str, knowledge: KnowledgeBase, today: date = TODAY) -> ClinicalRecord:
    case = read_case_file(demo_cases_dir() / f"{name}.yaml", today)
    return case_record(case, knowledge, Settings(), today)


@pytest.fixture(scope="module")
def treated(knowledge: KnowledgeBase) -> ClinicalRecord:
    """The mixed case, accepted, with a session (parameters, two adverse events) and photos."""
    record = record_of("mixed", knowledge)
    plan = replace(record.plans[0], status="in_progress")
    first = plan.sessions[0]
    plan = replace(plan, sessions=(replace(first, done=True), *plan.sessions[1:]))
    session = SessionFacts(
        performed_on=first.day,
        modality=first.modality,
        regions=first.regions,
        practitioner="Dr Lee",
        parameters={"tca_percent": 80.0, "passes": 2, "wavelength_nm": 1550, "agent": "TCA"},
        notes="tolerated well",
        adverse_events=(
            AdverseEventFacts("pih", "moderate", first.day, date(2027, 2, 1), "faint"),
            AdverseEventFacts("bruising", "mild", first.day, None, ""),
        ),
        planned=(0, 0),
    )
    photos = tuple(
        PhotoFacts(region, angle, first.day, consent, "image/jpeg", 64, 48, jpeg(), session_index)
        for region, angle, consent, session_index in (
            ("cheek_left", "front", "clinical_record", 0),
            ("cheek_right", "close_up", "teaching", None),
            ("forehead", "left_oblique", "clinical_record", None),
        )
    )
    return ClinicalRecord(record.patient, record.assessments, (plan,), (session,), photos)


@pytest.mark.parametrize("name", CASES)
def test_every_example_case_comes_back_as_it_went(name: str, knowledge: KnowledgeBase) -> None:
    record = record_of(name, knowledge, EXAMPLES_READ_ON)
    bundle = json.loads(json.dumps(build_bundle(record, NOW)))
    assert parse_bundle(bundle) == record


def test_sessions_adverse_events_photos_and_consent_come_back(treated: ClinicalRecord) -> None:
    bundle = json.loads(json.dumps(build_bundle(treated, NOW)))
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Procedure") == 1
    assert kinds.count("Media") == 3
    assert kinds.count("Consent") == 2  # one per scope the patient agreed to
    assert kinds.count("Practitioner") == 1
    back = parse_bundle(bundle)
    assert back == treated
    assert back.sessions[0].parameters == {
        "tca_percent": 80.0,
        "passes": 2,
        "wavelength_nm": 1550,
        "agent": "TCA",
    }
    assert isinstance(back.sessions[0].parameters["wavelength_nm"], int)
    assert back.plans[0].sessions[0].cost == treated.plans[0].sessions[0].cost


def test_a_classified_type_is_not_given_back_as_given(knowledge: KnowledgeBase) -> None:
    record = record_of("measured-only", knowledge)
    assert any("type" not in lesion.given for lesion in record.assessments[0].lesions)
    back = parse_bundle(json.loads(json.dumps(build_bundle(record, NOW))))
    assert back.assessments[0].lesions == record.assessments[0].lesions


def test_origins_name_the_bundle_path_of_each_input_field(treated: ClinicalRecord) -> None:
    bundle = json.loads(json.dumps(build_bundle(treated, NOW)))
    back = parse_bundle(bundle)
    entries = bundle["entry"]

    def element(path: str) -> Any:
        node: Any = {"entry": entries}
        for part in path.replace("[", ".[").split("."):
            node = node[int(part[1:-1])] if part.startswith("[") else node[part]
        return node

    patient = back.patient.origins
    assert element(locate(patient, "patient.id")) == "EX-MIXED"
    assert element(locate(patient, "patient.birth_date")) == "1994-03-18"
    assessment = back.assessments[0].origins
    assert element(locate(assessment, "lesions[2].width_mm")) == 2.8
    assert element(locate(assessment, "date")) == "2026-11-21"
    session = back.sessions[0].origins
    assert element(locate(session, "parameters.tca_percent")) == 80.0
    assert element(locate(session, "adverse_events[1].kind")) == "bruising"
    photo = back.photos[1].origins
    assert element(locate(photo, "consent")) == "teaching"
    # A field the bundle does not map precisely falls back to its resource.
    assert locate(session, "parameters") == session[""] + " (parameters)"


# --- broken bundles ------------------------------------------------------------------------


@pytest.fixture
def bundle(treated: ClinicalRecord) -> dict[str, Any]:
    written: dict[str, Any] = json.loads(json.dumps(build_bundle(treated, NOW)))
    return written


def index_of(bundle: dict[str, Any], kind: str, test: Callable[[dict[str, Any]], bool]) -> int:
    return next(
        n
        for n, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == kind and test(e["resource"])
    )


def problems(raw: Any) -> list[str]:
    with pytest.raises(InputError) as error:
        parse_bundle(raw)
    assert error.value.message == "the FHIR bundle cannot be imported"
    return [str(p) for p in error.value.problems]


def paths(raw: Any) -> list[str]:
    with pytest.raises(InputError) as error:
        parse_bundle(raw)
    return [p.path for p in error.value.problems]


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ([1, 2], "(top level)"),
        ({"hello": "world"}, "(top level)"),
        ({"resourceType": "Patient"}, "resourceType"),
        ({"resourceType": "Bundle", "type": "transaction", "entry": []}, "type"),
        ({"resourceType": "Bundle", "type": "collection"}, "entry"),
    ],
)
def test_non_fhir_json_is_refused(raw: Any, where: str) -> None:
    assert paths(raw) == [where]


def test_text_that_is_not_json_names_line_and_column() -> None:
    with pytest.raises(InputError) as error:
        read_json(b'{"resourceType": "Bundle",\n  "type": }')
    assert error.value.problems[0].path == "(text)"
    assert error.value.problems[0].message == "line 2, column 11: Expecting value"


def test_a_resource_scarplan_does_not_import(bundle: dict[str, Any]) -> None:
    bundle["entry"][3]["resource"] = {"resourceType": "Encounter", "status": "finished"}
    assert paths(bundle) == ["entry[3].resource.resourceType"]


def test_an_element_the_fhir_model_refuses(bundle: dict[str, Any]) -> None:
    n = index_of(bundle, "BodyStructure", lambda r: True)
    bundle["entry"][n]["resource"]["location"]["coding"][0]["system"] = 42
    bundle["entry"][0]["resource"]["birthDate"] = "18/03/1994"
    assert paths(bundle) == [
        "entry[0].resource.birthDate",
        f"entry[{n}].resource.location.coding[0].system",
    ]


def test_an_unknown_local_code_names_it_and_the_codes_allowed(bundle: dict[str, Any]) -> None:
    n = index_of(bundle, "BodyStructure", lambda r: True)
    bundle["entry"][n]["resource"]["location"]["coding"][0]["code"] = "cheek_middle"
    (problem,) = problems(bundle)
    assert problem.startswith(
        f"entry[{n}].resource.location.coding[0].code: 'cheek_middle' is not a code of "
        f"{LOCAL}region"
    )
    assert "cheek_left" in problem


def test_an_unresolved_reference(bundle: dict[str, Any]) -> None:
    n = index_of(bundle, "Procedure", lambda r: True)
    bundle["entry"][n]["resource"]["performer"][0]["actor"]["reference"] = "Practitioner/gone"
    (problem,) = problems(bundle)
    assert problem.startswith(
        f"entry[{n}].resource.performer[0].actor.reference: 'Practitioner/gone' names no entry"
    )


def test_a_coding_without_its_system(bundle: dict[str, Any]) -> None:
    n = index_of(bundle, "ServiceRequest", lambda r: True)
    del bundle["entry"][n]["resource"]["code"]["coding"][0]["system"]
    assert paths(bundle) == [f"entry[{n}].resource.code.coding[0].system"]


def test_no_patient(bundle: dict[str, Any]) -> None:
    del bundle["entry"][0]
    assert problems(bundle) == ["entry: the bundle has 0 Patient resources (give one)"]


def test_a_reference_to_the_wrong_kind_of_resource(bundle: dict[str, Any]) -> None:
    n = index_of(bundle, "Procedure", lambda r: True)
    plan = index_of(bundle, "CarePlan", lambda r: True)
    bundle["entry"][n]["resource"]["basedOn"][0]["reference"] = bundle["entry"][plan]["fullUrl"]
    (problem,) = problems(bundle)
    assert problem.startswith(f"entry[{n}].resource.basedOn[0].reference: refers to a CarePlan")


def test_a_resource_that_belongs_nowhere(bundle: dict[str, Any]) -> None:
    n = index_of(bundle, "ServiceRequest", lambda r: True)
    plan = index_of(bundle, "CarePlan", lambda r: True)
    url = bundle["entry"][n]["fullUrl"]
    activities = bundle["entry"][plan]["resource"]["activity"]
    activities[:] = [a for a in activities if a["reference"]["reference"] != url]
    found = paths(bundle)
    assert f"entry[{n}].resource" in found


def test_a_photo_without_consent_or_with_damaged_data(bundle: dict[str, Any]) -> None:
    consent = index_of(bundle, "Consent", lambda r: True)
    photo = index_of(bundle, "Media", lambda r: True)
    bundle["entry"][consent]["resource"]["status"] = "inactive"
    bundle["entry"][photo]["resource"]["content"]["data"] = "AAAA"
    found = paths(bundle)
    assert f"entry[{consent}].resource.status" in found
    assert f"entry[{photo}].resource.content.size" in found
    assert f"entry[{photo}].resource.content.hash" in found
    assert f"entry[{photo}].resource" in found  # no active consent covers it


def test_contradicting_intake_answers(bundle: dict[str, Any]) -> None:
    answer = index_of(
        bundle, "Observation", lambda r: r["code"]["coding"][0]["code"] == "active_acne"
    )
    bundle["entry"][answer]["resource"]["valueBoolean"] = False
    (problem,) = problems(bundle)
    assert problem.startswith(f"entry[{answer}].resource.valueBoolean: says no active acne")


def test_a_duplicate_full_url(bundle: dict[str, Any]) -> None:
    bundle["entry"][2]["fullUrl"] = bundle["entry"][1]["fullUrl"]
    assert paths(bundle) == ["entry[2].fullUrl"]


def test_quantities_in_another_unit_are_refused(bundle: dict[str, Any]) -> None:
    width = index_of(
        bundle, "Observation", lambda r: r["code"]["coding"][0]["code"] == "scar_width"
    )
    bundle["entry"][width]["resource"]["valueQuantity"]["code"] = "cm"
    assert paths(bundle) == [f"entry[{width}].resource.valueQuantity.code"]


def test_costs_stay_exact(treated: ClinicalRecord) -> None:
    priced = [s for s in treated.plans[0].sessions if s.cost is not None]
    assert priced, "the mixed case has priced sessions"
    assert all(isinstance(s.cost, Decimal) for s in priced)
