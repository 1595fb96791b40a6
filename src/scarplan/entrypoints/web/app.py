"""Build the FastAPI application from a Container: the one place the web layer is wired."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from scarplan.bootstrap import Container
from scarplan.entrypoints.web import api, pages, probes
from scarplan.entrypoints.web.deps import ActorCache, check_csrf
from scarplan.entrypoints.web.errors import UnhandledErrors, install_error_handlers
from scarplan.entrypoints.web.lanes import narrow_page_lane
from scarplan.entrypoints.web.metrics import AppMetrics
from scarplan.entrypoints.web.observability import RequestObservation
from scarplan.entrypoints.web.security import JsonBodyLimits, SameOriginWrites, SecurityHeaders
from scarplan.entrypoints.web.templating import make_templates
from scarplan.entrypoints.web.timing import ServerTiming
from scarplan.services.clinic.accounts.mail_worker import MailWorker, sends_mail_here
from scarplan.services.clinic.accounts.sign_in_throttle import SignInThrottle

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "scarplan_session"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    narrow_page_lane()
    # What start-up built (models, templates, knowledge) lives as long as the process: frozen
    # out of the collector, full collections stop walking it and pause requests far less.
    gc.collect()
    gc.freeze()
    container = app.state.container
    sends = sends_mail_here(container.clinic, worker=False)
    mail = MailWorker(container.clinic) if sends else None
    if mail is not None:
        mail.start()
    yield
    if mail is not None:
        mail.stop()
    app.state.container.clinic.jobs.shutdown()
    app.state.container.clinic.audit.close()


def create_app(container: Container, secret_key: str) -> FastAPI:
    """The app; `secret_key` signs login cookies (see `scarplan serve`)."""
    settings = container.settings
    app = FastAPI(
        title="scarplan",
        summary="Clinic records and decision support for atrophic acne scar treatment.",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
        dependencies=[Depends(check_csrf)],
    )
    app.state.container = container
    app.state.templates = make_templates()
    app.state.actor_cache = ActorCache()
    app.state.sign_in_throttle = SignInThrottle(container.clinic)
    app.add_middleware(JsonBodyLimits)
    app.add_middleware(UnhandledErrors)  # inside SecurityHeaders: a 500 gets the headers too
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies and not settings.demo)
    app.add_middleware(SameOriginWrites)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.state.metrics = AppMetrics(container.clinic)
    app.add_middleware(RequestObservation, metrics=app.state.metrics)
    if settings.server_timing:
        app.add_middleware(ServerTiming)  # added last: outermost, so it times everything
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_handlers(app)
    for router in (*pages.routers, *api.routers, probes.router):
        app.include_router(router)
    return app
