"""A signed procedure consent as a FHIR Consent: scope and category treatment, the procedure as
the provision's code, the form as signed in `sourceAttachment`, the seal as an identifier and
the whole signed record (typed names, times, versions, signature, countersignature,
withdrawal) in the extension `procedure-consent`."""

from __future__ import annotations

import json
from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.bundle import attachment
from scarplan.adapters.fhir.export_patient import PatientResources
from scarplan.adapters.fhir.record import ProcedureConsentFacts

STATUS = {"signed": "active", "awaiting countersignature": "proposed", "withdrawn": "inactive"}


def consent_resource(
    owner: PatientResources, index: int, consent: ProcedureConsentFacts
) -> dict[str, Any]:
    document = json.dumps(
        consent.signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
    return {
        "resourceType": "Consent",
        "id": owner.id("procedure-consent", index),
        "identifier": [{"system": codes.CONSENT_SEAL, "value": consent.content_hash}],
        "status": STATUS[consent.status],
        "scope": codes.concept(codes.coding(codes.TREATMENT_CONSENT)),
        "category": [
            codes.concept(codes.coding(codes.TREATMENT_CONSENT)),
            codes.concept(codes.coding(codes.CONSENT_DOCUMENT)),
        ],
        "patient": owner.subject,
        "dateTime": consent.signed_at.isoformat(),
        "sourceAttachment": attachment(
            consent.form_text.encode("utf-8"), "text/plain; charset=utf-8", consent.form_title
        ),
        "policyRule": codes.concept(codes.coding(codes.OPT_IN)),
        "provision": {
            "type": "permit",
            "code": [codes.local_concept("modality", consent.modality)],
        },
        "extension": [
            {
                "url": codes.PROCEDURE_CONSENT,
                "valueAttachment": attachment(
                    document, "application/json", "the signed consent as stored"
                ),
            }
        ],
    }
