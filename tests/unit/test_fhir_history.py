"""The medical history in FHIR (issue 20): conditions as Conditions, allergies as
AllergyIntolerances, implants as Devices, medicine classes as MedicationStatements and earlier
procedures as Procedures; each exported, read back unchanged, and refused with its bundle path
when a code is unknown or the item is not current.

The expected codes are written from docs/fhir.md, not copied from output."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from scarplan.adapters.fhir import ClinicalRecord, PatientFacts, build_bundle, locate, parse_bundle
from scarplan.domain.errors import InputError
from support.fhir import LOCAL, assert_valid, codes, counts, local, resources

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
SNOMED = "http://snomed.info/sct"
HISTORY: dict[str, Any] = {
    "sex": "female",
    "birth_date": "1982-02-11",
    "conditions": ["vitiligo", "pih_history", "lupus"],
    "allergies": ["lidocaine", "bovine_collagen"],
    "implants": ["implanted_electronic_device", "facial_metal_implant"],
    "medications": ["photosensitising", "immunosuppressant"],
    "current_agents": ["sunscreen"],
    "prior_procedures": [
        {
            "kind": "permanent_filler",
            "product": "silicone",
            "regions": ["cheek_left"],
            "date": "2015-05-01",
        },
        {"kind": "ha_filler", "regions": ["cheek_right", "chin"], "date": "2026-03-02"},
        {"kind": "subcision"},
    ],
}


def record(intake: dict[str, Any] | None = None) -> ClinicalRecord:
    return ClinicalRecord(PatientFacts("P-HIST", "Ana Souza", intake or HISTORY, None), ())


def exported(intake: dict[str, Any] | None = None) -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(json.dumps(build_bundle(record(intake), NOW)))
    return bundle


def patient_reference(bundle: dict[str, Any]) -> dict[str, str]:
    (patient,) = resources(bundle, "Patient")
    return {"reference": f"urn:uuid:{patient['id']}"}


def test_every_history_item_has_its_resource() -> None:
    bundle = exported()
    assert_valid(bundle)
    assert counts(bundle) == {
        "Patient": 1,
        "Condition": 3,
        "AllergyIntolerance": 2,
        "Device": 2,
        "MedicationStatement": 3,  # two medicine classes and the sunscreen in use
        "Procedure": 3,
    }


def test_conditions_are_problems_with_local_and_snomed_codes() -> None:
    bundle = exported()
    vitiligo, pih, lupus = resources(bundle, "Condition")
    assert local(vitiligo["code"], "condition") == "vitiligo"
    assert codes(vitiligo["code"], SNOMED) == ["56727007"]
    assert codes(lupus["code"], SNOMED) == ["200936003"]
    assert local(pih["code"], "condition") == "pih_history"
    assert codes(pih["code"], SNOMED) == []  # no exact concept found: the local code only
    assert vitiligo["code"]["text"] == "Vitiligo"
    for condition in (vitiligo, pih, lupus):
        assert condition["subject"] == patient_reference(bundle)
        assert codes(
            condition["clinicalStatus"], "http://terminology.hl7.org/CodeSystem/condition-clinical"
        ) == ["active"]
        assert codes(
            condition["category"][0], "http://terminology.hl7.org/CodeSystem/condition-category"
        ) == ["problem-list-item"]


def test_allergies_name_the_substance() -> None:
    bundle = exported()
    lidocaine, collagen = resources(bundle, "AllergyIntolerance")
    assert local(lidocaine["code"], "allergy") == "lidocaine"
    assert codes(lidocaine["code"], SNOMED) == ["387480006"]  # Lidocaine (substance)
    assert lidocaine["category"] == ["medication"]
    assert lidocaine["type"] == "allergy"
    assert local(collagen["code"], "allergy") == "bovine_collagen"
    assert "category" not in collagen  # a filler material: no FHIR category says so
    assert lidocaine["patient"] == patient_reference(bundle)
    assert codes(
        lidocaine["clinicalStatus"],
        "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
    ) == ["active"]


def test_implants_are_devices_of_the_patient() -> None:
    bundle = exported()
    devices = resources(bundle, "Device")
    assert [local(d["type"], "implant") for d in devices] == [
        "implanted_electronic_device",
        "facial_metal_implant",
    ]
    for device in devices:
        assert device["status"] == "active"
        assert device["patient"] == patient_reference(bundle)


def test_medicine_classes_are_active_medication_statements() -> None:
    bundle = exported()
    classes = [
        r
        for r in resources(bundle, "MedicationStatement")
        if local(r["medicationCodeableConcept"], "medication-class")
    ]
    assert [local(r["medicationCodeableConcept"], "medication-class") for r in classes] == [
        "photosensitising",
        "immunosuppressant",
    ]
    assert all(r["status"] == "active" and "category" not in r for r in classes)


def test_earlier_procedures_are_completed_procedures_of_the_history() -> None:
    bundle = exported()
    silicone, hyaluronic, subcision = resources(bundle, "Procedure")
    for procedure in (silicone, hyaluronic, subcision):
        assert procedure["status"] == "completed"
        assert local(procedure["category"], "procedure-category") == "prior_procedure"
        assert "performer" not in procedure  # done before, by someone scarplan does not know
    assert local(silicone["code"], "prior-procedure") == "permanent_filler"
    assert silicone["usedCode"] == [{"text": "silicone"}]
    assert silicone["performedDateTime"] == "2015-05-01"
    assert [local(s, "region") for s in silicone["bodySite"]] == ["cheek_left"]
    assert local(hyaluronic["code"], "modality") == "ha_filler"
    assert [local(s, "region") for s in hyaluronic["bodySite"]] == ["cheek_right", "chin"]
    assert local(subcision["code"], "modality") == "subcision"
    assert {"performedDateTime", "bodySite", "usedCode"}.isdisjoint(subcision)


def test_the_history_comes_back_as_it_went() -> None:
    bundle = exported()
    back = parse_bundle(bundle)
    assert back == record()
    assert back.patient.intake["prior_procedures"] == HISTORY["prior_procedures"]


def test_an_id_given_twice_is_exported_once() -> None:
    bundle = exported({**HISTORY, "conditions": ["vitiligo", "vitiligo"]})
    assert counts(bundle)["Condition"] == 1
    assert parse_bundle(bundle).patient.intake["conditions"] == ["vitiligo"]


def test_origins_name_where_each_history_item_was_read() -> None:
    bundle = exported()
    origins = parse_bundle(bundle).patient.origins
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    first_procedure = kinds.index("Procedure")
    assert locate(origins, "patient.prior_procedures[1].date") == (
        f"entry[{first_procedure + 1}].resource.performedDateTime"
    )
    assert locate(origins, "patient.prior_procedures[0].regions[0]") == (
        f"entry[{first_procedure}].resource.bodySite[0].coding[0].code"
    )
    device = kinds.index("Device")
    assert locate(origins, "patient.implants[1]") == (
        f"entry[{device + 1}].resource.type.coding[0].code"
    )


def test_a_condition_coded_in_snomed_only_is_read() -> None:
    """A bundle from another system may give the standard code alone."""
    bundle = exported({**HISTORY, "conditions": ["psoriasis"]})
    (condition,) = resources(bundle, "Condition")
    condition["code"] = {"coding": [{"system": SNOMED, "code": "9014002"}]}
    assert parse_bundle(bundle).patient.intake["conditions"] == ["psoriasis"]


# --- refused ---------------------------------------------------------------------------------


def _nth(bundle: dict[str, Any], kind: str, nth: int = 0) -> tuple[int, dict[str, Any]]:
    found = [
        (n, e["resource"])
        for n, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == kind
    ]
    return found[nth]


def _recode(kind: str, element: str, code: str, nth: int = 0) -> Callable[[dict[str, Any]], int]:
    def damage(bundle: dict[str, Any]) -> int:
        index, resource = _nth(bundle, kind, nth)
        resource[element]["coding"][0]["code"] = code
        return index

    return damage


def _set(kind: str, element: str, value: Any, nth: int = 0) -> Callable[[dict[str, Any]], int]:
    def damage(bundle: dict[str, Any]) -> int:
        index, resource = _nth(bundle, kind, nth)
        if value is None:
            del resource[element]
        else:
            resource[element] = copy.deepcopy(value)
        return index

    return damage


RESOLVED = {
    "coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "resolved"}
    ]
}


@pytest.mark.parametrize(
    ("damage", "element", "message"),
    [
        (
            _recode("Condition", "code", "leprosy"),
            "code.coding[0].code",
            f"'leprosy' is not a code of {LOCAL}condition",
        ),
        (
            _recode("AllergyIntolerance", "code", "peanut"),
            "code.coding[0].code",
            f"'peanut' is not a code of {LOCAL}allergy",
        ),
        (
            _recode("Device", "type", "pacemaker"),
            "type.coding[0].code",
            f"'pacemaker' is not a code of {LOCAL}implant",
        ),
        (
            _recode("MedicationStatement", "medicationCodeableConcept", "steroid", 1),
            "medicationCodeableConcept.coding[0].code",
            f"'steroid' is not a code of {LOCAL}medication-class",
        ),
        (
            _recode("Procedure", "code", "botox"),
            "code.coding[0].code",
            f"'botox' is not a code of {LOCAL}prior-procedure",
        ),
        (
            _recode("Procedure", "code", "laser_hair_removal", 1),
            "code.coding[0].code",
            f"'laser_hair_removal' is not a code of {LOCAL}modality",
        ),
        (
            _set("Procedure", "code", {"text": "botox"}),
            "code",
            "has no procedure scarplan knows",
        ),
        (
            _set(
                "Procedure",
                "bodySite",
                [{"coding": [{"system": f"{LOCAL}region", "code": "neck"}]}],
            ),
            "bodySite[0].coding[0].code",
            f"'neck' is not a code of {LOCAL}region",
        ),
        (
            _set("Procedure", "status", "not-done"),
            "status",
            "an earlier procedure is one that was done",
        ),
        (
            _set("Procedure", "performedDateTime", "2015"),
            "performedDateTime",
            "'2015' is not a full date",
        ),
        (
            _set("Condition", "clinicalStatus", RESOLVED),
            "clinicalStatus.coding[0].code",
            "scarplan records what the patient has now",
        ),
        (
            _set("Device", "status", "inactive"),
            "status",
            "scarplan records the implants the patient has now",
        ),
        (
            _set("MedicationStatement", "status", "stopped", 1),
            "status",
            "scarplan records the medicines the patient takes now",
        ),
        (
            _set(
                "AllergyIntolerance", "code", {"coding": [{"system": SNOMED, "code": "91936005"}]}
            ),
            "code.coding",
            f"has no coding from {LOCAL}allergy",
        ),
        (_set("Device", "patient", None), "patient", "is missing"),
    ],
    ids=[
        "unknown_condition",
        "unknown_allergy",
        "unknown_implant",
        "unknown_medicine_class",
        "unknown_earlier_procedure",
        "unknown_procedure",
        "no_procedure_code",
        "unknown_region",
        "not_done",
        "a_year_only",
        "resolved_condition",
        "removed_device",
        "stopped_medicine",
        "another_allergy_code",
        "device_of_nobody",
    ],
)
def test_a_broken_history_item_is_refused_naming_its_path(
    damage: Callable[[dict[str, Any]], int], element: str, message: str
) -> None:
    bundle = exported()
    index = damage(bundle)
    with pytest.raises(InputError) as raised:
        parse_bundle(bundle)
    problems = {p.path: p for p in raised.value.problems}
    path = f"entry[{index}].resource.{element}"
    assert path in problems, problems
    assert message in str(problems[path])


def test_an_unknown_code_lists_the_accepted_ones() -> None:
    bundle = exported()
    _recode("Condition", "code", "leprosy")(bundle)
    with pytest.raises(InputError) as raised:
        parse_bundle(bundle)
    (problem,) = raised.value.problems
    assert "vitiligo" in problem.hint
    assert "active_cold_sore" in problem.hint
