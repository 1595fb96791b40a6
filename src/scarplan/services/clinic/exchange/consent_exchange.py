"""Signed procedure consents to and from another scarplan (the FHIR Consent's
`procedure-consent` extension): the whole signed record, the people named, never by this
clinic's user ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import (
    ConsentCountersignatureRecord,
    ConsentRecord,
    ConsentWithdrawalRecord,
)
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Modality
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.consent_forms import sections_from_json
from scarplan.services.clinic.plans.consents import (
    ConsentView,
    consent_hash,
    countersignature_hash,
    withdrawal_hash,
)


def transfer_document(session: Session, consent: ConsentView) -> dict[str, Any]:
    """Everything signed, as JSON values, for the FHIR Consent's `procedure-consent`
    extension; the people are named, never by this clinic's user ids."""
    record = session.get_one(ConsentRecord, consent.id)
    return {
        "modality": consent.modality,
        "form_title": consent.title,
        "form": record.form,
        "form_text": consent.form_text,
        "form_version": consent.form_version,
        "kb_version": consent.kb_version,
        "patient_name": consent.patient_name,
        "signature_png": consent.signature_png.hex(),
        "signed_at": consent.signed_at.isoformat(),
        "signed_in_portal": consent.signed_in_portal,
        "content_hash": consent.content_hash,
        "countersigned_by": consent.countersigned_by_name,
        "countersigned_at": _iso(consent.countersigned_at),
        "withdrawn_at": _iso(consent.withdrawn_at),
        "withdrawal_reason": consent.withdrawal_reason,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def import_consent(
    session: Session, clinic: Clinic, actor: Actor, patient_id: int, signed: dict[str, Any]
) -> ConsentRecord:
    """A consent signed in another scarplan, stored as signed (read from a FHIR bundle). The
    signer accounts are not this clinic's: their ids stay empty; the seals are made again over
    the stored rows, and the audit entry keeps the seal the bundle carried."""
    try:
        record = ConsentRecord(
            patient_id=patient_id,
            modality=Modality(str(signed["modality"])).value,
            form_version=str(signed["form_version"]),
            kb_version=str(signed["kb_version"]),
            form_title=str(signed["form_title"]),
            form=dict(signed["form"]),
            form_text=str(signed["form_text"]),
            patient_name=str(signed["patient_name"]),
            signature_png=bytes.fromhex(str(signed["signature_png"])),
            signed_at=datetime.fromisoformat(str(signed["signed_at"])),
            signed_by=None,
            signed_in_portal=bool(signed["signed_in_portal"]),
        )
        sections_from_json(record.form["sections"])
    except (KeyError, TypeError, ValueError):
        raise InputError(
            "the signed consent is incomplete",
            [FieldProblem("consent", "is not a consent scarplan signed", "export it again")],
        ) from None
    record.content_hash = consent_hash(record)
    session.add(record)
    session.flush()
    if signed.get("countersigned_at"):
        counter = ConsentCountersignatureRecord(
            consent_id=record.id,
            clinician_name=str(signed["countersigned_by"]),
            countersigned_at=datetime.fromisoformat(str(signed["countersigned_at"])),
            countersigned_by=None,
        )
        counter.content_hash = countersignature_hash(record.content_hash, counter)
        session.add(counter)
    if signed.get("withdrawn_at"):
        withdrawal = ConsentWithdrawalRecord(
            consent_id=record.id,
            reason=str(signed.get("withdrawal_reason") or ""),
            withdrawn_at=datetime.fromisoformat(str(signed["withdrawn_at"])),
            withdrawn_by=None,
        )
        withdrawal.content_hash = withdrawal_hash(record.content_hash, withdrawal)
        session.add(withdrawal)
    session.flush()
    clinic.audit.changed(
        session,
        actor,
        "import",
        "consent",
        record.id,
        patient_id,
        {"modality": record.modality, "seal_in_bundle": str(signed.get("content_hash", ""))},
    )
    return record
