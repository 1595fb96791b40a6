"""Patient-level resources: the Patient (with the planning preferences), the intake's answers,
skin type, the conditions and the medicines the patient takes or took."""

from __future__ import annotations

from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.bundle import reference, resource_id
from scarplan.adapters.fhir.preferences import preference_extensions
from scarplan.adapters.fhir.record import PatientFacts

# The intake's yes/no answers, written only when the intake stated them.
SCREENING_ANSWERS = (
    "pregnant",
    "breastfeeding",
    "keloid_history",
    "herpes_labialis_history",
    "anticoagulants",
    "skin_infection",
    "sensitive_skin",
)
ISOTRETINOIN_STATUS = {"current": "active", "stopped": "completed", "none": "not-taken"}


class PatientResources:
    """Builds the resources of one patient; `subject` is what the others refer to."""

    def __init__(self, patient: PatientFacts) -> None:
        self.patient = patient
        self.code = patient.code
        self.resource = self._patient()
        self.subject = reference(self.resource)

    def id(self, *key: object) -> str:
        return resource_id(self.code, *key)

    def _patient(self) -> dict[str, Any]:
        intake = self.patient.intake
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": self.id("patient"),
            "identifier": [{"system": codes.PATIENT_CODE, "value": self.code}],
            "gender": intake.get("sex", "unknown"),
        }
        preferences = preference_extensions(self.patient.preferences)
        if preferences:
            resource["extension"] = preferences
        if self.patient.full_name:
            resource["name"] = [{"text": self.patient.full_name}]
        if intake.get("birth_date"):
            resource["birthDate"] = intake["birth_date"]
        if self.patient.email:
            resource["telecom"] = [{"system": "email", "value": self.patient.email}]
        return resource

    def observation(
        self, key: tuple[object, ...], category: tuple[str, str, str], code: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "resourceType": "Observation",
            "id": self.id(*key),
            "status": "final",
            "category": [codes.concept(codes.coding(category))],
            "code": code,
            "subject": self.subject,
        }

    def screening(self) -> list[dict[str, Any]]:
        intake = self.patient.intake
        found = []
        for name in SCREENING_ANSWERS:
            if name in intake:
                answer = self._answer(name)
                answer["valueBoolean"] = bool(intake[name])
                found.append(answer)
        if "active_acne" in intake:
            answer = self._answer("active_acne")
            answer["valueBoolean"] = intake["active_acne"] != "none"
            found.append(answer)
        if intake.get("age_years") is not None:
            answer = self._answer("age_years")
            answer["valueQuantity"] = codes.quantity(intake["age_years"], "a", "years")
            found.append(answer)
        return found

    def _answer(self, name: str) -> dict[str, Any]:
        code = codes.local_concept("screening", name)
        return self.observation(("screening", name), codes.SURVEY, code)

    def fitzpatrick(self) -> list[dict[str, Any]]:
        skin_type = self.patient.fitzpatrick_type
        if skin_type is None:
            return []
        intake = self.patient.intake
        method = "stated" if intake.get("fitzpatrick") else "questionnaire"
        code = codes.local_concept("scale", "fitzpatrick_skin_type")
        resource = self.observation(("fitzpatrick",), codes.EXAM, code)
        resource["method"] = codes.local_concept("fitzpatrick-method", method)
        resource["valueCodeableConcept"] = codes.local_concept("fitzpatrick-type", skin_type)
        answers = intake.get("fitzpatrick_answers") or []
        if answers:
            resource["component"] = [
                {
                    "code": codes.local_concept("fitzpatrick-question", f"q{number}"),
                    "valueInteger": answer,
                }
                for number, answer in enumerate(answers, start=1)
            ]
        return [resource]

    def condition(self, key: str) -> dict[str, Any]:
        return {
            "resourceType": "Condition",
            "id": self.id("condition", key),
            "subject": self.subject,
        }

    def acne_scars(self, first_assessed: str, evidence: list[dict[str, Any]]) -> dict[str, Any]:
        """The scarring as a problem: SNOMED CT Scar with ICD-10 L90.5, due to acne."""
        resource = self.condition("acne-scars")
        resource.update(
            {
                "extension": [
                    {
                        "url": codes.DUE_TO,
                        "valueCodeableConcept": codes.concept(codes.coding(codes.ACNE)),
                    }
                ],
                "clinicalStatus": codes.concept(codes.coding(codes.ACTIVE)),
                "verificationStatus": codes.concept(codes.coding(codes.CONFIRMED)),
                "category": [codes.concept(codes.coding(codes.PROBLEM_LIST_ITEM))],
                "code": codes.concept(
                    codes.coding(codes.SCAR),
                    codes.coding(codes.SCAR_ICD10),
                    text="Acne scars",
                ),
                "recordedDate": first_assessed,
            }
        )
        if evidence:
            resource["evidence"] = [{"detail": [reference(r) for r in evidence]}]
        return resource

    def active_acne(self) -> list[dict[str, Any]]:
        severity = self.patient.intake.get("active_acne")
        if severity not in codes.SEVERITY:
            return []
        resource = self.condition("active-acne")
        resource.update(
            {
                "clinicalStatus": codes.concept(codes.coding(codes.ACTIVE)),
                "verificationStatus": codes.concept(codes.coding(codes.CONFIRMED)),
                "category": [codes.concept(codes.coding(codes.PROBLEM_LIST_ITEM))],
                "severity": codes.concept(codes.coding(codes.SEVERITY[severity])),
                "code": codes.concept(codes.coding(codes.ACNE_VULGARIS_ICD10), text="Active acne"),
            }
        )
        return [resource]

    def medicines(self) -> list[dict[str, Any]]:
        """Isotretinoin history, and the home-care agents the patient already uses."""
        intake = self.patient.intake
        found = []
        history = intake.get("isotretinoin")
        if history:
            statement = self._statement("isotretinoin", "isotretinoin")
            statement["status"] = ISOTRETINOIN_STATUS[history["status"]]
            if history.get("stopped_on"):
                statement["effectivePeriod"] = {"end": history["stopped_on"]}
            found.append(statement)
        for agent in intake.get("current_agents") or []:
            statement = self._statement(f"current-{agent}", agent)
            statement["status"] = "active"
            statement["category"] = codes.concept(codes.coding(codes.PATIENT_SPECIFIED))
            found.append(statement)
        return found

    def _statement(self, key: object, agent: str) -> dict[str, Any]:
        return {
            "resourceType": "MedicationStatement",
            "id": self.id("medication-statement", key),
            "medicationCodeableConcept": codes.local_concept("agent", agent),
            "subject": self.subject,
        }
