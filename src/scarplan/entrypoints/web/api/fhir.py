"""FHIR R4: a patient's whole record as a Bundle, and a Bundle imported as a new patient.

`GET /fhir/Patient/{patient_id}/$everything` answers `application/fhir+json`; the import is a
scarplan operation, not a FHIR interaction (the bundle is a `collection`, not a `transaction`),
so it lives under the REST API: `POST /api/v1/fhir/import`. Errors on the FHIR base are
OperationOutcomes; the import answers one when asked (`Accept: application/fhir+json`) and
problem details otherwise. docs/fhir.md has the details.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.entrypoints.web.api.common import ERRORS, PREFIX
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.errors import FHIR_JSON
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.exchange.fhir_export import export_patient_bundle
from scarplan.services.clinic.exchange.fhir_import import ImportReport, import_patient_bundle

router = APIRouter(tags=["fhir"], responses=ERRORS)
MAX_BUNDLE_BYTES = 256_000_000
"""A bundle carries its photos inline; this bounds one import's request body."""

_BUNDLE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A FHIR R4 Bundle of type collection, as `$everything` returns it.",
        "content": {FHIR_JSON: {"schema": {"type": "object"}}},
    }
}


@router.get(
    "/fhir/Patient/{patient_id}/$everything",
    response_class=Response,
    dependencies=[require(Permission.READ_CLINICAL)],
    responses={200: {"content": {FHIR_JSON: {}}, "description": "A FHIR Bundle."}},
)
def everything(clinic: ClinicDep, actor: ActorDep, patient_id: RecordId) -> Response:
    """The patient's whole record as a FHIR R4 collection Bundle, photos inlined."""
    bundle = export_patient_bundle(clinic, actor, patient_id)
    return Response(orjson.dumps(bundle), media_type=FHIR_JSON)


@router.post(
    f"{PREFIX}/fhir/import",
    status_code=201,
    dependencies=[require(Permission.WRITE_CLINICAL)],
    openapi_extra=_BUNDLE_BODY,
)
async def import_bundle(request: Request, clinic: ClinicDep, actor: ActorDep) -> ImportReport:
    """Create a patient with their whole record from a bundle, or nothing: problems name the
    bundle path to fix (`entry[3].resource.code.coding[0].code`)."""
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_BUNDLE_BYTES:
            raise InputError(
                "the bundle is too large",
                [FieldProblem("(body)", f"over {MAX_BUNDLE_BYTES} bytes", "import it in parts")],
            )
    return await run_slow(import_patient_bundle, clinic, actor, bytes(data))
