"""What every clinic use case needs: the unit of work, knowledge, settings, clock and actor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from scarplan.adapters.db import SqlUnitOfWork
from scarplan.knowledge import KnowledgeBase
from scarplan.services.clinic.core.audit_port import AuditTrail
from scarplan.services.clinic.core.job_runner import InProcessJobRunner, JobRunner
from scarplan.settings import Settings


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from where: recorded as `created_by` and in the audit trail."""

    user_id: int | None
    username: str
    role: str
    patient_id: int | None = None
    """For the patient role: the one patient record this user is."""
    address: str = ""
    """Where the request came from (client address), or "cli"."""
    route: str = ""
    """Through which route, e.g. "GET /plans/{plan_id}" or "cli user add"."""
    token_id: int | None = field(default=None, compare=False)
    """The API token the request was signed in with; None for a browser session or the CLI.
    Not part of equality: the same user acting is the same actor however they signed in."""


@dataclass(frozen=True)
class Clinic:
    uow: SqlUnitOfWork
    knowledge: KnowledgeBase
    settings: Settings
    clock: Callable[[], datetime]
    audit: AuditTrail
    jobs: JobRunner = field(default_factory=InProcessJobRunner)
    """Where heavy work (clinic scheduling, 3D analysis) runs; see services/clinic/core/jobs.py."""

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()
