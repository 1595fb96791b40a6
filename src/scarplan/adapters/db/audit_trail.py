"""The audit trail's SQL writer: who read or changed which patient record, when, from where, how.

The implementation of the audit port (services/clinic/core/audit_port.py), given to the clinic
by the composition root (bootstrap.py). Changes are written in the same transaction as the
change itself, so a saved change always has its entry and a failed one has none. Reads are
queued and written in batches (at most `FLUSH_SECONDS` later, and when the process stops):
writing a row in its own transaction on every page view would serialise all readers on SQLite's
single writer. The price is that a process killed outright may lose its last fraction of a
second of read entries; docs/security.md says so. A failed batch is kept, logged and retried on
the next round, never dropped.

Every entry is chained to the one before it by a hash (audit_chain.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from scarplan.adapters.db import audit_chain
from scarplan.adapters.db.unit_of_work import SqlUnitOfWork
from scarplan.domain.audit import AuditedActor

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5
# The change entries a session has yet to chain: appended when it commits (see `changed`).
_UNCHAINED = "scarplan_audit_unchained"


def _row(
    actor: AuditedActor,
    at: datetime,
    action: str,
    entity: str,
    entity_id: int | None,
    patient_id: int | None,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "at": at,
        "user_id": actor.user_id,
        "username": actor.username,
        "role": actor.role,
        "action": action,
        "patient_id": patient_id,
        "entity": entity,
        "entity_id": entity_id,
        "route": actor.route[:200],
        "address": actor.address[:64],
        "detail": detail or {},
    }


class SqlAuditTrail:
    """The audit port's SQL writer, one per process. `changed` joins the caller's transaction;
    `read` is queued and written in batches by a background thread."""

    def __init__(self, uow: SqlUnitOfWork, clock: Callable[[], datetime]) -> None:
        self._uow = uow
        self._clock = clock
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None

    def changed(
        self,
        session: Session,
        actor: AuditedActor,
        action: str,
        entity: str,
        entity_id: int | None,
        patient_id: int | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        # Chained when the session commits, after the use case's own writes: the chain's lock
        # (PostgreSQL) is then held for the shortest time and never before a row lock, so two
        # writers cannot deadlock on it. Same transaction: a failed change has no entry.
        row = _row(actor, self._clock(), action, entity, entity_id, patient_id, detail)
        unchained: list[dict[str, Any]] | None = session.info.get(_UNCHAINED)
        if unchained is None:
            unchained = session.info[_UNCHAINED] = []
            event.listen(session, "before_commit", _chain_on_commit)
        unchained.append(row)

    def read(
        self,
        actor: AuditedActor,
        entity: str,
        entity_id: int | None,
        patient_id: int | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        row = _row(actor, self._clock(), "read", entity, entity_id, patient_id, detail)
        with self._lock:
            self._pending.append(row)
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._run, name="audit-flush", daemon=True)
                self._flusher.start()

    def flush(self) -> int:
        """Write the queued read entries now; returns how many. When the write fails the
        entries go back to the front of the queue for the next flush, and the error is raised."""
        with self._lock:
            rows, self._pending = self._pending, []
        if rows:
            try:
                with self._uow.write() as session:
                    audit_chain.append(session, rows)
            except BaseException:
                with self._lock:
                    self._pending[:0] = rows
                raise
        return len(rows)

    def close(self) -> None:
        """Stop the background writer after a last flush (the web app's shutdown)."""
        self._wake.set()
        flusher = self._flusher
        if flusher is not None:
            flusher.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._wake.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception:
                # Kept for the next round (flush re-queues them): a busy or briefly unreachable
                # database must not cost audit entries, nor stop this thread.
                logger.exception(
                    "could not write %d read audit entries; retrying in %s s",
                    self.pending(),
                    FLUSH_SECONDS,
                )

    def pending(self) -> int:
        """How many read entries wait to be written."""
        with self._lock:
            return len(self._pending)


def _chain_on_commit(session: Session) -> None:
    unchained: list[dict[str, Any]] = session.info.get(_UNCHAINED) or []
    rows = list(unchained)
    unchained.clear()
    audit_chain.append(session, rows)
