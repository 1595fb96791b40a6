"""Issue 24, part A: sign-in behind a proxy, the throttle, enumeration, sessions and HSTS.

Each test reproduces an attack found by probing the app and fails on the code before the fix.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from scarplan.adapters.db.tables import AuditEventRecord
from scarplan.bootstrap import Container
from scarplan.entrypoints.web import create_app
from scarplan.entrypoints.web.app import SESSION_COOKIE
from scarplan.entrypoints.web.session_keys import SESSION_KEY
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.sign_in_throttle import ADDRESS_FAILURES, NAME_FAILURES
from scarplan.services.clinic.core.context import Clinic
from scarplan.settings import Settings

PASSWORD = "a long test password"  # dr.test's, made by the `client` fixture (conftest.py)
PROXY = "10.0.0.2"

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(clinic: Clinic) -> Iterator[MakeClient]:
    """An app on the test clinic, reached from `peer`, with the given settings."""
    opened: list[TestClient] = []

    def make(peer: str = "192.0.2.10", **settings: object) -> TestClient:
        chosen = Settings(
            data_dir=clinic.settings.data_dir,
            database_url=clinic.settings.database_url,
            **{"secure_cookies": False, **settings},  # type: ignore[arg-type]
        )
        container = Container(settings=chosen, clock=clinic.clock)
        container.__dict__["clinic"] = clinic
        client = TestClient(create_app(container, "x" * 48), client=(peer, 50000))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def _sign_in(
    client: TestClient, username: str, password: str, forwarded_for: str | None = None
) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        "/api/v1/session", json={"username": username, "password": password}, headers=headers
    )
    status: int = response.status_code
    return status


def _addresses(clinic: Clinic, action: str) -> list[str]:
    with clinic.uow.read() as session:
        return list(
            session.scalars(
                select(AuditEventRecord.address)
                .where(AuditEventRecord.action == action)
                .order_by(AuditEventRecord.id)
            )
        )


# --- finding 1: the throttle and proxies -----------------------------------------------------


def test_twenty_unknown_names_from_one_address_do_not_lock_out_a_real_user(
    client: TestClient,
) -> None:
    for number in range(20):
        assert _sign_in(client, f"nobody{number}", "whatever it is") == 401

    assert _sign_in(client, "dr.test", PASSWORD) == 200


def test_one_name_is_throttled_per_address_and_the_address_has_a_ceiling(
    client: TestClient,
) -> None:
    for _ in range(NAME_FAILURES):
        assert _sign_in(client, "Ghost ", "whatever it is") == 401
    assert _sign_in(client, "ghost", "whatever it is") == 429  # the same name, as matched
    for number in range(ADDRESS_FAILURES - NAME_FAILURES):
        assert _sign_in(client, f"spray{number}", "whatever it is") == 401

    assert _sign_in(client, "dr.test", PASSWORD) == 429


def test_behind_a_trusted_proxy_each_client_is_throttled_and_audited_by_its_own_address(
    make_client: MakeClient, clinic: Clinic
) -> None:
    users.create_user(clinic, "dr.test", "Dr Test", PASSWORD, "clinician")
    client = make_client(peer=PROXY, trusted_proxies=f"127.0.0.1,{PROXY}")
    attacker, colleague = "203.0.113.5", "198.51.100.7"

    for number in range(ADDRESS_FAILURES):
        assert _sign_in(client, f"nobody{number}", "guess", f"{attacker}, {PROXY}") == 401
    assert _sign_in(client, "dr.test", PASSWORD, attacker) == 429
    assert _sign_in(client, "dr.test", "wrong guess", colleague) == 401
    assert _sign_in(client, "dr.test", PASSWORD, colleague) == 200
    client.headers["X-Forwarded-For"] = colleague
    client.headers["X-CSRF-Token"] = client.get("/api/v1/session").json()["csrf_token"]
    assert client.post("/api/v1/tokens", json={"name": "script"}).status_code == 201

    assert _addresses(clinic, "sign_in_failed") == [colleague]
    assert _addresses(clinic, "sign_in") == [colleague]
    assert _addresses(clinic, "create") == [colleague]  # every audited request, not sign-in alone


def test_an_untrusted_peer_cannot_choose_its_address_with_x_forwarded_for(
    make_client: MakeClient, clinic: Clinic
) -> None:
    users.create_user(clinic, "dr.test", "Dr Test", PASSWORD, "clinician")
    direct = "192.0.2.10"
    client = make_client(peer=direct, trusted_proxies=PROXY)

    for number in range(ADDRESS_FAILURES):
        assert _sign_in(client, f"nobody{number}", "guess", f"203.0.113.{number}") == 401
    assert _sign_in(client, "dr.test", PASSWORD, "198.51.100.7") == 429
    assert _addresses(clinic, "sign_in") == []

    # The failures are counted in the database, so every app process refuses that peer now; a
    # peer with a clean record, trusting no proxy, is known by its own address, not the header.
    other_peer = "192.0.2.11"
    trusting_nobody = make_client(peer=other_peer)
    assert _sign_in(trusting_nobody, "dr.test", PASSWORD, "198.51.100.7") == 200
    assert _addresses(clinic, "sign_in") == [other_peer]


# --- finding 8: enumeration, session ids as bearer tokens, HSTS --------------------------------


def test_a_locked_a_disabled_an_unknown_account_and_a_wrong_password_answer_alike(
    client: TestClient, clinic: Clinic
) -> None:
    users.create_user(clinic, "dr.locked", "Locked", PASSWORD, "clinician")
    users.create_user(clinic, "dr.gone", "Gone", PASSWORD, "clinician")
    users.set_active(clinic, "dr.gone", False)
    for _ in range(users.MAX_FAILED_LOGINS):
        client.post("/api/v1/session", json={"username": "dr.locked", "password": "wrong one"})

    answers = {
        (response.status_code, response.text)
        for response in (
            client.post("/api/v1/session", json={"username": user, "password": password})
            for user, password in (
                ("dr.locked", PASSWORD),
                ("dr.gone", PASSWORD),
                ("nobody.here", PASSWORD),
                ("dr.test", "not the password"),
            )
        )
    }

    assert len(answers) == 1, answers
    status, body = answers.pop()
    assert status == 401
    assert json.loads(body)["title"] == users.REFUSED


def _session_id(client: TestClient) -> str:
    """The raw session id inside the signed cookie (the browser holds it; so may malware)."""
    payload = client.cookies[SESSION_COOKIE].split(".")[0]
    data: dict[str, str] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return data[SESSION_KEY]


def test_a_session_id_never_works_as_a_bearer_token(signed_in: TestClient) -> None:
    assert signed_in.get("/api/v1/patients").status_code == 200  # the session is now cached
    session_id = _session_id(signed_in)
    signed_in.cookies.clear()

    as_bearer = signed_in.get("/api/v1/patients", headers={"Authorization": f"Bearer {session_id}"})

    assert as_bearer.status_code == 401


def test_hsts_is_sent_in_production_only(make_client: MakeClient, client: TestClient) -> None:
    production = make_client(secure_cookies=True)
    demo = make_client(secure_cookies=True, demo=True)

    hsts = production.get("/login").headers.get("strict-transport-security", "")
    max_age = int(hsts.split(";")[0].removeprefix("max-age="))
    assert max_age >= 365 * 24 * 3600
    assert "includesubdomains" in hsts.lower()
    assert "strict-transport-security" not in client.get("/login").headers  # plain HTTP
    assert "strict-transport-security" not in demo.get("/login").headers


@pytest.mark.parametrize(
    "credentials",
    [
        '{"username": "dr.test", "password": "\\ud800 a lone surrogate"}',
        '{"username": "dr.\\udfff", "password": "a long test password"}',
    ],
)
def test_credentials_that_are_not_valid_text_are_refused_like_any_wrong_ones(
    client: TestClient, credentials: str
) -> None:
    response = client.post(
        "/api/v1/session", content=credentials, headers={"content-type": "application/json"}
    )

    assert response.status_code == 401
    assert response.json()["title"] == users.REFUSED
