"""The password policy on the web: the admin Users page, `/api/v1/users`, and the demo."""

from __future__ import annotations

from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.demo_clinic import DEMO_USER, seed_demo_clinic
from scarplan.services.clinic.accounts.password_policy import password_weakness
from scarplan.services.clinic.core.context import Clinic

PASSWORD = "a long test password"
NEW = {"username": "nurse.kim", "full_name": "Kim", "role": "staff"}


def _sign_in_admin(client: TestClient, clinic: Clinic) -> None:
    users.create_user(clinic, "boss", "Boss", PASSWORD, "admin")
    signed = client.post("/api/v1/session", json={"username": "boss", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]


def _usernames(clinic: Clinic) -> set[str]:
    return {user.username for user in users.list_users(clinic)}


def test_the_users_page_refuses_a_weak_password_with_a_plain_message(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in_admin(client, clinic)

    refused = client.post("/admin/users", data={**NEW, "password": "aaaaaaaaaa"})

    assert refused.status_code == 422
    assert "one character or a short pattern repeated" in refused.text
    assert "use at least 10 characters" in refused.text
    assert "nurse.kim" not in _usernames(clinic)
    added = client.post(
        "/admin/users", data={**NEW, "password": "zebra glass 92"}, follow_redirects=False
    )
    assert added.status_code == 303
    assert "nurse.kim" in _usernames(clinic)


def test_the_api_refuses_a_weak_password_with_problem_details(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in_admin(client, clinic)

    refused = client.post("/api/v1/users", json={**NEW, "password": "Password2026!"})

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    [problem] = refused.json()["problems"]
    assert problem["path"] == "password"
    assert problem["message"] == "is one of the most common passwords"
    assert "nurse.kim" not in _usernames(clinic)
    accepted = client.post("/api/v1/users", json={**NEW, "password": "zebra glass 92"})
    assert accepted.status_code == 201


def test_the_demo_clinic_password_passes_the_policy(clinic: Clinic) -> None:
    password = seed_demo_clinic(clinic)

    assert password_weakness(password, DEMO_USER) is None
    assert users.sign_in(clinic, DEMO_USER, password)[0].username == DEMO_USER
