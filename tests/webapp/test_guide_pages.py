"""The public decision aid over HTTP (issue 21): anyone may read it without signing in, a
visitor's answers change nothing in the database (no rows, no audit entries, no cookie), bad
answers get a plain message naming the question, and nothing a visitor types is echoed back
unescaped. The knowledge-base pages show a patient the people's version without internal flags.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from scarplan.adapters.db.tables import Base
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records import patients

PASSWORD = "a long test password"
VISIT = (
    "scars=ice_pick&scars=rolling&width=narrow&edges=sharp&stretch=stays&skin=V&pregnant=no"
    "&breastfeeding=no&isotretinoin=stopped&isotretinoin_months=2&keloid=yes&cold_sores=yes"
    "&acne=mild&age=31&budget=2500&downtime=5&matters=cost&matters=dark_marks"
    + "".join(f"&q{i}=3" for i in range(10))
)
PAGES = (
    "/guide",
    "/guide/scars",
    "/guide/options",
    "/guide/compare",
    "/guide/home-care",
    "/guide/questions",
    "/guide/summary",
)


def _row_counts(clinic: Clinic) -> dict[str, int]:
    clinic.audit.flush()
    with clinic.uow.read() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def test_every_guide_page_opens_without_signing_in_and_sets_no_cookie(
    client: TestClient,
) -> None:
    for path in PAGES:
        response = client.get(f"{path}?{VISIT}")
        assert response.status_code == 200, (path, response.text[:500])
        assert "set-cookie" not in response.headers, path
        assert "Evidence last reviewed:" in response.text
        assert "Sign out" not in response.text
    assert not client.cookies


def test_answering_the_guide_writes_nothing_to_the_database(
    client: TestClient, clinic: Clinic
) -> None:
    before = _row_counts(clinic)
    for path in PAGES:
        assert client.get(f"{path}?{VISIT}").status_code == 200
    assert client.get("/guide/options?budget=lots&skin=VII").status_code == 422
    after = _row_counts(clinic)
    assert after == before
    assert after["audit_events"] == before["audit_events"]


def test_the_summary_shows_the_visitors_answers(client: TestClient) -> None:
    page = client.get(f"/guide/summary?{VISIT}").text
    for shown in (
        "Ice pick scars, Rolling scars",
        "Stopped 2 months ago",
        "2,500 US dollars",
        "5 days per session",
        "Cost, Risk of dark marks in darker skin",
        "Print this summary",
        "data-print",
    ):
        assert shown in page, shown


def test_bad_answers_get_a_plain_message_and_are_not_echoed(client: TestClient) -> None:
    hostile = "<script>alert(1)</script>"
    response = client.get(
        "/guide/options",
        params=[("budget", hostile), ("scars", '"><img src=x onerror=alert(1)>'), ("age", "9")],
    )
    assert response.status_code == 422
    text = response.text
    assert "<script>alert(1)" not in text
    assert "<img src=x" not in text
    assert "Your budget: enter a whole number of US dollars, for example 3000." in text
    assert "Your scar types: choose from the list" in text
    assert "Your age: enter your age in whole years, from 10 to 120." in text
    assert "Nothing was saved." in text


def test_answers_are_carried_to_the_next_step_escaped(client: TestClient) -> None:
    page = client.get(f"/guide/options?{VISIT}").text
    assert 'href="/guide/compare?scars=ice_pick&amp;scars=rolling&amp;width=narrow' in page
    assert 'type="hidden" name="matters" value="cost"' in page


def test_the_sign_in_page_links_to_the_guide(client: TestClient) -> None:
    assert 'href="/guide"' in client.get("/login").text


def _signed_in_as(client: TestClient, clinic: Clinic, role: str) -> TestClient:
    clinician = users.create_user(clinic, "dr.kbview", "Dr K", PASSWORD, "clinician")
    if role == "patient":
        record = patients.create_patient(
            clinic, clinician, {"full_name": "Pat Kb", "patient": {"id": "P-KB"}}
        )
        users.create_user(clinic, "pat.kbview", "Pat", PASSWORD, "patient", patient_id=record.id)
    username = "pat.kbview" if role == "patient" else "dr.kbview"
    answer = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200
    return client


INTERNAL = ("Verified", "verified", "Refer False", "For clinicians", "KHUNGER2011", "tca_cross")


def test_a_patient_reads_the_peoples_knowledge_base_without_internal_flags(
    client: TestClient, clinic: Clinic
) -> None:
    _signed_in_as(client, clinic, "patient")
    entry = client.get("/kb/tca_cross").text
    assert entry.index("A doctor presses a tiny amount") < entry.index("Sessions")
    assert "Downtime after each session" in entry
    assert "Cost (published estimate)" in entry
    assert "The evidence" in entry
    assert "Khunger N" in entry
    leaked = [flag for flag in INTERNAL if flag in entry.replace('href="/kb/tca_cross"', "")]
    assert leaked == []
    scar = client.get("/kb/ice_pick").text
    assert "Refer" not in scar
    assert "True" not in scar
    assert "False" not in scar
    index = client.get("/kb").text
    assert "unverified" not in index
    assert '<th scope="col">Name</th>' in index
    assert '<th scope="col">Id</th>' not in index


def test_a_clinician_keeps_every_field_and_flag(client: TestClient, clinic: Clinic) -> None:
    _signed_in_as(client, clinic, "clinician")
    entry = client.get("/kb/tca_cross").text
    assert "For clinicians: every field" in entry
    assert "Verified" in entry
    assert "KHUNGER2011" in entry
    assert "A doctor presses a tiny amount" in entry
    index = client.get("/kb").text
    assert "values still marked unverified" in index
    assert '<th scope="col">Id</th>' in index
