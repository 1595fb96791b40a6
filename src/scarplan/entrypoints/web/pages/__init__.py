"""Server-rendered pages: each route parses the form, calls one service, renders a template."""

from scarplan.entrypoints.web.pages import (
    account,
    admin,
    admin_prices,
    assessments,
    auth,
    calendar,
    guide,
    knowledge,
    patients,
    plans,
    progress,
    reports,
    research,
    sessions,
    topography,
)

routers = [
    auth.router,
    patients.router,
    assessments.router,
    plans.router,
    sessions.router,
    calendar.router,
    topography.router,
    progress.router,
    reports.router,
    knowledge.router,
    guide.router,
    admin.router,
    admin_prices.router,
    research.router,
    account.router,
]
