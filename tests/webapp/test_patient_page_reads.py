"""The staff's patient page, the app's most visited, reads in one unit of work with one query
per box, whatever the record holds (issue 23: p99 under 100 ms on PostgreSQL with two app
processes needed the page to stop costing three transactions and eighteen queries).

A unit of work is one transaction on SQLite; on PostgreSQL a read runs its statements without
BEGIN and ROLLBACK (docs/web.md, "Storage"), and SQLAlchemy still counts it as one begin.
Counted on the engine, from the request's own threads (the audit trail's writer thread is left
out: it writes batches on its own schedule). The page's boxes, written down from the design
(docs/operations.md, "Measured: two app processes on PostgreSQL"): the patient with their
record counts; the two latest assessments; the open and followed plans with their current
versions' sessions and their fulfilment (the plan summary and the ended courses both come from
it); the live booking of the next session; the questionnaire answers; the treatment sessions;
the follow-up visits booked or recorded; the pending identity corrections. Eight.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from scarplan.services.clinic.accounts import identity_requests
from scarplan.services.clinic.core.context import Actor, Clinic
from support.treated_patient import treated_patient

PAGE_QUERIES = 8


@dataclass
class Reads:
    transactions: int = 0
    statements: list[str] = field(default_factory=list)


@contextmanager
def counted(engine: Engine) -> Iterator[Reads]:
    reads = Reads()

    def ours() -> bool:
        return threading.current_thread().name != "audit-flush"

    def on_begin(conn: Any) -> None:
        if ours():
            reads.transactions += 1

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if ours():
            reads.statements.append(statement.split(maxsplit=1)[0].upper() + " " + statement[:80])

    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield reads
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_execute)


def test_the_patient_page_is_one_read_with_one_query_per_box(
    signed_in: TestClient, clinic: Clinic, clinician: Actor
) -> None:
    treated = treated_patient(clinic, clinician)
    identity_requests.request_change(
        clinic, treated.actor, treated.patient_id, {"full_name": "Ana Souza", "reason": "married"}
    )
    url = f"/patients/{treated.patient_id}"
    assert signed_in.get(url).status_code == 200  # the session's account is cached after this

    with counted(clinic.uow.engine) as reads:
        page = signed_in.get(url)

    assert page.status_code == 200
    # Every box was read (so the count below is not low because one was left out).
    assert "The patient asks to correct their details" in page.text
    assert "Ana Souza" in page.text
    assert "Follow-ups due" in page.text
    assert reads.transactions == 1, reads.statements
    queries = [s for s in reads.statements if s.upper().startswith("SELECT")]
    assert len(queries) == PAGE_QUERIES, queries
    # Nothing else but the transaction's own bracket (SQLite's explicit BEGIN).
    assert {s.split()[0].upper() for s in reads.statements} <= {"SELECT", "BEGIN"}, reads.statements
