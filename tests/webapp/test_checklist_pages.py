"""The pre-procedure checklist over HTTP: the API (typed answers, problem details naming the
field) and the record-a-session page (procedure first, then its checklist; a red item stops
the session with a plain message; a reason lets it through; the answers on the session)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from scarplan.adapters.db.tables import TreatmentSessionRecord
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from support.checklists import with_checklist
from support.clinic_data import patient_input
from support.consent import ensure_consents
from webapp.conftest import PASSWORD

SUBCISION = {"modality": "subcision", "regions": ["cheek_right"], "practitioner": "Dr Test"}


def new_patient(client: TestClient, **intake: Any) -> int:
    response = client.post("/api/v1/patients", json=patient_input("P-CK", **intake))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def signed(clinic: Clinic, patient_id: int, modality: str = "subcision") -> None:
    """The patient's consent to `modality`, signed and countersigned by the signed-in clinician."""
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    ensure_consents(clinic, clinician, patient_id, modality)


def sessions_saved(clinic: Clinic) -> int:
    with clinic.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(TreatmentSessionRecord)) or 0)


def visible(html: str) -> str:
    """The page's text as a reader sees it (tags and attribute values left out)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_the_api_lists_a_patients_checklist_with_what_the_record_answers(
    signed_in: TestClient,
) -> None:
    patient_id = new_patient(signed_in, implants=["implanted_electronic_device"])
    response = signed_in.get(
        f"/api/v1/patients/{patient_id}/checklist", params={"modality": "rf_microneedling"}
    )
    assert response.status_code == 200, response.text
    items = {item["id"]: item for item in response.json()["entries"]}
    assert items["implanted_device"]["severity"] == "red"
    assert items["implanted_device"]["from_record"]["answer"] == "no"
    assert "pacemaker" in items["implanted_device"]["from_record"]["note"]
    assert items["pregnancy"]["from_record"]["answer"] == "yes"
    # No consent signed yet: the patient's consents answer the item, with what is missing.
    assert items["consent_signed"]["from_record"]["answer"] == "no"
    assert items["consent_signed"]["from_record"]["note"].startswith("No signed consent for")


def test_the_api_refuses_an_unknown_procedure_naming_the_field(signed_in: TestClient) -> None:
    patient_id = new_patient(signed_in)
    response = signed_in.get(
        f"/api/v1/patients/{patient_id}/checklist", params={"modality": "laser_magic"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "modality" in response.json()["problems"][0]["path"]


def test_the_api_refuses_a_session_whose_red_items_are_not_confirmed(
    signed_in: TestClient, clinic: Clinic
) -> None:
    patient_id = new_patient(signed_in)
    signed(clinic, patient_id)
    day = (clinic.today() - timedelta(days=1)).isoformat()
    sent = {**SUBCISION, "performed_on": day}
    before = sessions_saved(clinic)
    refused = signed_in.post(f"/api/v1/patients/{patient_id}/sessions", json=sent)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    paths = [p["path"] for p in refused.json()["problems"]]
    # Blood thinners: the intake says no anticoagulants, but a bleeding disorder is not a
    # question it asks; the site today is for the clinician; the signed consent answers its
    # item.
    assert paths == ["checklist.blood_thinners", "checklist.site_clear"]
    assert sessions_saved(clinic) == before

    bad = signed_in.post(
        f"/api/v1/patients/{patient_id}/sessions",
        json={**sent, "checklist": [{"item": "consent_signed", "answer": "maybe"}]},
    )
    assert bad.status_code == 422
    assert [p["path"] for p in bad.json()["problems"]] == ["checklist[0].answer"]

    done = signed_in.post(f"/api/v1/patients/{patient_id}/sessions", json=with_checklist(sent))
    assert done.status_code == 201, done.text
    kept = {a["item_id"]: a for a in done.json()["checklist"]}
    assert kept["consent_signed"]["answer"] == "yes"
    assert kept["consent_signed"]["answered_from"] == "record"
    again = signed_in.get(f"/api/v1/sessions/{done.json()['id']}").json()
    assert again["checklist"] == done.json()["checklist"]


def test_the_page_asks_for_the_procedure_first(signed_in: TestClient) -> None:
    patient_id = new_patient(signed_in)
    first = signed_in.get(f"/patients/{patient_id}/sessions/new")
    assert first.status_code == 200
    assert "Which procedure?" in first.text
    assert "Pre-procedure checklist" not in first.text

    unknown = signed_in.get(f"/patients/{patient_id}/sessions/new?modality=laser_magic")
    assert unknown.status_code == 200
    assert "That procedure is not one the clinic records" in visible(unknown.text)


def test_the_page_shows_the_checklist_in_clinical_words(signed_in: TestClient) -> None:
    patient_id = new_patient(signed_in, herpes_labialis_history=True)
    page = signed_in.get(f"/patients/{patient_id}/sessions/new?modality=fractional_co2")
    assert page.status_code == 200
    text = visible(page.text)
    assert "Pre-procedure checklist" in text
    assert "Procedure: Fractional CO2 laser" in text
    assert "No history of cold sores, or antiviral prophylaxis started" in text
    assert "From the intake: history of cold sores (herpes labialis)" in text
    for raw in ("consent_signed", "herpes_labialis_history", "fractional_co2", "site_clear"):
        assert raw not in text, raw


def form(day: str, **extra: str) -> dict[str, Any]:
    """The session form as a clinician fills it: everything confirmed but the treatment site."""
    fields: dict[str, Any] = {
        "modality": "subcision",
        "performed_on": day,
        "practitioner": "Dr Test",
        "regions": "cheek_right",
        "checklist.goals_agreed": "yes",
        "checklist.blood_thinners": "yes",
        "checklist.site_clear": "no",
        "checklist.photos_taken": "no",
    }
    fields.update(extra)
    return fields


def test_the_page_stops_a_red_item_and_a_reason_lets_it_through(
    signed_in: TestClient, clinic: Clinic
) -> None:
    patient_id = new_patient(signed_in)
    signed(clinic, patient_id)
    day = (clinic.today() - timedelta(days=1)).isoformat()
    before = sessions_saved(clinic)

    refused = signed_in.post(f"/patients/{patient_id}/sessions", data=form(day))
    assert refused.status_code == 422
    text = visible(refused.text)
    assert "The pre-procedure checklist stops this session" in text
    assert "No active acne, infection or cold sore at the treatment site today: answered no" in text
    assert sessions_saved(clinic) == before
    # What was ticked stays ticked.
    assert re.search(r'name="checklist.blood_thinners" value="yes"\s+checked', refused.text)

    reason = "A healing spot on the jaw, away from the treated cheek"
    saved = signed_in.post(
        f"/patients/{patient_id}/sessions",
        data=form(day, **{"checklist.site_clear.reason": reason}),
        follow_redirects=False,
    )
    assert saved.status_code == 303, visible(saved.text)
    listed = visible(signed_in.get(f"/patients/{patient_id}/sessions").text)
    # The site (red, with its reason), photos (amber, no), and the amber allergy and implant
    # questions nobody answered.
    assert "Pre-procedure checklist: 4 not confirmed" in listed
    assert (
        "No allergy to the local anaesthetic or to the product to be used: not answered" in listed
    )
    assert f"Reason for going ahead: {reason}" in listed
    assert "Standard photos taken before the procedure: no" in listed
    assert "(from the patient's record)" in listed  # pregnancy, answered by the intake
