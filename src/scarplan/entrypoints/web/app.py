"""Build the FastAPI application from a Container: the one place the web layer is wired."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from scarplan.bootstrap import Container
from scarplan.entrypoints.web import api, pages
from scarplan.entrypoints.web.errors import install_error_handlers
from scarplan.entrypoints.web.security import SameOriginWrites, SecurityHeaders
from scarplan.entrypoints.web.templating import make_templates

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "scarplan_session"


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
    )
    app.state.container = container
    app.state.templates = make_templates()
    app.add_middleware(SecurityHeaders)
    app.add_middleware(SameOriginWrites)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_handlers(app)
    for router in (*pages.routers, *api.routers):
        app.include_router(router)
    return app
