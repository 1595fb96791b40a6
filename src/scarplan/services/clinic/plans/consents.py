"""Procedure consent: the form for a patient, signing and countersigning it, withdrawal, and
the gate that refuses a session without a valid consent.

A signed consent is written once with a SHA-256 over everything signed (the form text as
shown, its version, the signature image, the typed name, the time and the signer); the
countersignature and a withdrawal are rows of their own with their own hash. The database
refuses any update of the three (adapters/db/consent_guard.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import (
    AssessmentRecord,
    ConsentCountersignatureRecord,
    ConsentRecord,
    ConsentWithdrawalRecord,
    LesionRecord,
    PlanRecord,
    User,
)
from scarplan.adapters.presentation.wording import day as day_words
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.domain.vocabulary import Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.lifecycle import OPEN
from scarplan.services.clinic.core.access import Permission, Role, authorize, authorize_record
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import (
    ConsentCountersignInput,
    ConsentSignatureInput,
    ConsentWithdrawalInput,
    SessionInput,
    validated,
)
from scarplan.services.clinic.plans.consent_forms import (
    ConsentFacts,
    ConsentForm,
    FormSection,
    build_form,
    canonical_json,
    procedure_name,
    sections_from_json,
)
from scarplan.services.clinic.plans.plans import active_plan, current_version, load_plan
from scarplan.services.clinic.records.patients import load_patient

logger = logging.getLogger(__name__)

_PNG = b"\x89PNG\r\n\x1a\n"
_DATA_URL = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 1_000_000


@dataclass(frozen=True)
class ConsentView:
    id: int
    patient_id: int
    modality: str
    procedure: str
    title: str
    sections: tuple[FormSection, ...]
    references: tuple[str, ...]
    form_text: str
    form_version: str
    kb_version: str
    patient_name: str
    signature_png: bytes
    signed_at: datetime
    signed_by: int | None
    signed_in_portal: bool
    content_hash: str
    countersigned_by_name: str | None
    countersigned_at: datetime | None
    countersigned_by: int | None
    countersignature_hash: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    withdrawn_by: int | None
    intact: bool
    """Every stored hash matches its content again."""

    @property
    def status(self) -> str:
        """'withdrawn', 'awaiting countersignature' or 'signed'."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.countersigned_at is None:
            return "awaiting countersignature"
        return "signed"

    @property
    def signature_data_url(self) -> str:
        return _DATA_URL + base64.b64encode(self.signature_png).decode()


@dataclass(frozen=True)
class ConsentPage:
    patient_id: int
    patient_name: str
    form: ConsentForm
    consents: list[ConsentView]
    """This procedure's signed consents, newest first."""
    may_countersign: bool


# --- the form -------------------------------------------------------------------------------


def _modality(raw: str) -> Modality:
    try:
        return Modality(raw)
    except ValueError:
        raise InputError(
            "no such procedure",
            [FieldProblem("modality", f"{raw!r} is not a procedure", "pick one from the plan")],
        ) from None


def consent_facts(session: Session, patient_id: int, modality: Modality) -> ConsentFacts:
    patient = load_patient(session, patient_id)
    latest = session.scalars(
        select(AssessmentRecord.id)
        .where(AssessmentRecord.patient_id == patient_id)
        .order_by(AssessmentRecord.assessed_on.desc(), AssessmentRecord.id.desc())
        .limit(1)
    ).first()
    scar_types: list[ScarType] = []
    if latest is not None:
        for value in session.scalars(
            select(LesionRecord.scar_type).where(LesionRecord.assessment_id == latest)
        ):
            if value is not None and ScarType(value) not in scar_types:
                scar_types.append(ScarType(value))
    planned, currency = 0, ""
    cost: Decimal | None = None
    plan = _open_plan(session, patient_id)
    if plan is not None:
        version = current_version(plan)
        mine = [s for s in version.sessions if s.modality == modality.value]
        planned, currency = len(mine), version.currency
        costs = [s.cost for s in mine if s.cost is not None]
        cost = sum(costs, Decimal(0)) if mine and len(costs) == len(mine) else None
    return ConsentFacts(
        patient_name=patient.full_name,
        fitzpatrick=patient.fitzpatrick,
        scar_types=tuple(sorted(scar_types, key=list(ScarType).index)),
        planned_sessions=planned,
        planned_cost=cost,
        currency=currency,
    )


