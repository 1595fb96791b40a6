"""The forms offer every field of the models they fill: each test walks a pydantic input model
and looks for the field's box in the page as served, so a field added to a model (a session
parameter, a lesion column, a medical-history question) fails here until the form offers it or
the exception below says why it does not."""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi.testclient import TestClient

from scarplan.adapters.casefile.schema import AssessmentIn, LesionIn, PatientIn, PreferencesIn
from scarplan.services.clinic.core.inputs import (
    AssessmentInput,
    PatientIntake,
    SessionInput,
    SessionParameters,
)
from support.clinic_data import patient_input

NAME = re.compile(r'\bname="([^"]+)"')

SESSION_BOXES = {
    "adverse_events": "ae_kind",
    "checklist": "checklist.",
    "parameters": "",  # one box per parameter, checked on its own below
}
SESSION_ELSEWHERE = {
    "consent_override_reason": "shown only after a session was refused for want of consent",
}
PATIENT_BOXES = {
    "id": "code",
    "fitzpatrick_answers": "q0",
    "isotretinoin": "isotretinoin_status",
    "prior_procedures": "prior_kind_",
    "budget": "budget_amount",
    "avoid": "avoid_from",
    "patient": "",  # sections: their fields are checked one by one
    "preferences": "",
}
ASSESSMENT_BOXES = {"lesions": "lesion_region", "date": "date", "notes": "notes"}
ASSESSMENT_ELSEWHERE = {
    "macular": "flat marks are recorded through the API and case files; the form has no row yet",
}


def names(html: str) -> set[str]:
    return set(NAME.findall(html))


def missing(offered: set[str], fields: Mapping[str, object], boxes: Mapping[str, str]) -> list[str]:
    """Fields with no box: a box is named as the field, or as `boxes` says (a prefix)."""
    absent = []
    for field in fields:
        box = boxes.get(field, field)
        if box and not any(name == box or name.startswith(box) for name in offered):
            absent.append(field)
    return absent


def new_patient(client: TestClient) -> int:
    response = client.post("/api/v1/patients", json=patient_input("P-FORM"))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_the_session_form_offers_every_session_field_and_parameter(signed_in: TestClient) -> None:
    patient_id = new_patient(signed_in)
    page = signed_in.get(f"/patients/{patient_id}/sessions/new?modality=tca_cross")
    assert page.status_code == 200
    offered = names(page.text)
    fields = {k: v for k, v in SessionInput.model_fields.items() if k not in SESSION_ELSEWHERE}
    assert missing(offered, fields, SESSION_BOXES) == []
    assert missing(offered, SessionParameters.model_fields, {}) == []
    assert set(SESSION_ELSEWHERE) <= set(SessionInput.model_fields)


def test_the_intake_form_offers_every_patient_and_preference_field(signed_in: TestClient) -> None:
    page = signed_in.get("/patients/new")
    assert page.status_code == 200
    offered = names(page.text)
    for model in (PatientIntake, PatientIn, PreferencesIn):
        assert missing(offered, model.model_fields, PATIENT_BOXES) == [], model.__name__


def test_the_assessment_form_offers_every_lesion_column(signed_in: TestClient) -> None:
    patient_id = new_patient(signed_in)
    page = signed_in.get(f"/patients/{patient_id}/assessments/new")
    assert page.status_code == 200
    offered = names(page.text)
    columns = {f"lesion_{name}": spec for name, spec in LesionIn.model_fields.items()}
    assert missing(offered, columns, {}) == []
    fields = {
        k: v for k, v in AssessmentInput.model_fields.items() if k not in ASSESSMENT_ELSEWHERE
    }
    assert missing(offered, fields, ASSESSMENT_BOXES) == []
    assert set(ASSESSMENT_ELSEWHERE) <= set(AssessmentIn.model_fields)
