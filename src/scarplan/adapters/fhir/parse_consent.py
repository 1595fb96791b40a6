"""Signed procedure consents (Consent with scope treatment) read back from a bundle."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.reader import Entry, Reader
from scarplan.adapters.fhir.record import ProcedureConsentFacts

STATUSES = {"active": "signed", "proposed": "awaiting countersignature", "inactive": "withdrawn"}
_FIELDS = ("modality", "form_title", "form_text", "content_hash", "signed_at", "signature_png")


def is_procedure_consent(entry: Entry) -> bool:
    scope = entry.get("scope") or {}
    return any(
        c.get("system") == codes.CONSENT_SCOPE and c.get("code") == codes.TREATMENT_CONSENT[1]
        for c in scope.get("coding") or []
        if isinstance(c, dict)
    )


def read_procedure_consents(reader: Reader) -> tuple[ProcedureConsentFacts, ...]:
    """Each procedure Consent, in the order the bundle gives them."""
    found = []
    for entry in reader.of_kind("Consent"):
        if not is_procedure_consent(entry):
            continue
        reader.used.add(entry.url)
        reader.subject(entry, "patient")
        consent = _consent(reader, entry)
        if consent is not None:
            found.append(consent)
    return tuple(found)


def _consent(reader: Reader, entry: Entry) -> ProcedureConsentFacts | None:
    status = STATUSES.get(str(entry.get("status")))
    if status is None:
        reader.problem(entry.at("status"), "is not active, proposed or inactive", "")
        return None
    extension = reader.single_extension(entry, codes.PROCEDURE_CONSENT)
    if extension is None:
        reader.problem(entry.path, "has no procedure-consent extension", "export it again")
        return None
    value = reader.value(extension, "Attachment")
    if value is None:
        return None
    data = reader.attachment_data(value.value, value.path, "the signed consent")
    if data is None:
        return None
    try:
        signed: dict[str, Any] = json.loads(data)
        modality = str(signed["modality"])
        signed_at = datetime.fromisoformat(str(signed["signed_at"]))
        form_text, title = str(signed["form_text"]), str(signed["form_title"])
        seal = str(signed["content_hash"])
        png = bytes.fromhex(str(signed["signature_png"]))
    except (ValueError, KeyError, TypeError):
        reader.problem(value.path, "is not a signed consent scarplan wrote", "export it again")
        return None
    shown = reader.attachment_data(
        entry.get("sourceAttachment"), entry.at("sourceAttachment"), "the form"
    )
    if shown is not None and shown.decode("utf-8", "replace") != form_text:
        reader.problem(entry.at("sourceAttachment"), "differs from the signed form", "")
        return None
    procedure = reader.code(
        (entry.get("provision") or {}).get("code", [None])[0],
        f"{entry.at('provision')}.code[0]",
        "modality",
    )
    if procedure is None or procedure.value != modality:
        reader.problem(f"{entry.at('provision')}.code[0]", "is not the procedure signed for", "")
        return None
    return ProcedureConsentFacts(
        modality=modality,
        status=status,
        signed_at=signed_at,
        form_title=title,
        form_text=form_text,
        content_hash=seal,
        signed=signed,
        signature_png=png,
        origins={"": entry.path},
    )
