"""The patient report of a stored patient, downloaded as PDF or self-contained HTML."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from scarplan.adapters.reports.content import Variant
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep
from scarplan.entrypoints.web.ids import RecordId
from scarplan.services.clinic.exchange.patient_report import patient_report
from scarplan.services.reports import rendered

router = APIRouter(include_in_schema=False)
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@router.get("/patients/{patient_id}/report")
def download_report(
    clinic: ClinicDep,
    actor: ActorDep,
    patient_id: RecordId,
    variant: Variant = Variant.PATIENT,
    format: Literal["pdf", "html"] = "pdf",
) -> Response:
    content = patient_report(clinic, actor, patient_id, variant)
    name = f"scarplan-{variant.value}-report-{patient_id}-{content.generated_on.isoformat()}"
    # Always a download: the HTML carries its own inline styles, which the app's pages forbid.
    return Response(
        rendered(content, format),
        media_type=MEDIA_TYPES[format],
        headers={"content-disposition": f'attachment; filename="{name}.{format}"'},
    )
