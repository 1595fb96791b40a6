"""Issue 22 item 6, words for people: what a clinician or the front desk reads on a page is in
clinical language with the fix; field paths, ids, "(got 150.0)" and "see docs/..." stay in the
API's problem details. Each known case first, then a walk over every page error this file
provokes, looking for developer text left over."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.checklists import with_checklist
from support.report_text import seen

ROLLING = {
    "lesion_region": "cheek_left",
    "lesion_type": "rolling",
    "lesion_count": "6",
    "lesion_width_mm": "5",
    "lesion_depth_mm": "0.3",
    "lesion_edges": "sloped",
}
QUALITATIVE_ASKED = (
    "Scar group 1 (left cheek, rolling): record whether it is visible at 50 cm, covered by "
    "make-up and distensible — needed for the Goodman &amp; Baron qualitative grade."
)
LEFTOVERS = re.compile(r"\[\d+\]|docs/|\(got |_mm\b|lesions\.|<code>|visible_at_50cm")


def _patient(client: TestClient, code: str = "P-W22") -> int:
    intake = {
        "full_name": "Ana Silva",
        "patient": {"id": code, "birth_date": "1990-05-02", "sex": "female", "fitzpatrick": "III"},
        "preferences": {"start_date": "2026-12-01"},
    }
    created = client.post("/api/v1/patients", json=intake)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _form(**changes: str) -> dict[str, Any]:
    return {"date": "2026-11-20", "notes": "", **ROLLING, **changes}


def _problems(html: str) -> str:
    """The alert and the problems beside the fields, as a reader sees them."""
    found = re.findall(
        r'<div class="alert".*?</div>|<span class="field-error"[^>]*>.*?</span>', html, re.S
    )
    return unescape(" ".join(" ".join(re.sub(r"<[^>]+>", " ", part).split()) for part in found))


def test_the_assessment_form_records_what_the_qualitative_grade_needs(
    signed_in: TestClient,
) -> None:
    patient_id = _patient(signed_in)
    form = signed_in.get(f"/patients/{patient_id}/assessments/new").text
    for name in ("visible_at_50cm", "covered_by_makeup", "distensible"):
        assert f'name="lesion_{name}"' in form

    unasked = signed_in.post(f"/patients/{patient_id}/assessments/preview", data=_form())
    assert QUALITATIVE_ASKED in unasked.text
    assert "assessment.lesions[0]" not in unasked.text
    assert "visible_at_50cm" not in seen(unasked.text)

    recorded = _form(
        lesion_visible_at_50cm="yes", lesion_covered_by_makeup="no", lesion_distensible="yes"
    )
    asked = signed_in.post(f"/patients/{patient_id}/assessments/preview", data=recorded)
    assert asked.status_code == 200
    assert "record whether" not in asked.text  # the warning clears once the form records them
    assert 'data-score="gb-qualitative">grade 3' in asked.text  # visible, not hidden, distensible

    saved = signed_in.post(
        f"/patients/{patient_id}/assessments", data=recorded, follow_redirects=False
    )
    assert saved.status_code == 303
    stored = signed_in.get(f"/api/v1/patients/{patient_id}/assessments").json()
    (lesion,) = stored["items"][0]["lesions"] if "items" in stored else stored[0]["lesions"]
    assert (lesion["visible_at_50cm"], lesion["covered_by_makeup"], lesion["distensible"]) == (
        True,
        False,
        True,
    )
    shown = signed_in.get(saved.headers["location"]).text
    assert "record whether" not in shown


def test_a_saved_warning_reads_as_a_clinical_sentence(signed_in: TestClient) -> None:
    patient_id = _patient(signed_in, "P-W23")
    saved = signed_in.post(
        f"/patients/{patient_id}/assessments", data=_form(), follow_redirects=False
    )
    assert saved.status_code == 303
    shown = signed_in.get(saved.headers["location"]).text
    assert QUALITATIVE_ASKED in shown
    assert "assessment.lesions[0]" not in shown


def test_a_value_over_its_limit_names_the_field_the_limit_and_the_fix(
    signed_in: TestClient,
) -> None:
    patient_id = _patient(signed_in, "P-W24")
    refused = signed_in.post(
        f"/patients/{patient_id}/assessments", data=_form(lesion_width_mm="150")
    )
    assert refused.status_code == 422
    text = _problems(refused.text)
    assert (
        "Scar group 1 (left cheek, rolling), width (mm): must be 50 or less (you entered 150); "
        "correct it and save again." in text
    )
    assert "(got 150.0)" not in refused.text
    assert "docs/case-format.md" not in refused.text
    # The API keeps the path for programs.
    api = signed_in.post(
        f"/api/v1/patients/{patient_id}/assessments",
        json={
            "date": "2026-11-20",
            "lesions": [{"region": "cheek_left", "count": 3, "width_mm": 150.0}],
        },
    )
    assert api.status_code == 422
    assert [p["path"] for p in api.json()["problems"]] == ["lesions[0].width_mm"]


def test_moving_a_session_into_the_past_says_whose_and_which_day(signed_in: TestClient) -> None:
    patient_id = _patient(signed_in, "P-W25")
    signed_in.post(f"/patients/{patient_id}/assessments", data=_form())
    plan = signed_in.post(f"/api/v1/patients/{patient_id}/plans")
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]
    version = plan.json()["version"]
    refused = signed_in.post(
        f"/plans/{plan_id}/edit",
        data={"day_0": "2026-11-01", "reason": "patient asked", "based_on": str(version)},
    )
    assert refused.status_code == 422
    text = _problems(refused.text)
    assert "You cannot move Ana Silva's session to 1 Nov 2026: that day has passed." in text
    assert "2026-11-01" not in text


def test_session_settings_and_adverse_events_are_named_in_clinical_words(
    signed_in: TestClient,
) -> None:
    patient_id = _patient(signed_in, "P-W26")
    form = seen(signed_in.get(f"/patients/{patient_id}/sessions/new?modality=tca_cross").text)
    for words in ("TCA concentration (%)", "Pulse energy (mJ)", "Needle depth (mm)"):
        assert words in form
    recorded = signed_in.post(
        f"/api/v1/patients/{patient_id}/sessions",
        json=with_checklist(
            {
                "performed_on": "2026-11-20",
                "modality": "tca_cross",
                "regions": ["cheek_left"],
                "practitioner": "Dr Test",
                "parameters": {"tca_percent": 70.0, "energy_mj": 20.0},
                "adverse_events": [{"kind": "pih", "severity": "mild", "onset_on": "2026-11-20"}],
                "consent_override_reason": "signed on paper; scanned into the file",
            }
        ),
    )
    assert recorded.status_code == 201, recorded.text
    listed = seen(signed_in.get(f"/patients/{patient_id}/sessions").text)
    assert "TCA concentration (%): 70.0" in listed
    assert "Pulse energy (mJ): 20.0" in listed
    assert "Post-inflammatory hyperpigmentation (PIH)" in listed
    for raw in ("Tca percent", "Energy mj", "Pih "):
        assert raw not in listed

    too_strong = signed_in.post(
        f"/patients/{patient_id}/sessions",
        data={
            "performed_on": "2026-11-20",
            "modality": "tca_cross",
            "regions": "cheek_left",
            "practitioner": "Dr Test",
            "tca_percent": "150",
        },
    )
    assert too_strong.status_code == 422
    text = _problems(too_strong.text)
    assert "TCA concentration (%): must be 100 or less (you entered 150)" in text


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"lesion_count": "many"}, "number of scars: must be a whole number (you entered many)"),
        ({"lesion_depth_mm": "0"}, "depth (mm): must be more than 0 (you entered 0)"),
        ({"date": "2099-01-01"}, "Date: 1 Jan 2099 is in the future; use 21 Nov 2026 or earlier."),
    ],
)
def test_other_assessment_problems_read_as_sentences(
    signed_in: TestClient, changes: dict[str, str], expected: str
) -> None:
    patient_id = _patient(signed_in, f"P-W3{len(expected)}")
    refused = signed_in.post(f"/patients/{patient_id}/assessments", data=_form(**changes))
    assert refused.status_code == 422
    assert expected in _problems(refused.text)


def test_no_page_error_shows_developer_text(signed_in: TestClient) -> None:
    """The walk: a refused form of each kind, every problem it shows checked for leftovers."""
    patient_id = _patient(signed_in, "P-W40")
    signed_in.post(f"/patients/{patient_id}/assessments", data=_form())
    plan = signed_in.post(f"/api/v1/patients/{patient_id}/plans").json()
    session = {"performed_on": "2026-11-20", "modality": "tca_cross", "practitioner": "Dr Test"}
    refused = [
        *(
            signed_in.post(f"/patients/{patient_id}/assessments", data=_form(**changes))
            for changes in (
                {"lesion_width_mm": "150"},
                {"lesion_count": "many"},
                {"lesion_depth_mm": "0"},
                {"lesion_type": "keloidish"},
                {"date": "2099-01-01"},
            )
        ),
        signed_in.post(
            f"/plans/{plan['id']}/edit",
            data={"day_0": "2026-11-01", "reason": "asked", "based_on": str(plan["version"])},
        ),
        signed_in.post(
            f"/patients/{patient_id}/sessions",
            data={**session, "regions": "cheek_left", "tca_percent": "150", "passes": "two"},
        ),
        signed_in.post(f"/patients/{patient_id}/sessions", data=session),
        signed_in.post(
            "/patients",
            data={"full_name": "Bea Costa", "code": "P-W41", "birth_date": "2099-01-01"},
        ),
    ]
    for response in refused:
        assert response.status_code in (409, 422), response.url
        text = _problems(response.text)
        assert text, response.url
        assert LEFTOVERS.search(text) is None, text
        assert "got " not in text, text
