"""The patient's forms at home through the web app: plain words, the steps, questionnaires, and
the clinician reading the answers beside the clinical scores."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import patients
from support.treated_patient import PORTAL_PASSWORD, TreatedPatient, treated_patient
from webapp.conftest import PASSWORD

CLINICIAN_WORDS = ("Record this session", "Propose a plan", "Upload", "New assessment")


@pytest.fixture
def home(clinic: Clinic, clinician: Actor) -> TreatedPatient:
    return treated_patient(clinic, clinician)


def sign_in(client: TestClient, username: str, password: str) -> None:
    client.cookies.clear()
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]


@pytest.fixture
def patient_client(client: TestClient, home: TreatedPatient) -> TestClient:
    sign_in(client, home.username, PORTAL_PASSWORD)
    return client


def plain(page: str) -> None:
    """Nothing a patient should meet: field paths, raw ids, clinicians' buttons."""
    main = page.split("<main", 1)[1]
    assert "<code>" not in main
    words = re.sub(r"<[^>]+>", " ", main)
    for found in (*CLINICIAN_WORDS, "patient.", "preferences.", "fitzpatrick_answers"):
        assert found not in words, found


def skin_form(answers: list[int | None]) -> dict[str, Any]:
    return {f"q{i}": str(a) for i, a in enumerate(answers) if a is not None}


def test_the_skin_step_asks_the_questions_and_names_an_unanswered_one_in_plain_words(
    patient_client: TestClient, clinic: Clinic, home: TreatedPatient
) -> None:
    page = patient_client.get("/portal/intake/skin")
    assert page.status_code == 200
    assert "What is your natural hair colour?" in page.text
    assert 'name="fitzpatrick"' not in page.text  # the clinician's type is not offered
    plain(page.text)

    missing = patient_client.post("/portal/intake/skin", data=skin_form([2] * 9 + [None]))
    assert missing.status_code == 422
    assert "Please choose the answer that fits best." in missing.text
    assert "Nothing on this page was saved" in missing.text
    plain(missing.text)
    assert (
        "fitzpatrick_answers"
        not in patients.get_patient(clinic, home.actor, home.patient_id).intake["patient"]
    )

    saved = patient_client.post(
        "/portal/intake/skin", data=skin_form([2] * 10), follow_redirects=False
    )
    assert (saved.status_code, saved.headers["location"]) == (
        303,
        "/portal/intake/history?saved=skin",
    )
    stored = patients.get_patient(clinic, home.actor, home.patient_id)
    assert stored.intake["patient"]["fitzpatrick_answers"] == [2] * 10
    assert stored.fitzpatrick == "III"  # the clinician's type stays


