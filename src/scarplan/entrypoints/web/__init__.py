"""The clinic web app: server-rendered pages (Jinja2 + HTMX) and the REST API, over the services."""

from scarplan.entrypoints.web.app import create_app

__all__ = ["create_app"]
