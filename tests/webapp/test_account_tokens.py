"""The API tokens page: each user lists, creates and revokes their own tokens; the secret is
shown once; a token made on the page signs API calls in until it is revoked."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input

PASSWORD = "a long test password"
SECRET = re.compile(r'value="(spt_[^"]+)"')


def _sign_in_on_the_login_page(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    signed = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _create(client: TestClient, **fields: str) -> tuple[int, str]:
    page = client.get("/account/tokens").text
    answer = client.post("/account/tokens", data={**fields, "csrf_token": _csrf(page)})
    return answer.status_code, answer.text


def _revoke_form(page: str, name: str) -> str:
    form = rf"<td[^>]*>{name}</td>.*?action=\"(/account/tokens/\d+/revoke)\""
    found = re.search(form, page, re.S)
    assert found is not None, page
    return found[1]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_made_on_the_page_signs_api_calls_in_until_it_is_revoked(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in_on_the_login_page(client, "dr.test")
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    patient = patients.create_patient(clinic, clinician, patient_input())
    assert 'href="/account/tokens"' in client.get("/account/tokens").text

    status, page = _create(client, name="lab script", role="staff", days="30")
    assert status == 201, page
    secret = SECRET.search(page)
    assert secret is not None
    assert "will not be shown again" in page
    listed = client.get("/api/v1/patients", headers=_bearer(secret[1]))
    assert listed.status_code == 200
    session = client.get("/api/v1/session", headers=_bearer(secret[1])).json()
    assert (session["username"], session["role"]) == ("dr.test", "staff")
    # The token's role, not its owner's: staff may not read assessments.
    scores = f"/api/v1/patients/{patient.id}/assessments"
    assert client.get(scores, headers=_bearer(secret[1])).status_code == 403

    reloaded = client.get("/account/tokens").text
    assert secret[1] not in reloaded
    assert SECRET.search(reloaded) is None
    assert re.search(r"<td[^>]*>lab script</td><td[^>]*>staff</td>", reloaded)
    assert "active" in reloaded

    revoked = client.post(
        _revoke_form(reloaded, "lab script"),
        data={"csrf_token": _csrf(reloaded)},
        follow_redirects=False,
    )
    assert (revoked.status_code, revoked.headers["location"]) == (303, "/account/tokens")
    assert client.get("/api/v1/session", headers=_bearer(secret[1])).status_code == 401
    after = client.get("/account/tokens").text
    assert "revoked" in after
    assert "/revoke" not in after


def test_bad_input_is_shown_beside_its_field_and_creates_no_token(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in_on_the_login_page(client, "dr.test")
    owner = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    cases = [
        ({"name": "", "days": "30"}, "name"),
        ({"name": "x", "days": "soon"}, "days"),
        ({"name": "x", "days": "400"}, "days"),
        ({"name": "x", "role": "admin", "days": "30"}, "role"),
        ({"name": "x", "role": "emperor", "days": "30"}, "role"),
    ]
    for fields, field in cases:
        status, page = _create(client, **fields)
        assert status == 422, (fields, status)
        error = re.search(rf'name="{field}".*?<span class="field-error" role="alert">', page, re.S)
        assert error is not None, (fields, page)
        assert SECRET.search(page) is None
    assert users.list_api_tokens(clinic, owner) == []


def test_a_form_without_the_csrf_token_is_refused_and_creates_nothing(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in_on_the_login_page(client, "dr.test")
    refused = client.post("/account/tokens", data={"name": "forged", "days": "30"})
    assert refused.status_code == 403
    owner = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    assert users.list_api_tokens(clinic, owner) == []


def test_a_portal_patient_manages_tokens_for_their_own_record_only(
    client: TestClient, clinic: Clinic
) -> None:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    own = patients.create_patient(clinic, clinician, patient_input("P-1", "Own Person"))
    other = patients.create_patient(clinic, clinician, patient_input("P-2", "Other Person"))
    users.create_user(clinic, "ana.p", "Ana", PASSWORD, "patient", patient_id=own.id)
    _sign_in_on_the_login_page(client, "ana.p")

    page = client.get("/account/tokens").text
    # The page works for them, but the header does not offer it: a patient's pages carry
    # nothing meant for the clinic's integrations.
    assert 'href="/account/tokens"' not in page.split("<main", 1)[0]
    offered = re.findall(r'<option value="([a-z]+)"', page)
    assert offered == ["patient"]
    status, created = _create(client, name="phone", days="7")
    assert status == 201
    secret = SECRET.search(created)
    assert secret is not None
    with_token = _bearer(secret[1])
    assert client.get(f"/api/v1/patients/{own.id}", headers=with_token).status_code == 200
    assert client.get(f"/api/v1/patients/{other.id}", headers=with_token).status_code == 404


def test_each_role_is_offered_no_role_wider_than_its_own(
    client: TestClient, clinic: Clinic
) -> None:
    expected = {
        "admin": ["admin"],
        "clinician": ["clinician", "staff"],
        "staff": ["staff"],
        "researcher": ["researcher"],
    }
    for role, offered in expected.items():
        users.create_user(clinic, f"{role}.tok", role, PASSWORD, role)
        client.cookies.clear()
        _sign_in_on_the_login_page(client, f"{role}.tok")
        page = client.get("/account/tokens").text
        assert re.findall(r'<option value="([a-z]+)"', page) == offered, role


def test_no_one_sees_or_revokes_another_users_token_through_the_page(
    client: TestClient, clinic: Clinic
) -> None:
    other = users.create_user(clinic, "dr.other", "Dr Other", PASSWORD, "clinician")
    theirs = users.issue_api_token(clinic, other, {"name": "their script"})
    _sign_in_on_the_login_page(client, "dr.test")

    page = client.get("/account/tokens").text
    assert "their script" not in page
    refused = client.post(f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": _csrf(page)})
    assert refused.status_code == 404
    assert "no such token" in refused.text.lower()
    assert client.get("/api/v1/session", headers=_bearer(theirs.token)).status_code == 200
    assert [t.active for t in users.list_api_tokens(clinic, other)] == [True]


def test_a_token_cannot_mint_another_token(client: TestClient, clinic: Clinic) -> None:
    """Issue 24, finding 4: a 1-day token minted a 365-day one, which outlived the revoked
    parent. Tokens are made from a signed-in browser session only."""
    _sign_in_on_the_login_page(client, "dr.test")
    status, page = _create(client, name="one day", days="1")
    assert status == 201, page
    secret = SECRET.search(page)
    assert secret is not None
    client.cookies.clear()  # the attacker holds only the token
    with_token = _bearer(secret[1])

    minted = client.post(
        "/api/v1/tokens", json={"name": "for ever", "days": 365}, headers=with_token
    )
    assert minted.status_code == 403, minted.text
    assert "signed-in browser session" in minted.json()["title"]
    through_page = client.post(
        "/account/tokens", data={"name": "for ever", "days": "365"}, headers=with_token
    )
    assert through_page.status_code == 403
    owner = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    assert [t.name for t in users.list_api_tokens(clinic, owner)] == ["one day"]


def test_revoking_a_token_leaves_no_token_made_from_it(client: TestClient, clinic: Clinic) -> None:
    _sign_in_on_the_login_page(client, "dr.test")
    status, page = _create(client, name="parent", days="1")
    assert status == 201
    parent = SECRET.search(page)
    assert parent is not None
    child = client.post(
        "/api/v1/tokens", json={"name": "child", "days": 365}, headers=_bearer(parent[1])
    )
    listed = client.get("/account/tokens").text
    client.post(_revoke_form(listed, "parent"), data={"csrf_token": _csrf(listed)})

    assert client.get("/api/v1/session", headers=_bearer(parent[1])).status_code == 401
    if child.status_code == 201:  # today's code minted it: it must not outlive the parent
        after = client.get("/api/v1/session", headers=_bearer(child.json()["token"]))
        assert after.status_code == 401
    owner = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    assert [t.active for t in users.list_api_tokens(clinic, owner)] == [False]
