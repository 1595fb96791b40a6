"""Is this app process ready to serve: the database answers, its schema is current, the job
queue can be read. Load balancers ask /readyz; a process that is not ready gets no traffic.

Each check catches its own failure and says what failed (logged in full, answered in brief):
a readiness probe must answer, not crash, when the database is away.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select, text

from scarplan.adapters.db.migrate import head_revision, schema_mismatch
from scarplan.adapters.db.tables import JobRecord
from scarplan.services.clinic.core.context import Clinic

_log = logging.getLogger(__name__)
QUEUED = ("queued", "running")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Readiness:
    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)


def _database(clinic: Clinic) -> Check:
    try:
        with clinic.uow.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        _log.exception("readiness: the database does not answer")
        return Check("database", False, "does not answer")
    return Check("database", True, "answers")


def _migrations(clinic: Clinic) -> Check:
    try:
        mismatch = schema_mismatch(clinic.uow.engine)
    except Exception:
        _log.exception("readiness: could not read the schema version")
        return Check("migrations", False, "schema version unreadable")
    if mismatch is not None:
        return Check("migrations", False, mismatch)
    return Check("migrations", True, f"schema at {head_revision()}")


def _queue(clinic: Clinic) -> Check:
    try:
        with clinic.uow.read() as session:
            waiting = session.scalar(
                select(func.count()).select_from(JobRecord).where(JobRecord.status.in_(QUEUED))
            )
    except Exception:
        _log.exception("readiness: the job queue cannot be read")
        return Check("queue", False, "cannot be read")
    try:
        runners = clinic.jobs.describe()
    except Exception:
        _log.exception("readiness: the job queue does not answer")
        return Check("queue", False, "the job queue does not answer")
    return Check("queue", True, f"{waiting or 0} jobs queued or running; {runners}")


def readiness(clinic: Clinic) -> Readiness:
    """Every check, each answered even when another failed (no authorisation: a probe asks)."""
    return Readiness((_database(clinic), _migrations(clinic), _queue(clinic)))
