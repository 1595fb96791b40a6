"""The audit trail's use cases: searching it (admins), and the entries it holds.

The entries are written through the audit port (`Clinic.audit`, audit_port.py) by the SQL writer
in adapters/db/audit_trail.py: changes in the same transaction as the change, reads queued and
written in batches, every entry chained to the one before it by a hash
(adapters/db/audit_chain.py); `audit_verify.verify_trail` proves the chain unbroken or names the
first bad entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AuditEventRecord
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import has_nul

MAX_PAGE = 500


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