def test_the_history_and_preferences_steps_save_and_explain_mistakes(
    patient_client: TestClient, clinic: Clinic, home: TreatedPatient
) -> None:
    wrong = patient_client.post(
        "/portal/intake/history",
        data={"pregnant": "no", "isotretinoin_status": "stopped", "conditions": "vitiligo"},
    )
    assert wrong.status_code == 422
    assert "Give the day you stopped taking it" in wrong.text
    assert 'value="vitiligo" checked' in wrong.text  # what was ticked is shown again
    plain(wrong.text)

    done = patient_client.post(
        "/portal/intake/history",
        data={
            "pregnant": "no",
            "isotretinoin_status": "stopped",
            "isotretinoin_stopped_on": "2026-01-10",
            "conditions": ["vitiligo", "pih_history"],
            "allergies": "lidocaine",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/portal/intake/preferences?saved=history"
    patient = patients.get_patient(clinic, home.actor, home.patient_id).intake["patient"]
    assert patient["conditions"] == ["vitiligo", "pih_history"]
    assert patient["allergies"] == ["lidocaine"]
    assert patient["isotretinoin"] == {"status": "stopped", "stopped_on": "2026-01-10"}

    bad_budget = patient_client.post(
        "/portal/intake/preferences",
        data={"budget_amount": "lots", "budget_currency": "USD", "max_downtime_days": "7"},
    )
    assert bad_budget.status_code == 422
    assert "Write the amount as a number, for example 2000." in bad_budget.text
    plain(bad_budget.text)

    kept = patient_client.post(
        "/portal/intake/preferences",
        data={
            "avoid_from": ["2027-02-10", ""],
            "avoid_to": ["2027-02-20", ""],
            "avoid_reason": ["wedding", ""],
            "budget_amount": "2500",
            "budget_currency": "USD",
            "max_downtime_days": "5",
        },
        follow_redirects=False,
    )
    assert kept.headers["location"] == "/portal/intake?saved=all"
    preferences = patients.get_patient(clinic, home.actor, home.patient_id).intake["preferences"]
    assert preferences["max_downtime_days"] == 5
    assert preferences["avoid"] == [{"from": "2027-02-10", "to": "2027-02-20", "reason": "wedding"}]
    assert preferences["budget"]["amount"] == 2500


def test_about_you_is_read_only_and_an_unknown_step_is_not_found(
    patient_client: TestClient, home: TreatedPatient
) -> None:
    page = patient_client.get("/portal/intake/about")
    assert "Only the clinic can change them." in page.text
    main = page.text.split("<main", 1)[1]
    # The one form asks the clinic for a correction; nothing here edits the record itself.
    assert re.findall(r'<form[^>]*action="([^"]+)"', main) == [
        f"/patients/{home.patient_id}/identity-requests"
    ]
    assert "P-HOME" in page.text
    assert patient_client.get("/portal/intake/payment").status_code == 404
    assert patient_client.get("/portal/questionnaires/face_q").status_code == 404


def test_a_patient_answers_a_questionnaire_and_the_clinician_sees_it_beside_the_scores(
    patient_client: TestClient, home: TreatedPatient
) -> None:
    listing = patient_client.get("/portal/questionnaires")
    assert "How your scars have changed" in listing.text
    assert "How satisfied you are with your treatment" in listing.text
    plain(listing.text)

    form = patient_client.get("/portal/questionnaires/pgi_i")
    assert form.text.count('type="radio"') == 7
    unanswered = patient_client.post("/portal/questionnaires/pgi_i", data={})
    assert unanswered.status_code == 422
    assert "Please choose one answer." in unanswered.text
    sent = patient_client.post(
        "/portal/questionnaires/pgi_i", data={"answer_improvement": "2"}, follow_redirects=False
    )
    assert sent.headers["location"] == "/portal/questionnaires?saved=pgi_i"
    after = patient_client.get("/portal/questionnaires?saved=pgi_i")
    assert "your answers are saved" in after.text
    assert "Much better" in after.text
    assert after.text.count('href="/portal/questionnaires/') == 1  # only satisfaction is left

    sign_in(patient_client, "dr.test", PASSWORD)
    progress = patient_client.get(f"/patients/{home.patient_id}/progress")
    assert "Patient Global Impression of Improvement (PGI-I)" in progress.text
    assert "Much better" in progress.text
    overview = patient_client.get(f"/patients/{home.patient_id}")
    assert "Patient-reported outcomes" in overview.text
    assert "Much better" in overview.text


def test_the_api_lets_the_patient_answer_and_clinicians_read_only(
    patient_client: TestClient, home: TreatedPatient
) -> None:
    url = f"/api/v1/patients/{home.patient_id}/questionnaires"
    answer = {"instrument_id": "satisfaction", "answers": {"satisfaction": 4}}
    created = patient_client.post(url, json=answer)
    assert created.status_code == 201, created.text
    assert (created.json()["score"], created.json()["items"][0]["answer"]) == (4.0, "Satisfied")
    bad = patient_client.post(
        url, json={"instrument_id": "satisfaction", "answers": {"satisfaction": 6}}
    )
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["path"] == "answers.satisfaction"

    sign_in(patient_client, "dr.test", PASSWORD)
    read = patient_client.get(url)
    assert read.status_code == 200
    assert [r["instrument_id"] for r in read.json()["answered"]] == ["satisfaction"]
    assert [d["instrument_id"] for d in read.json()["due"]] == ["pgi_i"]
    assert patient_client.post(url, json=answer).status_code == 403
    assert patient_client.get("/portal/questionnaires").status_code == 403
