"""/healthz (the process answers), /readyz (it can serve: database, schema, job queue) and
/metrics (Prometheus, only with the scraper's bearer token). No session, no page chrome: load
balancers and scrapers call these, not people."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from scarplan.entrypoints.web.deps import ClinicDep, bearer_token
from scarplan.entrypoints.web.metrics import AppMetrics
from scarplan.services.clinic.core.health import readiness

router = APIRouter(include_in_schema=False)
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@router.get("/readyz")
async def readyz(clinic: ClinicDep) -> JSONResponse:
    report = await run_in_threadpool(readiness, clinic)
    return JSONResponse(
        {
            "status": "ready" if report.ready else "not ready",
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in report.checks},
        },
        status_code=200 if report.ready else 503,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/metrics")
async def metrics(request: Request, clinic: ClinicDep) -> Response:
    expected = clinic.settings.metrics_token
    sent = bearer_token(request)
    if expected is None:  # not configured: the endpoint does not exist
        return Response(status_code=404)
    if sent is None or not hmac.compare_digest(sent.encode(), expected.get_secret_value().encode()):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    collected: AppMetrics = request.app.state.metrics
    body = await run_in_threadpool(collected.exposition)
    return Response(body, media_type=PROMETHEUS_TEXT, headers={"Cache-Control": "no-store"})
