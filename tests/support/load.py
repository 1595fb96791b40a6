"""Concurrent clients saving assessments while the server is killed and restarted.

Each client signs in, then saves assessments one after another for its own patient. A save
the server acknowledged (201 with the new id) must be in the database afterwards, with all its
lesions; a save that was in flight when the server died may or may not be there, but never in
part. Used by tests/e2e/test_load_fault.py (short) and bench/load_fault.py (50 clients, 60 s).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from support.server import running_server

LESIONS = [
    {"region": "cheek_left", "type": "ice_pick", "count": 6, "width_mm": 1.2},
    {"region": "cheek_right", "type": "boxcar", "count": 3, "width_mm": 2.5},
]


@dataclass
class Outcome:
    acknowledged: set[int] = field(default_factory=set)
    in_flight_lost: int = 0
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Target:
    """The current server's address: a restart moves it to a new port."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


def _client(target: Target, password: str, code: str, stop: float, outcome: Outcome) -> None:
    day = 0
    while time.monotonic() < stop:
        try:
            with httpx.Client(base_url=target.base_url, timeout=15) as client:
                signed = client.post(
                    "/api/v1/session", json={"username": "demo", "password": password}
                )
                signed.raise_for_status()
                client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
                found = client.get("/api/v1/patients", params={"q": code}).json()["items"]
                patient_id = found[0]["id"]
                while time.monotonic() < stop:
                    day += 1
                    body = {
                        "date": f"2025-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}",
                        "lesions": LESIONS,
                    }
                    response = client.post(f"/api/v1/patients/{patient_id}/assessments", json=body)
                    if response.status_code == 201:
                        with outcome.lock:
                            outcome.acknowledged.add(response.json()["id"])
                    elif response.status_code >= 500:
                        with outcome.lock:
                            outcome.refused.append(f"{response.status_code}: {response.text[:200]}")
        except (httpx.TransportError, httpx.HTTPStatusError):
            with outcome.lock:
                outcome.in_flight_lost += 1
            time.sleep(0.2)  # the server is restarting: come back to the new address


def run(
    database_url: str,
    data_dir: Path,
    *,
    clients: int,
    seconds: float,
    kill_after: float | None,
    log: Callable[[str], None] = print,
) -> tuple[Outcome, int, int]:
    """Run the load; returns the outcome and (assessments, lesions) counted in the database."""
    with running_server(database_url, data_dir) as first:  # creates the demo clinic
        password = first.demo_password()
        with httpx.Client(base_url=first.base_url) as setup:
            signed = setup.post("/api/v1/session", json={"username": "demo", "password": password})
            setup.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
            codes = []
            for n in range(clients):
                code = f"LOAD-{n:03d}"
                intake = {"full_name": f"Load {n}", "patient": {"id": code, "sex": "female"}}
                setup.post("/api/v1/patients", json=intake).raise_for_status()
                codes.append(code)
    outcome = Outcome()
    with running_server(database_url, data_dir, workers=1, demo=False) as server:
        target = Target(server.base_url)
        stop = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_client, args=(target, password, code, stop, outcome))
            for code in codes
        ]
        for thread in threads:
            thread.start()
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait()
            log(f"killed the server after {kill_after:.0f} s; restarting")
            with running_server(database_url, data_dir, workers=1, demo=False) as again:
                target.base_url = again.base_url
                for thread in threads:
                    thread.join()
        else:
            for thread in threads:
                thread.join()
    return (outcome, *_counts(database_url))


def _counts(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assessments = connection.scalar(
                text(
                    "SELECT count(*) FROM assessments a JOIN patients p ON p.id = a.patient_id "
                    "WHERE p.code LIKE 'LOAD-%'"
                )
            )
            lesions = connection.scalar(
                text(
                    "SELECT count(*) FROM lesions l JOIN assessments a ON a.id = l.assessment_id "
                    "JOIN patients p ON p.id = a.patient_id WHERE p.code LIKE 'LOAD-%'"
                )
            )
            return assessments or 0, lesions or 0
    finally:
        engine.dispose()


def missing(database_url: str, acknowledged: set[int]) -> set[int]:
    """Acknowledged assessment ids not in the database (must be empty)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = {row[0] for row in connection.execute(text("SELECT id FROM assessments"))}
        return acknowledged - stored
    finally:
        engine.dispose()
