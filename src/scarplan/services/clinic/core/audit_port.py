"""The audit port: what every use case needs of the audit trail, whoever writes it.

`Clinic.audit` is an `AuditTrail`; the composition root (bootstrap.py) gives it the SQL writer,
adapters/db/audit_trail.py (`SqlAuditTrail`: change entries in the caller's transaction, read
entries queued and written in batches, every entry on the hash chain). The core depends on this
Protocol only, so the context, the access rules and the audit trail's use cases (audit.py) import
no writer and form no cycle; an import-linter contract in pyproject.toml holds it.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from scarplan.domain.audit import AuditedActor


class AuditTrail(Protocol):
    """One per process. `changed` joins the caller's transaction; `read` may be queued."""

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
        """Record a change in `session`'s transaction: a failed change leaves no entry."""

    def read(
        self,
        actor: AuditedActor,
        entity: str,
        entity_id: int | None,
        patient_id: int | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record a read; it may be written a moment later, never dropped."""

    def flush(self) -> int:
        """Write the queued read entries now; returns how many."""

    def close(self) -> None:
        """A last flush, then stop any background writer (the process's shutdown)."""

    def pending(self) -> int:
        """How many read entries wait to be written."""
