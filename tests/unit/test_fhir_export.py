"""FHIR export of a case file, pinned on examples/cases/mixed.yaml.

The expectations are written from the case and issue 8, not copied from output: the codes the
issue names (SNOMED CT 275322007 scar due to 11381005 acne, ICD-10 L90.5, L70.0 for the mild
active acne), one BodyStructure per lesion group of the case, the measurements it gives in UCUM
units, and the scores of tests/golden/assessment/g01_mixed_example.yaml (worked by hand there:
Goodman & Baron qualitative 4, quantitative 13, ECCA 115).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from scarplan.adapters.fhir import bundle_text
from scarplan.adapters.fhir.bundle import InvalidExportError, make_bundle
from scarplan.knowledge import KnowledgeBase
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.fhir_case import case_bundle
from scarplan.services.homecare import plan_file_json
from scarplan.settings import Settings
from support.fhir import assert_valid, by_url, codes, counts, local, observations, resources

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
UCUM = "http://unitsofmeasure.org"
MIXED = demo_cases_dir() / "mixed.yaml"


@pytest.fixture(scope="module")
def bundle(knowledge: KnowledgeBase) -> dict[str, Any]:
    return case_bundle(MIXED, knowledge, Settings(), TODAY, NOW)


def test_the_bundle_is_a_valid_collection_and_survives_its_own_json(
    bundle: dict[str, Any],
) -> None:
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    assert bundle["timestamp"] == "2026-11-21T09:00:00Z"
    assert_valid(bundle)
    assert_valid(json.loads(bundle_text(bundle)))
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in bundle["entry"])


def test_resource_counts_follow_the_case(bundle: dict[str, Any], knowledge: KnowledgeBase) -> None:
    plan = plan_file_json(MIXED, knowledge, Settings(), TODAY)
    found = counts(bundle)
    # 4 lesion groups: 4 counts + 4 widths + 4 depths + 1 edge profile + 1 distensible = 14;
    # 3 scale scores; 1 assessment panel; 7 stated screening answers (6 safety questions and
    # active acne); 1 Fitzpatrick type.
    assert found == {
        "Patient": 1,
        "Observation": 14 + 3 + 1 + 7 + 1,
        "BodyStructure": 4,
        "Condition": 2,
        "MedicationStatement": 1,
        "CarePlan": 1,
        "ServiceRequest": len(plan["sessions"]),
        "MedicationRequest": len(plan["routine"]["am"]) + len(plan["routine"]["pm"]),
    }


def test_patient(bundle: dict[str, Any]) -> None:
    (patient,) = resources(bundle, "Patient")
    assert patient["identifier"] == [
        {"system": "https://scarplan.org/fhir/sid/patient-code", "value": "EX-MIXED"}
    ]
    assert patient["gender"] == "female"
    assert patient["birthDate"] == "1994-03-18"
    assert "name" not in patient  # a case file has no name


def test_acne_scars_are_coded_in_snomed_and_icd10_and_due_to_acne(bundle: dict[str, Any]) -> None:
    scars = next(c for c in resources(bundle, "Condition") if codes(c["code"], SNOMED))
    assert codes(scars["code"], SNOMED) == ["275322007"]
    assert codes(scars["code"], ICD10) == ["L90.5"]
    (due_to,) = scars["extension"]
    assert due_to["url"] == "http://hl7.org/fhir/StructureDefinition/condition-dueTo"
    assert codes(due_to["valueCodeableConcept"], SNOMED) == ["11381005"]
    assert scars["recordedDate"] == "2026-11-21"


def test_mild_active_acne_is_l70_0_with_its_severity(bundle: dict[str, Any]) -> None:
    acne = next(c for c in resources(bundle, "Condition") if codes(c["code"], ICD10) == ["L70.0"])
    assert codes(acne["severity"], SNOMED) == ["255604002"]  # mild


def test_one_body_structure_per_lesion_group(bundle: dict[str, Any]) -> None:
    groups = [
        (local(b["location"], "region"), local(b["morphology"], "scar-type"))
        for b in resources(bundle, "BodyStructure")
    ]
    assert groups == [
        ("cheek_left", "ice_pick"),
        ("cheek_right", "ice_pick"),
        ("temple_left", "boxcar"),
        ("cheek_right", "rolling"),
    ]
    for structure in resources(bundle, "BodyStructure"):
        assert structure["morphology"]["coding"][0]["userSelected"] is True  # types are given


def test_measurements_in_ucum(bundle: dict[str, Any]) -> None:
    structures = {
        url: r for url, r in by_url(bundle).items() if r["resourceType"] == "BodyStructure"
    }

    def values(code: str) -> list[tuple[str | None, float, str]]:
        found = []
        for observation in observations(bundle, "finding", code):
            target = structures[observation["focus"][0]["reference"]]
            quantity = observation["valueQuantity"]
            assert quantity["system"] == UCUM
            found.append((local(target["location"], "region"), quantity["value"], quantity["code"]))
        return found

    assert values("scar_count") == [
        ("cheek_left", 14, "{scars}"),
        ("cheek_right", 9, "{scars}"),
        ("temple_left", 4, "{scars}"),
        ("cheek_right", 6, "{scars}"),
    ]
    assert [v[1:] for v in values("scar_width")] == [
        (1.1, "mm"),
        (1.3, "mm"),
        (2.8, "mm"),
        (5.5, "mm"),
    ]
    assert [v[1:] for v in values("scar_depth")] == [
        (1.4, "mm"),
        (1.2, "mm"),
        (0.4, "mm"),
        (0.3, "mm"),
    ]
    (edges,) = observations(bundle, "finding", "scar_edges")
    assert local(edges["valueCodeableConcept"], "edge-profile") == "sharp"
    (distensible,) = observations(bundle, "finding", "distensible")
    assert distensible["valueBoolean"] is True


def test_scale_scores_from_the_hand_worked_example(bundle: dict[str, Any]) -> None:
    (qualitative,) = observations(bundle, "scale", "goodman_baron_qualitative")
    (quantitative,) = observations(bundle, "scale", "goodman_baron_quantitative")
    (ecca,) = observations(bundle, "scale", "ecca")
    assert qualitative["valueInteger"] == 4
    assert quantitative["valueQuantity"]["value"] == 13
    assert quantitative["valueQuantity"]["system"] == UCUM
    assert ecca["valueInteger"] == 115
    (panel,) = observations(bundle, "finding", "scar_assessment")
    members = {m["reference"] for m in panel["hasMember"]}
    assert {f"urn:uuid:{o['id']}" for o in (qualitative, quantitative, ecca)} <= members
    assert panel["effectiveDateTime"] == "2026-11-21"


def test_fitzpatrick_and_intake_answers(bundle: dict[str, Any]) -> None:
    (skin,) = observations(bundle, "scale", "fitzpatrick_skin_type")
    assert local(skin["valueCodeableConcept"], "fitzpatrick-type") == "III"
    assert local(skin["method"], "fitzpatrick-method") == "stated"
    answers = {
        local(o["code"], "screening"): o["valueBoolean"]
        for o in resources(bundle, "Observation")
        if local(o["code"], "screening")
    }
    assert answers == {
        "pregnant": False,
        "breastfeeding": False,
        "keloid_history": False,
        "herpes_labialis_history": True,
        "anticoagulants": False,
        "skin_infection": False,
        "active_acne": True,
    }
    (isotretinoin,) = resources(bundle, "MedicationStatement")
    assert local(isotretinoin["medicationCodeableConcept"], "agent") == "isotretinoin"
    assert isotretinoin["status"] == "completed"
    assert isotretinoin["effectivePeriod"] == {"end": "2025-12-15"}


def test_the_plan_is_a_care_plan_of_service_and_medication_requests(
    bundle: dict[str, Any], knowledge: KnowledgeBase
) -> None:
    plan = plan_file_json(MIXED, knowledge, Settings(), TODAY)
    (care_plan,) = resources(bundle, "CarePlan")
    assert care_plan["status"] == "draft"  # proposed, not yet accepted
    assert care_plan["intent"] == "plan"
    assert care_plan["period"] == {"start": "2027-01-11", "end": plan["end_date"]}
    activities = [a["reference"]["reference"] for a in care_plan["activity"]]
    targets = by_url(bundle)
    kinds = [targets[url]["resourceType"] for url in activities]
    assert kinds.count("ServiceRequest") == len(plan["sessions"])
    requests = [
        targets[url] for url in activities if targets[url]["resourceType"] == "ServiceRequest"
    ]
    for request, session in zip(requests, plan["sessions"], strict=True):
        assert local(request["code"], "modality") == session["modality"]
        assert request["occurrenceDateTime"] == session["date"]
        assert [local(s, "region") for s in request["bodySite"]] == session["regions"]
        downtime = next(e for e in request["extension"] if e["url"].endswith("/downtime"))
        assert downtime["valueDuration"] == {
            "value": session["downtime_days"],
            "unit": "days",
            "system": UCUM,
            "code": "d",
        }
    steps = [(s["agent"], "MORN") for s in plan["routine"]["am"]]
    steps += [(s["agent"], "EVE") for s in plan["routine"]["pm"]]
    written = [
        (
            local(r["medicationCodeableConcept"], "agent"),
            r["dosageInstruction"][0]["timing"]["repeat"]["when"][0],
        )
        for r in resources(bundle, "MedicationRequest")
    ]
    assert written == steps


def test_every_local_code_is_from_its_code_system(bundle: dict[str, Any]) -> None:
    from scarplan.adapters.fhir.codes import SYSTEMS  # noqa: PLC0415

    def codings(value: Any) -> list[dict[str, Any]]:
        if isinstance(value, dict):
            own = [value] if "system" in value and "code" in value else []
            return own + [c for v in value.values() for c in codings(v)]
        if isinstance(value, list):
            return [c for v in value for c in codings(v)]
        return []

    for coding in codings(bundle):
        if coding["system"].startswith("https://scarplan.org/"):
            assert coding["code"] in SYSTEMS[coding["system"]], coding
            assert coding["display"] == SYSTEMS[coding["system"]][coding["code"]]


def test_the_same_case_exports_the_same_ids(knowledge: KnowledgeBase) -> None:
    later = datetime(2027, 1, 1, tzinfo=UTC)
    first = case_bundle(MIXED, knowledge, Settings(), TODAY, NOW)
    second = case_bundle(MIXED, knowledge, Settings(), TODAY, later)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


def test_an_invalid_resource_is_refused_before_anything_is_written() -> None:
    broken = {"resourceType": "Observation", "id": "x1", "status": "final", "code": {"text": 1}}
    dangling = {
        "resourceType": "Observation",
        "id": "x2",
        "status": "final",
        "code": {"coding": [{"code": "no-system"}]},
        "subject": {"reference": "urn:uuid:nowhere"},
    }
    with pytest.raises(InvalidExportError) as error:
        make_bundle([broken, dangling], NOW)
    paths = [p.path for p in error.value.problems]
    assert "entry[0].resource.code.text" in paths
    assert "entry[1].resource.subject.reference" in paths
    assert "entry[1].resource.code.coding[0].system" in paths
