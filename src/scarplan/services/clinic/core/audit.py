"""The audit trail: who read or changed which patient record, when, from where, how.

Changes are written in the same transaction as the change itself, so a saved change always has
its entry and a failed one has none. Reads are queued and written in batches (at most
`FLUSH_SECONDS` later, and when the process stops): writing a row in its own transaction on
every page view would serialise all readers on SQLite's single writer. The price is that a
process killed outright may lose its last fraction of a second of read entries; docs/security.md
says so. A failed batch is kept, logged and retried on the next round, never dropped.

Every entry is chained to the one before it by a hash (adapters/db/audit_chain.py):
`verify_trail` walks the chain and proves it unbroken or names the first bad entry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session

from scarplan.adapters.db import SqlUnitOfWork, audit_chain
from scarplan.adapters.db.tables import AuditEventRecord
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import has_nul

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5
MAX_PAGE = 500
# The change entries a session has yet to chain: appended when it commits (see `changed`).
_UNCHAINED = "scarplan_audit_unchained"


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    user_id: int | None
    username: str
    role: str
    action: str
    patient_id: int | None
    entity: str
    entity_id: int | None
    route: str
    address: str
    detail: dict[str, Any]


def _row(
    actor: Actor,
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


class AuditTrail:
    """One per process. `changed` joins the caller's transaction; `read` is queued."""

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
        actor: Actor,
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
        actor: Actor,
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


@dataclass(frozen=True)
class AuditQuery:
    user: str | None = None
    patient_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEvent]
    total: int
    offset: int
    limit: int


def _filtered(query: AuditQuery, statement: Select[Any]) -> Select[Any]:
    table = AuditEventRecord
    if query.user:
        statement = statement.where(table.username == query.user.strip().lower())
    if query.patient_id is not None:
        statement = statement.where(table.patient_id == query.patient_id)
    if query.action:
        statement = statement.where(table.action == query.action)
    if query.since is not None:
        statement = statement.where(table.at >= datetime.combine(query.since, time.min, tzinfo=UTC))
    if query.until is not None:
        end = datetime.combine(query.until + timedelta(days=1), time.min, tzinfo=UTC)
        statement = statement.where(table.at < end)
    return statement


def search(session: Session, query: AuditQuery) -> AuditPage:
    total = session.scalar(_filtered(query, select(func.count(AuditEventRecord.id)))) or 0
    rows = session.scalars(
        _filtered(query, select(AuditEventRecord))
        .order_by(AuditEventRecord.at.desc(), AuditEventRecord.id.desc())
        .offset(query.offset)
        .limit(query.limit)
    ).all()
    return AuditPage([_view(r) for r in rows], total, query.offset, query.limit)


def _view(record: AuditEventRecord) -> AuditEvent:
    return AuditEvent(
        id=record.id,
        at=record.at,
        user_id=record.user_id,
        username=record.username,
        role=record.role,
        action=record.action,
        patient_id=record.patient_id,
        entity=record.entity,
        entity_id=record.entity_id,
        route=record.route,
        address=record.address,
        detail=record.detail,
    )


def search_audit(clinic: Clinic, actor: Actor, query: AuditQuery) -> AuditPage:
    """The audit trail for admins, newest first, filtered; reading it is itself audited."""
    authorize(actor, Permission.READ_AUDIT)
    for field, value in (("user", query.user), ("action", query.action)):
        if has_nul(value):
            raise InputError(
                "invalid filter", [FieldProblem(field, "contains a NUL character", "remove it")]
            )
    if not 1 <= query.limit <= MAX_PAGE or query.offset < 0:
        raise InputError(
            "invalid page",
            [FieldProblem("limit", f"{query.limit}", f"1..{MAX_PAGE}, with offset 0 or more")],
        )
    with clinic.uow.read() as session:
        page = search(session, query)
    clinic.audit.read(actor, "audit", None, query.patient_id, {"shown": len(page.items)})
    return page
