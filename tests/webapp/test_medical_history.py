"""The medical history (issue 20): the intake form, the patient page and the REST API carry every
condition, allergy, implant, medicine class and earlier procedure; an unknown id is refused
naming the field and listing the accepted ones."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scarplan.domain.vocabulary import Allergy, Implant, MedicalCondition, Medication

HISTORY: dict[str, Any] = {
    "conditions": ["vitiligo", "pih_history"],
    "allergies": ["lidocaine", "bovine_collagen"],
    "implants": ["implanted_electronic_device", "facial_metal_implant"],
    "medications": ["photosensitising", "immunosuppressant"],
    "prior_procedures": [
        {
            "kind": "permanent_filler",
            "product": "silicone",
            "regions": ["cheek_left", "chin"],
            "date": "2015-05-01",
        },
        {"kind": "ha_filler", "regions": ["cheek_right"], "date": "2026-03-02"},
        {"kind": "subcision"},
    ],
}
INTAKE: dict[str, Any] = {
    "full_name": "Ana Souza",
    "patient": {"id": "P-9", "birth_date": "1995-04-02", "sex": "female", **HISTORY},
}
FORM: dict[str, Any] = {
    "full_name": "Lena Park",
    "code": "P-2001",
    "birth_date": "1997-05-14",
    "conditions": ["vitiligo", "lupus"],
    "allergies": ["lidocaine"],
    "implants": ["implanted_electronic_device"],
    "medications": ["photosensitising"],
    "prior_kind_0": "permanent_filler",
    "prior_product_0": "silicone",
    "prior_regions_0": ["cheek_left"],
    "prior_date_0": "2015-05-01",
    "prior_kind_1": "",  # the blank row the form always offers
    "prior_product_1": "",
    "prior_date_1": "",
    "prior_kind_3": "fractional_co2",  # a row added in the browser; rows need not be contiguous
    "prior_date_3": "2024-06-10",
}


def _beside(page: str, field: str) -> str:
    """The inline error inside the label that holds the input named `field`."""
    label = re.search(rf'<label>[^<]*<(?:input|select)[^>]*name="{field}".*?</label>', page, re.S)
    assert label is not None, f"no label for {field}"
    error = re.search(r'<span class="field-error" role="alert">([^<]+)</span>', label[0])
    assert error is not None, f"no error beside {field}: {label[0]}"
    return error[1]


def _checked(page: str, name: str) -> list[str]:
    found = re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)" checked>', page)
    return list(found)


# --- the web intake --------------------------------------------------------------------------


def test_the_intake_form_offers_every_id_with_plain_words(signed_in: TestClient) -> None:
    page = signed_in.get("/patients/new").text
    assert "<legend>Medical history</legend>" in page
    for name, ids in (
        ("conditions", MedicalCondition),
        ("allergies", Allergy),
        ("implants", Implant),
        ("medications", Medication),
    ):
        for item in ids:
            box = re.search(
                rf'<input type="checkbox" name="{name}" value="{item.value}"\s*> ([^<]+)</label>',
                page,
            )
            assert box is not None, (name, item)
            assert "_" not in box[1], box[1]  # words, never the raw id
    assert "> Vitiligo</label>" in page
    assert "> Lidocaine allergy</label>" in page
    assert '<option value="permanent_filler" >Permanent filler (silicone, PMMA)</option>' in page
    assert 'name="prior_kind_0"' in page
    assert 'id="prior-row-template"' in page


def test_the_intake_form_saves_the_history_and_the_patient_page_shows_it(
    signed_in: TestClient,
) -> None:
    answer = signed_in.post("/patients", data=FORM)
    assert answer.status_code == 200, answer.text
    patient_id = int(str(answer.url).rsplit("/", 1)[1])
    page = answer.text
    card = page[page.index('id="medical-h"') : page.index('id="history-h"')]
    for words in (
        "Vitiligo",
        "Lupus",
        "Lidocaine allergy",
        "Implanted electronic device (pacemaker, defibrillator, neurostimulator)",
        "A medicine that makes the skin sensitive to light",
        "Permanent filler (silicone, PMMA) · silicone · Left cheek · 01 May 2015",
        "Fractional CO2 laser · 10 Jun 2024",
    ):
        assert words in card, words
    assert "_" not in re.sub(r"<[^>]+>", "", card)  # no raw ids on the page

    stored = signed_in.get(f"/api/v1/patients/{patient_id}").json()["intake"]["patient"]
    assert stored["conditions"] == ["vitiligo", "lupus"]
    assert stored["allergies"] == ["lidocaine"]
    assert stored["implants"] == ["implanted_electronic_device"]
    assert stored["medications"] == ["photosensitising"]
    assert stored["prior_procedures"] == [
        {
            "kind": "permanent_filler",
            "product": "silicone",
            "regions": ["cheek_left"],
            "date": "2015-05-01",
        },
        {"kind": "fractional_co2", "date": "2024-06-10"},
    ]

    edit = signed_in.get(f"/patients/{patient_id}/edit").text
    assert _checked(edit, "conditions") == ["vitiligo", "lupus"]
    assert _checked(edit, "allergies") == ["lidocaine"]
    assert _checked(edit, "prior_regions_0") == ["cheek_left"]
    assert '<option value="fractional_co2" selected>' in edit
    assert 'name="prior_remove_1"' in edit  # each saved row can be removed
    assert 'name="prior_kind_2"' in edit  # and a blank row follows them


def test_an_edit_removes_a_procedure_and_clears_the_ticks(signed_in: TestClient) -> None:
    answer = signed_in.post("/patients", data=FORM)
    patient_id = int(str(answer.url).rsplit("/", 1)[1])
    edited = {
        key: value
        for key, value in FORM.items()
        if key not in ("conditions", "allergies", "implants", "medications")
    }
    edited["prior_remove_0"] = "yes"
    assert signed_in.post(f"/patients/{patient_id}", data=edited).status_code == 200
    stored = signed_in.get(f"/api/v1/patients/{patient_id}").json()["intake"]["patient"]
    assert stored["prior_procedures"] == [{"kind": "fractional_co2", "date": "2024-06-10"}]
    for name in ("conditions", "allergies", "implants", "medications"):
        assert name not in stored
    page = signed_in.get(f"/patients/{patient_id}").text
    assert "Vitiligo" not in page


def test_intake_problems_are_shown_beside_their_fields(signed_in: TestClient) -> None:
    no_kind = signed_in.post("/patients", data={**FORM, "prior_kind_0": ""})
    assert no_kind.status_code == 422
    # The accepted kinds, in words (issue 22: no ids on a clinician's page).
    assert "permanent filler" in _beside(no_kind.text, "prior_kind_0")
    assert "permanent_filler" not in _beside(no_kind.text, "prior_kind_0")
    assert 'value="silicone"' in no_kind.text  # what was typed is kept
    future = signed_in.post("/patients", data={**FORM, "prior_date_3": "2099-01-01"})
    assert future.status_code == 422
    # The rows come back as entered, numbered again: the blank row is gone.
    assert "future" in _beside(future.text, "prior_date_1")
    assert signed_in.get("/api/v1/patients").json()["total"] == 0


def test_a_tampered_history_id_is_named_in_its_group(signed_in: TestClient) -> None:
    answer = signed_in.post("/patients", data={**FORM, "allergies": ["lidocaine", "peanut"]})
    assert answer.status_code == 422
    group = answer.text[answer.text.index('id="history-allergies"') :]
    group = group[: group.index("</fieldset>")]
    error = re.search(r'<span class="field-error" role="alert">([^<]+)</span>', group)
    assert error is not None
    assert "Lidocaine" in error[1]  # the accepted allergies, in words (issue 22)
    assert "local_anaesthetic_other" not in error[1]
    assert "(you entered peanut)" in error[1]  # and what was sent


# --- the REST API ----------------------------------------------------------------------------


def test_the_api_round_trips_every_history_item(signed_in: TestClient) -> None:
    created = signed_in.post("/api/v1/patients", json=INTAKE)
    assert created.status_code == 201, created.text
    patient_id = created.json()["id"]
    assert created.json()["intake"]["patient"] == INTAKE["patient"]
    read = signed_in.get(f"/api/v1/patients/{patient_id}").json()
    assert read["intake"]["patient"] == INTAKE["patient"]

    changed = {
        **INTAKE,
        "patient": {
            **INTAKE["patient"],
            "conditions": ["psoriasis"],
            "allergies": [],
            "prior_procedures": [{"kind": "tca_cross", "regions": ["forehead"]}],
        },
    }
    replaced = signed_in.put(f"/api/v1/patients/{patient_id}", json=changed)
    assert replaced.status_code == 200, replaced.text
    again = signed_in.get(f"/api/v1/patients/{patient_id}").json()["intake"]["patient"]
    assert again == changed["patient"]


@pytest.mark.parametrize(
    ("field", "value", "path", "accepted"),
    [
        ("conditions", ["vitiligo", "leprosy"], "patient.conditions[1]", "'active_cold_sore'"),
        ("allergies", ["peanut"], "patient.allergies[0]", "'hyaluronidase'"),
        ("implants", ["pacemaker"], "patient.implants[0]", "'facial_metal_implant'"),
        ("medications", ["steroid"], "patient.medications[0]", "'immunosuppressant'"),
        ("prior_procedures", [{"kind": "botox"}], "patient.prior_procedures[0].kind", "prp"),
        (
            "prior_procedures",
            [{"kind": "ha_filler", "regions": ["cheek_middle"]}],
            "patient.prior_procedures[0].regions[0]",
            "'jaw_right'",
        ),
    ],
)
def test_an_unknown_id_is_refused_naming_the_field_and_the_accepted_ones(
    signed_in: TestClient, field: str, value: Any, path: str, accepted: str
) -> None:
    bad = {**INTAKE, "patient": {**INTAKE["patient"], field: value}}
    response = signed_in.post("/api/v1/patients", json=bad)
    assert response.status_code == 422
    problems = {p["path"]: p["message"] for p in response.json()["problems"]}
    assert path in problems, problems
    assert accepted in problems[path]
    assert signed_in.get("/api/v1/patients").json()["total"] == 0


def test_a_future_earlier_procedure_is_refused(signed_in: TestClient) -> None:
    bad = {
        **INTAKE,
        "patient": {
            **INTAKE["patient"],
            "prior_procedures": [{"kind": "prp", "date": "2099-01-01"}],
        },
    }
    response = signed_in.post("/api/v1/patients", json=bad)
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == "patient.prior_procedures[0].date"


def test_openapi_shows_the_history_enums(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    patient = schemas["PatientIn"]["properties"]
    for field, enum, ids in (
        ("conditions", "MedicalCondition", MedicalCondition),
        ("allergies", "Allergy", Allergy),
        ("implants", "Implant", Implant),
        ("medications", "Medication", Medication),
    ):
        assert patient[field]["items"] == {"$ref": f"#/components/schemas/{enum}"}
        assert schemas[enum]["enum"] == [i.value for i in ids]
    prior = schemas["PriorProcedureIn"]["properties"]
    assert patient["prior_procedures"]["items"] == {"$ref": "#/components/schemas/PriorProcedureIn"}
    assert "permanent_filler" in prior["kind"]["enum"]
    assert "ha_filler" in prior["kind"]["enum"]
    assert prior["regions"]["items"] == {"$ref": "#/components/schemas/Region"}
