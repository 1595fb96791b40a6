"""The plan page says each reason and caution once (issue 20 item 5): exclusions grouped by
their reasons, the plan's cautions listed once with the procedures they concern."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support.report_text import seen

LESIONS = [
    {"region": "cheek_right", "type": "ice_pick", "count": 11, "width_mm": 0.9, "depth_mm": 1.2},
    {"region": "chin", "type": "rolling", "count": 4, "width_mm": 5.0, "depth_mm": 0.3},
]
REASON = "Trials of scar procedures excluded pregnant patients"
SKIN_RISK = "moderate pigment or scarring risk for this skin type"


def plan_page(client: TestClient, code: str, **patient: Any) -> str:
    intake = {
        "full_name": "Dana Ruiz",
        "patient": {"id": code, "birth_date": "1990-05-02", "sex": "female", **patient},
    }
    patient_id = client.post("/api/v1/patients", json=intake).json()["id"]
    saved = client.post(
        f"/api/v1/patients/{patient_id}/assessments",
        json={"date": "2026-11-20", "lesions": LESIONS},
    )
    assert saved.status_code == 201, saved.text
    plan = client.post(f"/api/v1/patients/{patient_id}/plans")
    assert plan.status_code == 201, plan.text
    page = client.get(f"/plans/{plan.json()['id']}")
    assert page.status_code == 200
    return seen(page.text)


def test_the_pregnancy_reason_is_shown_once(signed_in: TestClient) -> None:
    text = plan_page(signed_in, "P-W1", fitzpatrick="II", pregnant=True)
    assert text.count(REASON) == 1


def test_a_caution_shared_by_procedures_is_shown_once(signed_in: TestClient) -> None:
    text = plan_page(signed_in, "P-W2", fitzpatrick="IV")
    assert text.count(SKIN_RISK) == 1