def _open_plan(session: Session, patient_id: int) -> PlanRecord | None:
    """The patient's latest plan still open (proposed, accepted or under way)."""
    plan_id = session.scalar(
        select(PlanRecord.id)
        .where(PlanRecord.patient_id == patient_id, PlanRecord.status.in_(OPEN))
        .order_by(PlanRecord.id.desc())
        .limit(1)
    )
    return load_plan(session, plan_id) if plan_id is not None else None


def current_form(
    session: Session, knowledge: KnowledgeBase, patient_id: int, modality: Modality
) -> ConsentForm:
    return build_form(knowledge, modality, consent_facts(session, patient_id, modality))


def form_to_sign(clinic: Clinic, patient_id: int, modality: str) -> ConsentForm:
    """The current form, read without an actor (the demo clinic's set-up)."""
    with clinic.uow.read() as session:
        return current_form(session, clinic.knowledge, patient_id, _modality(modality))


def consent_page(clinic: Clinic, actor: Actor, patient_id: int, modality: str) -> ConsentPage:
    """The form to read and sign now, and the consents already signed for the procedure."""
    authorize(actor, Permission.SIGN_CONSENT, patient_id)
    chosen = _modality(modality)
    with clinic.uow.read() as session:
        patient = load_patient(session, patient_id)
        form = current_form(session, clinic.knowledge, patient_id, chosen)
        signed = [c for c in patient_consents(session, patient_id) if c.modality == chosen.value]
    clinic.audit.read(actor, "consent", None, patient_id, {"modality": chosen.value})
    return ConsentPage(
        patient_id=patient_id,
        patient_name=patient.full_name,
        form=form,
        consents=list(reversed(signed)),
        may_countersign=actor.role == Role.CLINICIAN,
    )


# --- hashes ---------------------------------------------------------------------------------


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


def consent_hash(record: ConsentRecord) -> str:
    return _digest(
        {
            "patient_id": record.patient_id,
            "modality": record.modality,
            "form_version": record.form_version,
            "kb_version": record.kb_version,
            "form_title": record.form_title,
            "form": record.form,
            "form_text": record.form_text,
            "patient_name": record.patient_name,
            "signature_sha256": hashlib.sha256(record.signature_png).hexdigest(),
            "signed_at": record.signed_at.isoformat(),
            "signed_by": record.signed_by,
            "signed_in_portal": record.signed_in_portal,
        }
    )


def countersignature_hash(consent_digest: str, record: ConsentCountersignatureRecord) -> str:
    return _digest(
        {
            "consent": consent_digest,
            "clinician_name": record.clinician_name,
            "countersigned_at": record.countersigned_at.isoformat(),
            "countersigned_by": record.countersigned_by,
        }
    )


def withdrawal_hash(consent_digest: str, record: ConsentWithdrawalRecord) -> str:
    return _digest(
        {
            "consent": consent_digest,
            "reason": record.reason,
            "withdrawn_at": record.withdrawn_at.isoformat(),
            "withdrawn_by": record.withdrawn_by,
        }
    )


# --- reading --------------------------------------------------------------------------------


def patient_consents(session: Session, patient_id: int) -> list[ConsentView]:
    """Every consent the patient signed, oldest first, with countersignature and withdrawal."""
    records = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.patient_id == patient_id)
        .order_by(ConsentRecord.signed_at, ConsentRecord.id)
    ).all()
    ids = [r.id for r in records]
    counters = {
        c.consent_id: c
        for c in session.scalars(
            select(ConsentCountersignatureRecord).where(
                ConsentCountersignatureRecord.consent_id.in_(ids)
            )
        )
    }
    withdrawals = {
        w.consent_id: w
        for w in session.scalars(
            select(ConsentWithdrawalRecord).where(ConsentWithdrawalRecord.consent_id.in_(ids))
        )
    }
    return [_view(r, counters.get(r.id), withdrawals.get(r.id)) for r in records]


