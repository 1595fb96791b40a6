"""A patient's assessments, sessions, adverse events, photos, progress and calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response

from scarplan.domain.json_text import load_json
from scarplan.domain.vocabulary import Modality
from scarplan.entrypoints.web.api.common import ERRORS, PREFIX, body
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.inputs import (
    AdverseEventInput,
    AssessmentInput,
    SessionInput,
)
from scarplan.services.clinic.plans.checklists import Checklist, session_checklist
from scarplan.services.clinic.records.assessments import (
    AssessmentView,
    get_assessment,
    list_assessments,
    preview_assessment,
    record_assessment,
)
from scarplan.services.clinic.records.photos import PhotoView, add_photo, list_photos, photo_content
from scarplan.services.clinic.records.progress import (
    CalendarEntry,
    Progress,
    patient_calendar,
    patient_progress,
)
from scarplan.services.clinic.records.sessions import (
    SessionView,
    add_adverse_event,
    get_session,
    list_sessions,
    record_session,
)

router = APIRouter(prefix=PREFIX, tags=["records"], responses=ERRORS)


@router.get("/patients/{patient_id}/assessments")
def assessments(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> list[AssessmentView]:
    return list_assessments(clinic, actor, patient_id)


@router.post(
    "/patients/{patient_id}/assessments",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    status_code=201,
)
def add_assessment(
    clinic: ClinicDep, actor: ActorDep, patient_id: RecordId, entered: AssessmentInput
) -> AssessmentView:
    return record_assessment(clinic, actor, patient_id, body(entered))


@router.post(
    "/patients/{patient_id}/assessments/preview", dependencies=[require(Permission.WRITE_CLINICAL)]
)
def score_assessment(
    clinic: ClinicDep, actor: ActorDep, patient_id: RecordId, entered: AssessmentInput
) -> dict[str, Any]:
    """The scores the assessment would get (the `scarplan assess --json` shape); saves nothing."""
    return preview_assessment(clinic, actor, patient_id, body(entered))


@router.get("/assessments/{assessment_id}")
def read_assessment(clinic: ClinicDep, actor: ActorDep, assessment_id: RecordId) -> AssessmentView:
    return get_assessment(clinic, actor, assessment_id)


@router.get("/patients/{patient_id}/sessions")
def sessions(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> list[SessionView]:
    return list_sessions(clinic, actor, patient_id)


@router.post(
    "/patients/{patient_id}/sessions",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    status_code=201,
)
def add_session(
    clinic: ClinicDep, actor: ActorDep, patient_id: RecordId, entered: SessionInput
) -> SessionView:
    return record_session(clinic, actor, patient_id, body(entered))


@router.get("/patients/{patient_id}/checklist", dependencies=[require(Permission.WRITE_CLINICAL)])
def checklist(
    clinic: ClinicDep,
    actor: ActorDep,
    patient_id: RecordId,
    modality: Modality,
    day: date | None = None,
) -> Checklist:
    """The pre-procedure checklist of `modality` for this patient on `day` (today by default):
    each item with its severity and, where the patient's record answers it, that answer. Send
    the answers as the session's `checklist`."""
    return session_checklist(clinic, actor, patient_id, modality, day or clinic.today())


@router.get("/sessions/{session_id}")
def read_session(clinic: ClinicDep, actor: ActorDep, session_id: RecordId) -> SessionView:
    return get_session(clinic, actor, session_id)


@router.post(
    "/sessions/{session_id}/adverse-events",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    status_code=201,
)
def add_event(
    clinic: ClinicDep, actor: ActorDep, session_id: RecordId, entered: AdverseEventInput
) -> SessionView:
    return add_adverse_event(clinic, actor, session_id, body(entered))


@router.get("/patients/{patient_id}/photos")
def photos(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> list[PhotoView]:
    return list_photos(clinic, actor, patient_id)


@router.post(
    "/patients/{patient_id}/photos",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    status_code=201,
)
async def upload_photo(
    clinic: ClinicDep,
    actor: ActorDep,
    patient_id: int,
    file: UploadFile,
    metadata: Annotated[str, Form(description="The photo's details as JSON (PhotoInput).")],
) -> PhotoView:
    """Multipart upload: `file` (JPEG, PNG or WebP) and `metadata` (a PhotoInput as JSON)."""
    entered = load_json(metadata, path="metadata", what="photo's metadata")
    data = await file.read(clinic.settings.photo_max_bytes + 1)
    return await run_slow(add_photo, clinic, actor, patient_id, entered, data)


@router.get("/photos/{photo_id}/image", response_class=Response)
def photo_image(clinic: ClinicDep, actor: ActorDep, photo_id: RecordId) -> Response:
    _, data = photo_content(clinic, actor, photo_id)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.get("/patients/{patient_id}/progress")
def progress(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> Progress:
    return patient_progress(clinic, actor, patient_id)


@router.get("/patients/{patient_id}/calendar")
def calendar(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> list[CalendarEntry]:
    return patient_calendar(clinic, actor, patient_id)
