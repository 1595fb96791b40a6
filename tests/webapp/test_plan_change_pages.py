"""The plan page's change forms (add, swap, regions and settings) and the same changes on the
API's plan edit endpoint; refusals say why in words on the page, with paths in the API's
problem details; an empty plan offers no "Accept plan"."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

INTAKE: dict[str, Any] = {
    "full_name": "Ben Okafor",
    "patient": {"id": "P-22", "birth_date": "1988-03-14", "sex": "male", "fitzpatrick": "II"},
}
# Narrow ice picks (TCA CROSS) and shallow boxcar (a field course).
LESIONS = [
    {"region": "cheek_right", "type": "ice_pick", "count": 11, "width_mm": 0.9, "depth_mm": 1.2},
    {"region": "forehead", "type": "boxcar", "count": 4, "width_mm": 2.5, "depth_mm": 0.3},
]


def planned(client: TestClient, intake: dict[str, Any] = INTAKE) -> dict[str, Any]:
    patient_id = client.post("/api/v1/patients", json=intake).json()["id"]
    saved = client.post(
        f"/api/v1/patients/{patient_id}/assessments",
        json={"date": "2026-11-20", "lesions": LESIONS},
    )
    assert saved.status_code == 201, saved.text
    plan = client.post(f"/api/v1/patients/{patient_id}/plans")
    assert plan.status_code == 201, plan.text
    document: dict[str, Any] = plan.json()
    return document


def test_the_forms_offer_procedures_by_name_and_settings_with_their_range(
    signed_in: TestClient,
) -> None:
    plan = planned(signed_in)
    page = signed_in.get(f"/plans/{plan['id']}").text
    assert "Add a procedure" in page
    assert "Swap a procedure for another" in page
    assert '<option value="ha_filler">Hyaluronic acid filler</option>' in page
    assert "Regions and settings: TCA CROSS" in page
    assert "65\u2013100</small>" not in page  # the unit follows the range
    assert "65\u2013100 %" in page
    assert 'name="setting_value" type="number"' in page


def test_adding_a_procedure_on_the_page_saves_a_version(signed_in: TestClient) -> None:
    plan = planned(signed_in)
    saved = signed_in.post(
        f"/plans/{plan['id']}/edit",
        data={
            "based_on": "1",
            "kind": "add",
            "modality": "ha_filler",
            "regions": ["forehead"],
            "reason": "volume loss on the forehead",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    after = signed_in.get(f"/api/v1/plans/{plan['id']}").json()
    assert after["version"] == 2
    assert [s["modality"] for s in after["sessions"]].count("ha_filler") == 3
    assert all(s["cost"] is not None for s in after["sessions"])
    page = signed_in.get(f"/plans/{plan['id']}").text
    assert "volume loss on the forehead" in page


def test_a_refused_change_shows_its_reason_in_words_and_saves_nothing(
    signed_in: TestClient,
) -> None:
    plan = planned(signed_in)
    cross = [str(s["id"]) for s in plan["sessions"] if s["modality"] == "tca_cross"]
    refused = signed_in.post(
        f"/plans/{plan['id']}/edit",
        data={
            "based_on": "1",
            "kind": "change",
            "sessions": cross,
            "regions": ["cheek_right"],
            "setting_name": ["TCA concentration", "TCA concentration (lower-strength regimen)"],
            "setting_value": ["30", ""],
            "reason": "weaker acid",
        },
    )
    assert refused.status_code == 422
    assert "Not saved" in refused.text
    assert "TCA concentration 30 % is outside the published range" in refused.text
    assert "Enter a value from 65 to 100 %" in refused.text
    assert "change.parameters" not in refused.text
    assert signed_in.get(f"/api/v1/plans/{plan['id']}").json()["version"] == 1


def test_the_api_adds_swaps_and_refuses_with_paths(signed_in: TestClient) -> None:
    plan = planned(signed_in)
    versions = f"/api/v1/plans/{plan['id']}/versions"
    field = next(s["modality"] for s in plan["sessions"] if s["modality"] != "tca_cross")
    other = "fractional_co2" if field == "fractional_erbium" else "fractional_erbium"
    swap = {
        "based_on": 1,
        "reason": "another laser instead",
        "swap": {"replace": field, "course": {"modality": other}},
    }
    done = signed_in.post(versions, json=swap)
    assert done.status_code == 201, done.text
    assert field not in {s["modality"] for s in done.json()["sessions"]}

    wrong = signed_in.post(
        versions,
        json={
            "based_on": 2,
            "reason": "too many",
            "add": {"modality": "ha_filler", "regions": ["forehead"], "sessions": 50},
        },
    )
    assert wrong.status_code == 422
    assert wrong.json()["problems"][0]["path"] == "add.sessions"
    mixed = signed_in.post(
        versions,
        json={
            "based_on": 2,
            "reason": "two",
            "add": {"modality": "ha_filler", "regions": ["forehead"]},
            "remove": [done.json()["sessions"][0]["id"]],
        },
    )
    assert mixed.status_code == 422


def test_an_empty_plan_offers_no_accept_button(signed_in: TestClient) -> None:
    pregnant = {**INTAKE, "patient": {**INTAKE["patient"], "id": "P-23", "pregnant": True}}
    plan = planned(signed_in, pregnant)
    assert plan["sessions"] == []
    page = signed_in.get(f"/plans/{plan['id']}").text
    assert "Accept plan" not in page
    assert "cannot be accepted" in page
    refused = signed_in.post(f"/api/v1/plans/{plan['id']}/accept")
    assert refused.status_code == 409
    assert refused.json()["problems"][0]["path"] == "sessions"


def test_nonsense_in_the_forms_is_refused_not_a_server_error(signed_in: TestClient) -> None:
    plan = planned(signed_in)
    cross = [str(s["id"]) for s in plan["sessions"] if s["modality"] == "tca_cross"]
    cases: list[dict[str, Any]] = [
        {
            "kind": "change",
            "sessions": cross,
            "setting_name": "TCA concentration",
            "setting_value": "lots",
        },
        {"kind": "change", "sessions": ["999999"], "regions": ["chin"]},
        {"kind": "add", "modality": "laser_pointer", "regions": ["chin"]},
        {"kind": "add", "modality": "ha_filler"},
        {"kind": "add", "modality": "ha_filler", "regions": ["chin"], "first_day": "9999-12-31"},
        {"kind": "swap", "replace": "ha_filler", "modality": "microneedling"},
    ]
    for fields in cases:
        answer = signed_in.post(
            f"/plans/{plan['id']}/edit", data={"based_on": "1", "reason": "try", **fields}
        )
        assert answer.status_code == 422, (fields, answer.status_code)
        assert "Not saved" in answer.text, fields
    assert signed_in.get(f"/api/v1/plans/{plan['id']}").json()["version"] == 1
