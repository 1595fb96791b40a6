"""`scarplan serve`: the clinic web app. `--demo` is what `make run` starts."""

from __future__ import annotations

import os

import typer
import uvicorn

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out
from scarplan.services.clinic.accounts.setup import (
    demo_secret_key,
    prepare_database,
    refuse_unsafe_production,
)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        2, min=1, max=64, help="Worker processes (one per core is a good start)."
    ),
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Local demo: load a demo clinic into an empty database, make a secret key in the "
        "data directory, allow cookies over plain HTTP.",
    ),
    migrate: bool = typer.Option(
        True,
        "--migrate/--no-migrate",
        help="Apply database migrations before serving (the default), or only check that "
        "`scarplan migrate` has applied them and refuse to start otherwise: for several app "
        "processes on one database, so that one step changes the schema.",
    ),
) -> None:
    """Serve the clinic web app and the REST API; applies database migrations first."""
    container = bootstrap()
    if demo:
        # Workers are separate processes: they read these the same way as the settings.
        os.environ.setdefault("SCARPLAN_SECRET_KEY", demo_secret_key(container.settings.data_dir))
        os.environ.setdefault("SCARPLAN_SECURE_COOKIES", "false")
        os.environ["SCARPLAN_DEMO"] = "true"
        container = bootstrap()
    else:
        refuse_unsafe_production(container.settings)
    started = prepare_database(container.engine, container.clinic, demo=demo, migrate=migrate)
    url = f"http://{host}:{port}/"
    out.print(f"[bold]scarplan[/] on {url}  (database: {started.database})")
    if started.seeded:
        out.print("Loaded the demo clinic.")
    if started.demo_login is not None:
        user, password = started.demo_login
        out.print(f"Demo login: user [bold]{user}[/], password [bold]{password}[/]")
    uvicorn.run(
        "scarplan.entrypoints.web.server:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        log_config=None,  # the workers send uvicorn's records through scarplan's log format
        proxy_headers=False,
        access_log=False,
    )
