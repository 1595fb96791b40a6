"""A signed, countersigned procedure consent, for tests that record sessions."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image, ImageDraw

from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import consents
from scarplan.services.clinic.plans.consents import ConsentView
from scarplan.services.clinic.records.sessions import SessionView


def signature_data_url() -> str:
    """A small drawn stroke as a PNG data URL, as the signing page sends it."""
    image = Image.new("RGBA", (120, 40), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(5, 30), (40, 8), (80, 32), (115, 10)], fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def sign(
    clinic: Clinic, signer: Actor, patient_id: int, modality: str = "tca_cross"
) -> ConsentView:
    """The patient signs the current form (handed the tablet by `signer`, or in the portal)."""
    page = consents.consent_page(clinic, signer, patient_id, modality)
    return consents.sign_consent(
        clinic,
        signer,
        patient_id,
        modality,
        {
            "form_version": page.form.version,
            "patient_name": page.patient_name,
            "signature": signature_data_url(),
            "understood": True,
        },
    )


def consented(
    clinic: Clinic, clinician: Actor, patient_id: int, modality: str = "tca_cross"
) -> ConsentView:
    """Signed by the patient on the clinic's tablet and countersigned by `clinician`."""
    signed = sign(clinic, clinician, patient_id, modality)
    name = clinician_name(clinic, clinician)
    return consents.countersign_consent(clinic, clinician, signed.id, {"clinician_name": name})


def clinician_name(clinic: Clinic, clinician: Actor) -> str:
    from scarplan.adapters.db.tables import User  # noqa: PLC0415

    with clinic.uow.read() as session:
        user = session.get(User, clinician.user_id)
        assert user is not None
        return user.full_name


def ensure_consents(clinic: Clinic, clinician: Actor, patient_id: int, *modalities: str) -> None:
    """A valid consent for each procedure of the patient's open plans and each of `modalities`
    (signed and countersigned now where none is valid), so a test can record sessions."""
    from scarplan.services.clinic.plans import plans  # noqa: PLC0415

    wanted = set(modalities)
    for plan in plans.list_plans(clinic, clinician, patient_id):
        if plan.status in ("proposed", "accepted", "in_progress"):
            wanted.update(s.modality for s in plan.sessions)
    for modality in sorted(wanted):
        with clinic.uow.read() as session:
            problem = consents.consent_problem(
                session, patient_id, modality, knowledge=clinic.knowledge
            )
        if problem is not None:
            consented(clinic, clinician, patient_id, modality)


def record_cleared(
    clinic: Clinic, clinician: Actor, patient_id: int, entered: dict[str, Any]
) -> SessionView:
    """Record a session as a clinic would once its gates are cleared: the procedure's consent
    signed and countersigned, every checklist item answered yes (tests/support/checklists.py)."""
    from scarplan.services.clinic.records import sessions  # noqa: PLC0415
    from support.checklists import with_checklist  # noqa: PLC0415

    ensure_consents(clinic, clinician, patient_id, str(entered["modality"]))
    return sessions.record_session(clinic, clinician, patient_id, with_checklist(entered))
