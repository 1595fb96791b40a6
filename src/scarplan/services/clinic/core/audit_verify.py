"""Proving the audit trail unbroken: the walk over its hash chain, for operators and admins."""

from __future__ import annotations

from scarplan.adapters.db import SqlUnitOfWork, audit_chain
from scarplan.adapters.db.audit_chain import ChainHead, ChainReport
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic


def verify_trail(uow: SqlUnitOfWork, anchor: ChainHead | None = None) -> ChainReport:
    """Every entry's hash and link recomputed, in one read transaction (`scarplan audit
    verify`). `anchor` is a head recorded elsewhere, e.g. in a backup's manifest."""
    with uow.read() as session:
        return audit_chain.verify(session.connection(), anchor)


def verify_audit(clinic: Clinic, actor: Actor) -> ChainReport:
    """The same walk for an admin in the app; asking is itself audited."""
    authorize(actor, Permission.READ_AUDIT)
    report = verify_trail(clinic.uow)
    detail = {"entries": report.head.entries, "intact": report.intact}
    clinic.audit.read(actor, "audit", None, None, detail)
    return report
