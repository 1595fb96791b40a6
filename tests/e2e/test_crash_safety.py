"""Killing the server in the middle of saving an assessment leaves all of it or none of it."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from scarplan.adapters.db import make_engine
from scarplan.adapters.db.tables import AssessmentRecord, LesionRecord, PatientRecord
from support.server import running_server

# The database under the pages matters here: this test runs on PostgreSQL too.
pytestmark = pytest.mark.db

TESTS = Path(__file__).resolve().parents[1]
LESIONS = [
    {"region": "cheek_left", "type": "ice_pick", "count": 9, "width_mm": 1.0, "depth_mm": 1.2},
    {"region": "cheek_right", "type": "boxcar", "count": 4, "width_mm": 2.5, "depth_mm": 0.4},
    {"region": "forehead", "type": "rolling", "count": 3, "distensible": True},
    {"region": "chin", "type": "ice_pick", "count": 2, "width_mm": 1.1},
]


def counts(database_url: str, code: str) -> tuple[int, int]:
    """(assessments, lesion rows) of the patient with `code`."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            patient_id = connection.scalar(
                select(PatientRecord.id).where(PatientRecord.code == code)
            )
            assessments = connection.scalar(
                select(func.count(AssessmentRecord.id)).where(
                    AssessmentRecord.patient_id == patient_id
                )
            )
            lesions = connection.scalar(
                select(func.count(LesionRecord.id))
                .join(AssessmentRecord)
                .where(AssessmentRecord.patient_id == patient_id)
            )
            if engine.dialect.name == "sqlite":
                assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
            return assessments or 0, lesions or 0
    finally:
        engine.dispose()


def post_assessment(base_url: str, password: str, code: str) -> None:
    """Sign in, find the patient, send the assessment; the server may die while answering."""
    with httpx.Client(base_url=base_url, timeout=20) as client:
        signed = client.post("/api/v1/session", json={"username": "demo", "password": password})
        signed.raise_for_status()
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        patients = client.get("/api/v1/patients", params={"q": code}).json()["items"]
        patient_id = patients[0]["id"]
        body = {"date": "2026-01-05", "lesions": LESIONS, "notes": "crash test"}
        with contextlib.suppress(httpx.TransportError):  # the connection dies with the server
            client.post(f"/api/v1/patients/{patient_id}/assessments", json=body)


@pytest.mark.parametrize(("moment", "expected"), [("before-commit", 0), ("after-commit", 1)])
def test_a_killed_save_is_all_or_nothing(
    fresh_database_url: str, tmp_path: Path, moment: str, expected: int
) -> None:
    data_dir = tmp_path / "data"
    code = "P-1004"  # the demo clinic's patient with no assessment yet
    with running_server(fresh_database_url, data_dir) as server:  # creates the demo clinic
        password = server.demo_password()
    assert counts(fresh_database_url, code) == (0, 0)

    command = [sys.executable, "-m", "support.crashing_server", "{port}", moment]
    python_path = os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])
    with running_server(
        fresh_database_url, data_dir, command=command, env={"PYTHONPATH": python_path}
    ) as crashing:
        post_assessment(crashing.base_url, password, code)
        assert crashing.process.wait(timeout=20) == -9  # it really was killed mid-request

    assert counts(fresh_database_url, code) == (expected, expected * len(LESIONS))

    # The server starts again on the same database, and the patient's record still reads.
    with (
        running_server(fresh_database_url, data_dir) as restarted,
        httpx.Client(base_url=restarted.base_url, timeout=20) as client,
    ):
        client.post("/api/v1/session", json={"username": "demo", "password": password})
        found = client.get("/api/v1/patients", params={"q": code}).json()["items"]
        overview = client.get(f"/api/v1/patients/{found[0]['id']}/overview").json()
    assert (overview["latest"] is not None) == bool(expected)
