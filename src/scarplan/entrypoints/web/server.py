"""What `scarplan serve` runs in each worker process: the app built from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from scarplan.adapters.logs import configure_logging
from scarplan.adapters.process_limits import limit_worker_memory
from scarplan.bootstrap import bootstrap
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.entrypoints.web.app import create_app
from scarplan.services.clinic.accounts.setup import refuse_unsafe_production

__all__ = ["app_from_environment", "limit_worker_memory"]


def app_from_environment() -> FastAPI:
    """uvicorn's app factory: settings from SCARPLAN_* variables; a secret key is required."""
    container = bootstrap()
    settings = container.settings
    configure_logging(
        settings.log_format or ("console" if settings.demo else "json"), settings.log_level
    )
    refuse_unsafe_production(container.settings)
    limit_worker_memory(container.settings.worker_memory_limit_mb)
    secret = container.settings.secret_key
    if secret is None:
        raise InputError(
            "the web app needs a secret key",
            [
                FieldProblem(
                    "SCARPLAN_SECRET_KEY",
                    "not set",
                    "set 32+ random characters, e.g. `python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'`, or use `scarplan serve --demo`",
                )
            ],
        )
    return create_app(container, secret.get_secret_value())
