"""`scarplan worker`: runs queued jobs (3D analyses, optimiser runs) from PostgreSQL."""

from __future__ import annotations

import typer

from scarplan.adapters.logs import configure_logging
from scarplan.adapters.process_limits import limit_worker_memory
from scarplan.bootstrap import bootstrap
from scarplan.services.clinic.job_worker import work_on_queue


def worker(
    concurrency: int | None = typer.Option(
        None,
        min=1,
        max=64,
        help="Jobs run at the same time (default: SCARPLAN_WORKER_CONCURRENCY, 2).",
    ),
) -> None:
    """Run queued jobs (3D analyses, optimiser runs) from the PostgreSQL queue until stopped.

    Run any number, on any host that reaches the database, with the same SCARPLAN_*
    settings as `scarplan serve`. SIGTERM finishes the running jobs, then stops.
    """
    container = bootstrap()
    settings = container.settings
    if concurrency is not None:
        container.settings = settings.model_copy(update={"worker_concurrency": concurrency})
        settings = container.settings
    configure_logging(settings.log_format or "json", settings.log_level)
    limit_worker_memory(settings.worker_memory_limit_mb)
    work_on_queue(container.clinic, container.engine, container.database_url)
