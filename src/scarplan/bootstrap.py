"""The composition root: settings -> knowledge base -> database -> services. No work at import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from scarplan.knowledge import KnowledgeBase, load_knowledge_base
from scarplan.settings import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from scarplan.services.clinic.core.context import Clinic
    from scarplan.services.clinic.core.job_runner import JobRunner

# The database, photo and clinic modules are imported by the properties that need them: a
# command that only reads a case file (`scarplan assess`) never pays for SQLAlchemy and Alembic.


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    """What a CLI command or web request needs, built lazily once per process."""

    settings: Settings
    clock: Callable[[], datetime] = field(default=utc_now)

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        return load_knowledge_base(self.settings.knowledge_dir)

    @property
    def database_url(self) -> str:
        from scarplan.adapters.db import sqlite_url

        return self.settings.database_url or sqlite_url(self.settings.data_dir)

    @cached_property
    def engine(self) -> Engine:
        from scarplan.adapters.db import make_engine

        return make_engine(self.database_url)

    @cached_property
    def clinic(self) -> Clinic:
        from scarplan.adapters.db import SqlUnitOfWork
        from scarplan.adapters.db.audit_trail import SqlAuditTrail
        from scarplan.adapters.photos import limit_decoder_pixels
        from scarplan.services.clinic.core.context import Clinic

        limit_decoder_pixels(self.settings.photo_max_pixels)
        uow = SqlUnitOfWork(self.engine)
        audit = SqlAuditTrail(uow, self.clock)
        return Clinic(uow, self.knowledge, self.settings, self.clock, audit, self.job_runner())

    def uses_job_queue(self) -> bool:
        """`job_runner`: the queue when asked for, or by default on PostgreSQL."""
        choice = self.settings.job_runner
        if choice == "auto":
            return self.database_url.startswith("postgresql")
        return choice == "queue"

    def job_runner(self) -> JobRunner:
        from scarplan.services.clinic.core.job_runner import InProcessJobRunner

        if not self.uses_job_queue():
            return InProcessJobRunner()
        from scarplan.adapters.job_queue import QueueJobRunner

        return QueueJobRunner(self.database_url)


def bootstrap(
    settings: Settings | None = None, clock: Callable[[], datetime] | None = None
) -> Container:
    return Container(
        settings=settings if settings is not None else load_settings(),
        clock=clock if clock is not None else utc_now,
    )
