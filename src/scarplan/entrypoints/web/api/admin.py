"""Accounts, API tokens, the audit trail, exports and erasure."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from scarplan.adapters.db.audit_chain import Flaw
from scarplan.entrypoints.web.api.common import ERRORS, PREFIX
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, actor_cache, require
from scarplan.entrypoints.web.ids import MAX_ID, RecordId
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.access import Permission, Role
from scarplan.services.clinic.core.audit import AuditPage, AuditQuery, search_audit
from scarplan.services.clinic.core.audit_verify import verify_audit
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.jobs import JobView
from scarplan.services.clinic.exchange.patient_data import (
    ErasureReport,
    erase_patient,
    write_patient_archive,
)
from scarplan.services.clinic.exchange.research import export_jobs

router = APIRouter(prefix=PREFIX, tags=["administration"], responses={**ERRORS, 403: ERRORS[401]})
ZIP = "application/zip"


class NewUserBody(BaseModel):
    username: str
    full_name: str
    password: str
    role: Role = Role.CLINICIAN
    patient_id: int | None = None


class NewTokenBody(BaseModel):
    name: str = Field(description="What the token is for.")
    role: Role | None = Field(default=None, description="Defaults to your own role.")
    days: int = Field(default=90, description="Days until it expires (at most 365).")


@router.get("/audit")
def audit_trail(
    clinic: ClinicDep,
    actor: ActorDep,
    user: str | None = None,
    patient_id: int | None = Query(None, ge=1, le=MAX_ID),
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
    offset: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
) -> AuditPage:
    query = AuditQuery(user, patient_id, action, since, until, offset, limit)
    return search_audit(clinic, actor, query)


class BadAuditEntry(BaseModel):
    id: int | None = Field(description="The first entry where the chain breaks.")
    at: datetime | None
    flaw: Flaw = Field(description="altered, missing, reordered or unanchored.")
    message: str


class AuditVerification(BaseModel):
    intact: bool = Field(description="Every entry's hash and link recomputed and found whole.")
    entries: int
    head_id: int | None = Field(description="The newest entry (null: the trail is empty).")
    head_hash: str = Field(description="Its hash: compare it with a backup's manifest.")
    first_bad: BadAuditEntry | None


@router.get("/audit/verify")
def verify_audit_trail(clinic: ClinicDep, actor: ActorDep) -> AuditVerification:
    """Walk the audit trail's hash chain (admins): unbroken, or the first bad entry."""
    report = verify_audit(clinic, actor)
    bad = report.bad
    return AuditVerification(
        intact=report.intact,
        entries=report.head.entries,
        head_id=report.head.last_id,
        head_hash=report.head.last_hash,
        first_bad=None
        if bad is None
        else BadAuditEntry(id=bad.id, at=bad.at, flaw=bad.flaw, message=bad.message),
    )


@router.get("/users")
def list_users(clinic: ClinicDep, actor: ActorDep) -> list[users.UserView]:
    return users.list_users(clinic, actor)


@router.post("/users", status_code=201, dependencies=[require(Permission.MANAGE_USERS)])
async def add_user(clinic: ClinicDep, actor: ActorDep, entered: NewUserBody) -> Actor:
    return await run_slow(
        users.create_user,
        clinic,
        entered.username,
        entered.full_name,
        entered.password,
        entered.role.value,
        patient_id=entered.patient_id,
        actor=actor,
    )


@router.post("/users/{username}/{state}", dependencies=[require(Permission.MANAGE_USERS)])
def set_user_state(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    username: str,
    state: Literal["enable", "disable"],
) -> users.UserView:
    changed = users.set_active(clinic, username, state == "enable", actor)
    actor_cache(request).drop(user_id=changed.id)  # other workers follow within ACTOR_TTL
    return changed


@router.post("/tokens", status_code=201)
def issue_token(clinic: ClinicDep, actor: ActorDep, entered: NewTokenBody) -> users.IssuedToken:
    """A bearer token for scripts: `Authorization: Bearer <token>`. Shown once.

    Only from a signed-in browser session (the session cookie): a request signed with a
    bearer token is refused with 403, so no token can mint a longer-lived one."""
    return users.issue_api_token(clinic, actor, entered.model_dump(exclude_none=True))


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(request: Request, clinic: ClinicDep, actor: ActorDep, token_id: RecordId) -> None:
    users.revoke_api_token(clinic, actor, token_id)
    actor_cache(request).drop(user_id=actor.user_id)


@router.get("/patients/{patient_id}/export", response_class=Response)
async def export_patient_data(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> Response:
    """Everything held about the patient (right of access): a ZIP with data.json and photos."""
    data = await run_slow(_archive, clinic, actor, patient_id)
    name = f"patient-{patient_id}.zip"
    return _download(data, name)


def _archive(clinic: Clinic, actor: Actor, patient_id: int) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "export.zip"
        write_patient_archive(clinic, actor, patient_id, target)
        return target.read_bytes()


@router.delete("/patients/{patient_id}", dependencies=[require(Permission.ERASE_PATIENT)])
def erase(
    clinic: ClinicDep,
    actor: ActorDep,
    patient_id: int,
    reason: str = Query(..., description="Why (e.g. the patient's erasure request, dated)."),
) -> ErasureReport:
    return erase_patient(clinic, actor, patient_id, reason)


class ResearchExportJob(BaseModel):
    """A research export being made: poll `status_url` until `status` is done, then fetch
    `file_url` (a ZIP kept for a day, for the one who asked)."""

    job_id: int
    status: str
    error: str = ""
    status_url: str
    file_url: str | None = None
    rows: dict[str, int] | None = None


def _export_state(job: JobView) -> ResearchExportJob:
    base = f"{PREFIX}/research/exports/{job.id}"
    done = job.status == "done" and job.result is not None
    return ResearchExportJob(
        job_id=job.id,
        status=job.status,
        error=job.error,
        status_url=base,
        file_url=f"{base}/file" if done else None,
        rows=job.result.get("rows") if done and job.result else None,
    )


@router.post("/research/exports", status_code=202)
def start_research_export(
    clinic: ClinicDep, actor: ActorDep, dates: Literal["shifted", "years"] = "shifted"
) -> ResearchExportJob:
    """Have the de-identified research export made (CSV and Parquet per table, README,
    manifest, zipped): a job, as the export grows with the clinic."""
    job_id = export_jobs.start_research_export(clinic, actor, dates)
    return _export_state(export_jobs.research_export_job(clinic, actor, job_id))


@router.get("/research/exports/{export_job_id}")
def research_export_state(
    clinic: ClinicDep, actor: ActorDep, export_job_id: RecordId
) -> ResearchExportJob:
    return _export_state(export_jobs.research_export_job(clinic, actor, export_job_id))


@router.get("/research/exports/{export_job_id}/file", response_class=Response)
def research_export_file(clinic: ClinicDep, actor: ActorDep, export_job_id: RecordId) -> Response:
    found = export_jobs.research_export_file(clinic, actor, export_job_id)
    return _download(found.data, found.filename)


def _download(data: bytes, name: str) -> Response:
    headers: dict[str, Any] = {"content-disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=ZIP, headers=headers)
