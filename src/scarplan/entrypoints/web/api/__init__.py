"""REST API under /api/v1, documented by OpenAPI at /api/v1/openapi.json."""

from scarplan.entrypoints.web.api import (
    admin,
    fhir,
    identity,
    knowledge,
    patients,
    plans,
    prices,
    questionnaires,
    records,
    session,
)

routers = [
    session.router,
    patients.router,
    identity.router,
    records.router,
    plans.router,
    knowledge.router,
    admin.router,
    prices.router,
    fhir.router,
    questionnaires.router,
]