def _view(
    record: ConsentRecord,
    counter: ConsentCountersignatureRecord | None,
    withdrawal: ConsentWithdrawalRecord | None,
) -> ConsentView:
    intact = consent_hash(record) == record.content_hash
    if counter is not None:
        intact = intact and countersignature_hash(record.content_hash, counter) == (
            counter.content_hash
        )
    if withdrawal is not None:
        intact = intact and withdrawal_hash(record.content_hash, withdrawal) == (
            withdrawal.content_hash
        )
    if not intact:
        logger.error("consent %s: a stored hash does not match its content", record.id)
    return ConsentView(
        id=record.id,
        patient_id=record.patient_id,
        modality=record.modality,
        procedure=procedure_name(record.modality),
        title=record.form_title,
        sections=sections_from_json(record.form["sections"]),
        references=tuple(str(r) for r in record.form.get("references", [])),
        form_text=record.form_text,
        form_version=record.form_version,
        kb_version=record.kb_version,
        patient_name=record.patient_name,
        signature_png=record.signature_png,
        signed_at=record.signed_at,
        signed_by=record.signed_by,
        signed_in_portal=record.signed_in_portal,
        content_hash=record.content_hash,
        countersigned_by_name=counter.clinician_name if counter else None,
        countersigned_at=counter.countersigned_at if counter else None,
        countersigned_by=counter.countersigned_by if counter else None,
        countersignature_hash=counter.content_hash if counter else None,
        withdrawn_at=withdrawal.withdrawn_at if withdrawal else None,
        withdrawal_reason=withdrawal.reason if withdrawal else None,
        withdrawn_by=withdrawal.withdrawn_by if withdrawal else None,
        intact=intact,
    )


