"""The job queue on PostgreSQL, through Procrastinate (docs/adr/0007-job-queue.md).

The app defers a job's id; `scarplan worker` processes, any number on any host, take jobs and
run them. This module knows Procrastinate and nothing of what a job does: the worker is given
the function that runs a stored job and the one that says when to try a job again.

A worker that dies (SIGKILL, a lost host) stops its heartbeat; after `stalled_after_s` every
other worker's watch puts its running jobs back in the queue. Running a job twice is safe: the
jobs table lets only one attempt finish it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

import procrastinate
from procrastinate.retry import RetryDecision
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from procrastinate.jobs import Job

RUN_JOB = "scarplan.run_job"
"""The one task: run the stored job whose id it carries."""
_log = logging.getLogger(__name__)


def queue_schema_sql() -> str:
    """Procrastinate's published schema, as the installed version ships it."""
    return (resources.files("procrastinate.sql") / "schema.sql").read_text(encoding="utf-8")


def queue_tables() -> set[str]:
    """The tables the queue's schema creates (on PostgreSQL only; not in our models)."""
    return set(re.findall(r"CREATE TABLE (\w+)", queue_schema_sql()))


def drop_queue_schema() -> str:
    """SQL that removes every object the schema creates (a downgrade)."""
    schema = queue_schema_sql()
    functions = sorted(set(re.findall(r"CREATE FUNCTION (\w+)\(", schema)))
    tables = re.findall(r"CREATE TABLE (\w+)", schema)
    types = re.findall(r"CREATE TYPE (\w+)", schema)
    statements = [f"DROP TABLE IF EXISTS {name} CASCADE" for name in reversed(tables)]
    statements += [f"DROP FUNCTION IF EXISTS {name} CASCADE" for name in functions]
    statements += [f"DROP TYPE IF EXISTS {name} CASCADE" for name in types]
    return ";\n".join(statements) + ";"


def conninfo(database_url: str) -> str:
    """The libpq connection string of an SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("the job queue needs PostgreSQL (SCARPLAN_DATABASE_URL)")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _app(database_url: str, *, asynchronous: bool) -> procrastinate.App:
    connector: Any
    if asynchronous:
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo(database_url), min_size=1, max_size=4
        )
    else:
        connector = procrastinate.SyncPsycopgConnector(
            conninfo=conninfo(database_url), min_size=1, max_size=2
        )
    return procrastinate.App(connector=connector)


class QueuedJob(Protocol):
    """What the queue needs of a job (services' JobTicket, which this layer may not import)."""

    @property
    def job_id(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def serial(self) -> bool: ...


class QueueJobRunner:
    """Sends each job to the queue; `scarplan worker` processes run it."""

    durable = True

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._app: procrastinate.App | None = None
        self._lock = threading.Lock()

    def _opened(self) -> procrastinate.App:
        with self._lock:
            if self._app is None:
                self._app = _app(self._database_url, asynchronous=False).open()
            return self._app

    def submit(self, ticket: QueuedJob, run_here: Callable[[], None]) -> None:
        task = self._opened().configure_task(
            RUN_JOB, queue=ticket.kind, lock=ticket.kind if ticket.serial else None
        )
        task.defer(job_id=ticket.job_id)

    def describe(self) -> str:
        """How many workers told the queue they were alive in the last minute."""
        connector = self._opened().connector.get_sync_connector()
        row = connector.execute_query_one(
            "SELECT count(*) AS alive FROM procrastinate_workers "
            "WHERE last_heartbeat > now() - interval '1 minute'"
        )
        alive = int(row["alive"])
        if alive == 0:
            _log.warning("job queue: no `scarplan worker` alive; jobs wait until one starts")
            return "on the queue; no worker alive: jobs wait until `scarplan worker` runs"
        return f"on the queue; {alive} worker{'s' if alive != 1 else ''} alive"

    def shutdown(self) -> None:
        with self._lock:
            app, self._app = self._app, None
        if app is not None:
            app.close()


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 2
    heartbeat_s: float = 10.0
    stalled_after_s: float = 30.0
    """A worker silent this long is dead: its running jobs go back in the queue."""
    poll_s: float = 5.0


def run_worker(
    database_url: str,
    run_job: Callable[[int], None],
    retry_in: Callable[[BaseException], float | None],
    options: WorkerOptions,
) -> None:
    """Run a worker until SIGTERM or SIGINT: jobs from every queue, `concurrency` at a time.
    `retry_in(error)` says after how many seconds a job that raised `error` runs again (None:
    not again; the job's own state already says why)."""

    class Retry(procrastinate.BaseRetryStrategy):
        def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
            delay = retry_in(exception)
            return None if delay is None else RetryDecision(retry_in={"seconds": math.ceil(delay)})

    app = _app(database_url, asynchronous=True)

    @app.task(name=RUN_JOB, retry=Retry())
    def run(job_id: int) -> None:
        run_job(job_id)

    async def work() -> None:
        async with app.open_async():
            watch = asyncio.create_task(_requeue_stalled(app, options))
            try:
                await app.run_worker_async(
                    concurrency=options.concurrency,
                    update_heartbeat_interval=options.heartbeat_s,
                    stalled_worker_timeout=options.stalled_after_s,
                    fetch_job_polling_interval=options.poll_s,
                    install_signal_handlers=True,
                    delete_jobs="successful",
                )
            finally:
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch

    asyncio.run(work())


async def _requeue_stalled(app: procrastinate.App, options: WorkerOptions) -> None:
    """Put back in the queue the jobs of workers that stopped beating (killed mid-job)."""
    while True:
        await asyncio.sleep(options.heartbeat_s)
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=options.stalled_after_s
            )
            for job in stalled:
                try:
                    await app.job_manager.retry_job(job)
                    _log.warning("job queue: job %s of a silent worker queued again", job.id)
                except Exception:
                    # Another worker's watch took it first.
                    _log.info("job queue: job %s already queued again", job.id, exc_info=True)
        except Exception:
            _log.exception("job queue: could not look for stalled jobs")
