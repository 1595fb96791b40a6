"""`scarplan worker`: run queued jobs (jobs.py) taken from the PostgreSQL queue."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from scarplan.adapters.job_queue import WorkerOptions, run_worker
from scarplan.domain.errors import FieldProblem, StateError
from scarplan.services.clinic.accounts.mail_worker import MailWorker, sends_mail_here
from scarplan.services.clinic.accounts.setup import require_current_schema
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.core.job_runner import RetryLater

_log = logging.getLogger(__name__)


def work_on_queue(clinic: Clinic, engine: Engine, database_url: str) -> None:
    """Take jobs from the queue and run them until SIGTERM. Refuses a database whose schema
    is not this release's: workers never migrate (`scarplan migrate` or the app does)."""
    if not database_url.startswith("postgresql"):
        raise StateError(
            "the worker needs the PostgreSQL job queue",
            [
                FieldProblem(
                    "SCARPLAN_DATABASE_URL",
                    "is not a PostgreSQL database",
                    "with SQLite, `scarplan serve` runs jobs itself; no worker is needed",
                )
            ],
        )
    require_current_schema(engine)
    settings = clinic.settings
    options = WorkerOptions(
        concurrency=settings.worker_concurrency,
        heartbeat_s=settings.worker_heartbeat_s,
        stalled_after_s=settings.worker_stalled_after_s,
    )
    _log.info("worker started: %d job(s) at a time", options.concurrency)
    mail = MailWorker(clinic) if sends_mail_here(clinic, worker=True) else None
    if mail is not None:
        mail.start()
    try:
        run_worker(
            database_url,
            lambda job_id: jobs.execute_job(clinic, job_id),
            _retry_in,
            options,
        )
    finally:
        if mail is not None:
            mail.stop()
        clinic.audit.close()  # the jobs' read entries (a report's) are written before it ends
    _log.info("worker stopped")


def _retry_in(error: BaseException) -> float | None:
    """After a transient failure the job asked to run again (jobs.retry_delay_s chose when);
    any other exception is not retried (execute_job records every other outcome itself)."""
    return error.delay_s if isinstance(error, RetryLater) else None
