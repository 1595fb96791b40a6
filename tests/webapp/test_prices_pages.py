"""The price list from the web app: the admin page shows the list in force beside the published
estimates and saves a new version (CSRF-checked, audited); the API reads and writes the same."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from scarplan.domain.vocabulary import Modality
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.plans import prices
from support.clinic_data import assessment_input, patient_input

PASSWORD = "a long test password"


def _sign_in(client: TestClient, clinic: Clinic, role: str = "admin") -> None:
    users.create_user(clinic, f"{role}.p", role, PASSWORD, role)
    signed = client.post("/api/v1/session", json={"username": f"{role}.p", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]


def _form(**amounts: str) -> dict[str, str]:
    data = {"currency": "usd", "reason": "opening prices"}
    data |= {f"amount_{m}": a for m, a in amounts.items()}
    return data


def test_the_page_lists_every_procedure_with_its_published_estimate(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in(client, clinic)
    page = client.get("/admin/prices")
    assert page.status_code == 200
    for modality in Modality:
        assert f'name="amount_{modality.value}"' in page.text
    assert "USD 180-200 per session (2026)" in page.text  # tca_cross's estimate
    assert "No price list is in force yet" in page.text


def test_saving_the_form_adds_a_version_that_is_then_in_force(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in(client, clinic)
    saved = client.post(
        "/admin/prices",
        data=_form(tca_cross="250", punch_excision="120") | {"per_punch_excision": "scar"},
        follow_redirects=False,
    )
    assert (saved.status_code, saved.headers["location"]) == (303, "/admin/prices")
    with clinic.uow.read() as session:
        in_force = prices.clinic_price_list(session, clinic.today())
    assert in_force is not None
    assert in_force.prices.currency == "USD"
    assert in_force.prices.prices[Modality.PUNCH_EXCISION].per.value == "scar"
    shown = client.get("/admin/prices").text
    assert "In force: version" in shown
    assert "opening prices" in shown
    assert 'value="250.00"' in shown


def test_a_wrong_amount_is_shown_on_its_row_and_nothing_is_saved(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in(client, clinic)
    refused = client.post("/admin/prices", data=_form(subcision="lots"))
    assert refused.status_code == 422
    assert 'value="lots"' in refused.text
    assert "field-error" in refused.text
    with clinic.uow.read() as session:
        assert prices.clinic_price_list(session, clinic.today()) is None


def test_the_form_needs_the_csrf_token(client: TestClient, clinic: Clinic) -> None:
    _sign_in(client, clinic)
    client.headers.pop("X-CSRF-Token")
    refused = client.post("/admin/prices", data=_form(tca_cross="250"))
    assert refused.status_code == 403
    with clinic.uow.read() as session:
        assert prices.clinic_price_list(session, clinic.today()) is None


def test_the_api_saves_a_version_and_reads_it_back_with_its_history(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in(client, clinic)
    body = {
        "currency": "EUR",
        "prices": {"tca_cross": {"amount": "220.00", "per": "scar"}, "subcision": {"amount": 380}},
        "reason": "euro prices",
    }
    created = client.post("/api/v1/prices", json=body)
    assert created.status_code == 201, created.text
    version = created.json()
    assert version["price_list"]["prices"]["subcision"] == {"amount": "380.00", "per": "session"}
    assert version["created_by"] == "admin.p"
    assert not version["complete"]

    read = client.get("/api/v1/prices").json()
    assert read["current"]["version"] == version["version"]
    assert [v["reason"] for v in read["history"]] == ["euro prices"]
    assert len(read["estimates"]) == len(Modality)

    wrong = client.post("/api/v1/prices", json=body | {"prices": {"subcision": {"amount": -1}}})
    assert wrong.status_code == 422


def test_a_clinician_may_not_read_or_change_prices(client: TestClient, clinic: Clinic) -> None:
    _sign_in(client, clinic, "clinician")
    assert client.get("/api/v1/prices").status_code == 403
    assert client.get("/admin/prices").status_code == 403


def test_the_plan_page_shows_each_sessions_price_source_and_the_total_range(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in(client, clinic, "clinician")
    patient = client.post("/api/v1/patients", json=patient_input("P-RANGE", "Range")).json()
    saved = client.post(
        f"/api/v1/patients/{patient['id']}/assessments",
        json=assessment_input(clinic.today() - timedelta(days=1)),
    )
    assert saved.status_code == 201, saved.text
    plan = client.post(f"/api/v1/patients/{patient['id']}/plans").json()
    page = client.get(f"/plans/{plan['id']}").text
    assert "published estimates: USD" in page
    assert "the upper end is planned" in page
    assert ">estimate</small>" in page