def list_consents(clinic: Clinic, actor: Actor, patient_id: int) -> list[ConsentView]:
    """The patient's consents, oldest first (their documents)."""
    authorize(actor, Permission.SIGN_CONSENT, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        found = patient_consents(session, patient_id)
    clinic.audit.read(actor, "consent_list", None, patient_id)
    return found


# --- signing --------------------------------------------------------------------------------


def _same_name(typed: str, expected: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(expected.split()).casefold()


def _signature_png(data_url: str) -> bytes:
    problem = FieldProblem(
        "signature", "is not a drawn signature", "draw your signature in the box"
    )
    if not data_url.startswith(_DATA_URL):
        raise InputError("the signature is missing", [problem])
    try:
        png = base64.b64decode(data_url[len(_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        raise InputError("the signature is missing", [problem]) from None
    if not png.startswith(_PNG) or len(png) > MAX_SIGNATURE_BYTES:
        raise InputError("the signature is missing", [problem])
    return png


def sign_consent(
    clinic: Clinic, actor: Actor, patient_id: int, modality: str, raw: Any
) -> ConsentView:
    """The patient signs the form they read (the version they saw must still be current)."""
    authorize(actor, Permission.SIGN_CONSENT, patient_id)
    chosen = _modality(modality)
    entered = validated(ConsentSignatureInput, raw, "signature")
    png = _signature_png(entered.signature)
    with clinic.uow.write() as session:
        patient = load_patient(session, patient_id)
        form = current_form(session, clinic.knowledge, patient_id, chosen)
        problems = []
        if entered.form_version != form.version:
            problems.append(
                FieldProblem(
                    "form_version",
                    "the form has changed since it was opened",
                    "read the new form and sign again",
                )
            )
        if not _same_name(entered.patient_name, patient.full_name):
            problems.append(
                FieldProblem(
                    "patient_name",
                    "does not match the name the clinic has",
                    f"type your full name: {patient.full_name}",
                )
            )
        if not entered.understood:
            problems.append(
                FieldProblem(
                    "understood",
                    "is not ticked",
                    "tick 'I have read and understood' once you have read the form",
                )
            )
        if problems:
            raise InputError("the consent is not signed yet", problems)
        record = ConsentRecord(
            patient_id=patient_id,
            modality=chosen.value,
            form_version=form.version,
            kb_version=form.kb_version,
            form_title=form.title,
            form=form.as_json(),
            form_text=form.text,
            patient_name=" ".join(entered.patient_name.split()),
            signature_png=png,
            signed_at=clinic.now(),
            signed_by=actor.user_id,
            signed_in_portal=actor.role == Role.PATIENT,
        )
        record.content_hash = consent_hash(record)
        session.add(record)
        session.flush()
        clinic.audit.changed(
            session, actor, "sign", "consent", record.id, patient_id, {"modality": chosen.value}
        )
        return _view(record, None, None)


def _consent_for_change(session: Session, actor: Actor, consent_id: int) -> ConsentRecord:
    record = session.get(ConsentRecord, consent_id)
    if record is None:
        raise InputError(
            "no such consent", [FieldProblem("consent_id", f"{consent_id} names no consent", "")]
        )
    authorize_record(
        actor, Permission.MANAGE_CONSENT, record.patient_id, "consent_id", consent_id, "consent"
    )
    return record


def _state(
    session: Session, consent_id: int
) -> tuple[ConsentCountersignatureRecord | None, ConsentWithdrawalRecord | None]:
    counter = session.scalars(
        select(ConsentCountersignatureRecord).where(
            ConsentCountersignatureRecord.consent_id == consent_id
        )
    ).first()
    withdrawal = session.scalars(
        select(ConsentWithdrawalRecord).where(ConsentWithdrawalRecord.consent_id == consent_id)
    ).first()
    return counter, withdrawal


def countersign_consent(clinic: Clinic, actor: Actor, consent_id: int, raw: Any) -> ConsentView:
    """The clinician signed in countersigns, typing their own name."""
    entered = validated(ConsentCountersignInput, raw, "countersignature")
    with clinic.uow.write() as session:
        record = _consent_for_change(session, actor, consent_id)
        counter, withdrawal = _state(session, consent_id)
        if withdrawal is not None:
            raise StateError("this consent was withdrawn: the patient signs a new one first")
        if counter is not None:
            raise StateError("this consent is already countersigned")
        user = session.get(User, actor.user_id) if actor.user_id is not None else None
        expected = user.full_name if user is not None else actor.username
        if not _same_name(entered.clinician_name, expected):
            raise InputError(
                "the countersignature is not signed yet",
                [
                    FieldProblem(
                        "clinician_name",
                        "does not match the account signed in",
                        f"type your own name: {expected}",
                    )
                ],
            )
        counter = ConsentCountersignatureRecord(
            consent_id=consent_id,
            clinician_name=" ".join(entered.clinician_name.split()),
            countersigned_at=clinic.now(),
            countersigned_by=actor.user_id,
        )
        counter.content_hash = countersignature_hash(record.content_hash, counter)
        session.add(counter)
        session.flush()
        clinic.audit.changed(
            session, actor, "countersign", "consent", consent_id, record.patient_id
        )
        return _view(record, counter, None)


def withdraw_consent(clinic: Clinic, actor: Actor, consent_id: int, raw: Any) -> ConsentView:
    """Record that the patient withdrew the consent (a new row; the consent stays as signed)."""
    entered = validated(ConsentWithdrawalInput, raw, "withdrawal")
    with clinic.uow.write() as session:
        record = _consent_for_change(session, actor, consent_id)
        counter, withdrawal = _state(session, consent_id)
        if withdrawal is not None:
            raise StateError("this consent is already withdrawn")
        withdrawal = ConsentWithdrawalRecord(
            consent_id=consent_id,
            reason=entered.reason.strip(),
            withdrawn_at=clinic.now(),
            withdrawn_by=actor.user_id,
        )
        withdrawal.content_hash = withdrawal_hash(record.content_hash, withdrawal)
        session.add(withdrawal)
        session.flush()
        clinic.audit.changed(
            session,
            actor,
            "withdraw",
            "consent",
            consent_id,
            record.patient_id,
            {"reason": withdrawal.reason},
        )
        return _view(record, counter, withdrawal)


# --- the gate -------------------------------------------------------------------------------

_ASIDE = "or give a reason to go ahead without it."


def consent_state(
    session: Session, knowledge: KnowledgeBase, patient_id: int, modality: Modality
) -> tuple[str, ConsentView | None]:
    """The state of the patient's latest consent to `modality`: 'none', 'withdrawn',
    'awaiting' (not countersigned), 'outdated' (an older form, signed before the current
    course) or 'valid'; with that consent."""
    signed = [c for c in patient_consents(session, patient_id) if c.modality == modality.value]
    if not signed:
        return "none", None
    latest = signed[-1]
    if latest.withdrawn_at is not None:
        return "withdrawn", latest
    if latest.countersigned_at is None:
        return "awaiting", latest
    plan = active_plan(session, patient_id)
    in_course = plan is not None and latest.signed_at >= plan.created_at
    if not in_course:
        current = current_form(session, knowledge, patient_id, modality)
        if latest.form_version != current.version:
            return "outdated", latest
    return "valid", latest


def consent_problem(
    session: Session, patient_id: int, modality: str, *, knowledge: KnowledgeBase
) -> str | None:
    """Why a session of `modality` may not be recorded for the patient, or None when a valid
    consent is on file: signed, countersigned, not withdrawn, and on the current form version
    or signed within the current course (since the active plan was made)."""
    chosen = Modality(modality)
    name = load_patient(session, patient_id).full_name
    procedure = procedure_name(chosen.value)
    state, latest = consent_state(session, knowledge, patient_id, chosen)
    if state == "none" or latest is None:
        return f"No signed consent for {procedure}: ask {name} to sign it (Consent page), {_ASIDE}"
    if state == "withdrawn":
        return (
            f"{name} withdrew consent for {procedure} on {day_words(latest.withdrawn_at)}: "
            f"ask them to sign again (Consent page), {_ASIDE}"
        )
    if state == "awaiting":
        return (
            f"{name}'s consent for {procedure} is not countersigned yet: countersign it "
            f"(Consent page), {_ASIDE}"
        )
    if state == "outdated":
        return (
            f"The {procedure} consent form has changed since {name} signed it on "
            f"{day_words(latest.signed_at)}: ask them to sign the new one (Consent page), "
            f"{_ASIDE}"
        )
    return None


def require_consent(
    session: Session, clinic: Clinic, actor: Actor, patient_id: int, entered: SessionInput
) -> None:
    """The session gate: refuse without a valid consent unless a reason is given, and audit
    going ahead with one."""
    problem = consent_problem(
        session, patient_id, entered.modality.value, knowledge=clinic.knowledge
    )
    if problem is None:
        return
    reason = entered.consent_override_reason.strip()
    if not reason:
        raise InputError(problem, [FieldProblem("consent_override_reason", problem, "")])
    clinic.audit.changed(
        session,
        actor,
        "consent_override",
        "session",
        None,
        patient_id,
        {"modality": entered.modality.value, "problem": problem, "reason": reason},
    )


def export_entry(consent: ConsentView) -> dict[str, Any]:
    """A consent in the patient's data export (the signature image goes beside it as a file)."""
    return {
        "id": consent.id,
        "procedure": consent.procedure,
        "modality": consent.modality,
        "status": consent.status,
        "title": consent.title,
        "form_text": consent.form_text,
        "form_version": consent.form_version,
        "knowledge_version": consent.kb_version,
        "patient_name": consent.patient_name,
        "signed_at": consent.signed_at,
        "signed_in_portal": consent.signed_in_portal,
        "content_sha256": consent.content_hash,
        "countersigned_by": consent.countersigned_by_name,
        "countersigned_at": consent.countersigned_at,
        "countersignature_sha256": consent.countersignature_hash,
        "withdrawn_at": consent.withdrawn_at,
        "withdrawal_reason": consent.withdrawal_reason,
        "signature_sha256": hashlib.sha256(consent.signature_png).hexdigest(),
    }


_STATE_WORDS = {
    "none": "Not signed yet",
    "withdrawn": "Withdrawn",
    "awaiting": "Signed; waiting for the clinician's countersignature",
    "outdated": "Signed on an earlier version of the form: to be signed again",
    "valid": "Signed and countersigned",
}


@dataclass(frozen=True)
class ConsentRow:
    modality: str
    procedure: str
    state: str
    words: str
    latest: ConsentView | None
    planned: bool


@dataclass(frozen=True)
class ConsentOverview:
    patient_id: int
    patient_name: str
    rows: list[ConsentRow]
    """One per procedure of the patient's open plan or with a consent on file."""
    consents: list[ConsentView]
    """Every consent signed, newest first."""


def consent_overview(clinic: Clinic, actor: Actor, patient_id: int) -> ConsentOverview:
    """The patient's consents by procedure: what is signed, what is still to sign."""
    authorize(actor, Permission.SIGN_CONSENT, patient_id)
    with clinic.uow.read() as session:
        patient = load_patient(session, patient_id)
        signed = patient_consents(session, patient_id)
        plan = _open_plan(session, patient_id)
        planned = (
            {s.modality for s in current_version(plan).sessions} if plan is not None else set()
        )
        rows = []
        for value in sorted(planned | {c.modality for c in signed}, key=procedure_name):
            state, latest = consent_state(session, clinic.knowledge, patient_id, Modality(value))
            words = _STATE_WORDS[state]
            if latest is not None and state in ("valid", "awaiting", "outdated"):
                words += f" (signed {day_words(latest.signed_at)})"
            if latest is not None and state == "withdrawn":
                words += f" on {day_words(latest.withdrawn_at)}"
            rows.append(
                ConsentRow(value, procedure_name(value), state, words, latest, value in planned)
            )
    clinic.audit.read(actor, "consent_list", None, patient_id)
    return ConsentOverview(patient_id, patient.full_name, rows, list(reversed(signed)))
