"""Patients: search, intake, edit, overview."""

from __future__ import annotations

from fastapi import APIRouter, Query

from scarplan.entrypoints.web.api.common import ERRORS, PREFIX, body
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.ids import MAX_ID, RecordId
from scarplan.services.clinic.accounts.invitations import InvitationSent, invite_patient
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.inputs import PatientIntake
from scarplan.services.clinic.records.patients import (
    MAX_PAGE,
    PatientDetail,
    PatientPage,
    create_patient,
    get_patient,
    search_patients,
    update_patient,
)
from scarplan.services.clinic.records.progress import Overview, patient_overview

router = APIRouter(prefix=PREFIX, tags=["patients"], responses=ERRORS)


@router.get("/patients")
def list_patients(
    clinic: ClinicDep,
    actor: ActorDep,
    q: str = "",
    offset: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> PatientPage:
    return search_patients(clinic, actor, q, offset, limit)


@router.post("/patients", dependencies=[require(Permission.CREATE_PATIENT)], status_code=201)
def add_patient(clinic: ClinicDep, actor: ActorDep, intake: PatientIntake) -> PatientDetail:
    return create_patient(clinic, actor, body(intake))


@router.get("/patients/{patient_id}")
def read_patient(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> PatientDetail:
    return get_patient(clinic, actor, patient_id)


@router.put("/patients/{patient_id}", dependencies=[require(Permission.WRITE_INTAKE)])
def replace_patient(
    clinic: ClinicDep, actor: ActorDep, patient_id: RecordId, intake: PatientIntake
) -> PatientDetail:
    return update_patient(clinic, actor, patient_id, body(intake))


@router.get("/patients/{patient_id}/overview")
def overview(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> Overview:
    return patient_overview(clinic, actor, patient_id)


@router.post(
    "/patients/{patient_id}/invitation",
    dependencies=[require(Permission.INVITE_PATIENT)],
    status_code=201,
)
def invite(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> InvitationSent:
    """E-mail the patient a one-time link to set their portal password (creates the account)."""
    return invite_patient(clinic, actor, patient_id)
