"""Procedure consent: the form from the knowledge base, signing, the unchangeable record, and
the gate on recording a session."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from scarplan.adapters.db.tables import AuditEventRecord, ConsentRecord, TreatmentSessionRecord
from scarplan.domain.errors import InputError, NotFoundError, PermissionDeniedError, StateError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import consents, plans
from scarplan.services.clinic.plans.consent_forms import ConsentForm
from scarplan.services.clinic.records import assessments, patients, sessions
from support.checklists import with_checklist
from support.clinic_data import assessment_input, count_rows, patient_input
from support.consent import consented, sign, signature_data_url

PASSWORD = "correct horse battery staple"


@pytest.fixture
def patient_id(clinic: Clinic, clinician: Actor) -> int:
    record = patients.create_patient(clinic, clinician, patient_input(fitzpatrick="V"))
    assessments.record_assessment(clinic, clinician, record.id, assessment_input(clinic.today()))
    return record.id


def session_input(clinic: Clinic, **extra: Any) -> dict[str, Any]:
    """A session whose checklist is answered (tests/support/checklists.py): only the consent
    gate is left to decide."""
    return with_checklist(
        {
            "performed_on": (clinic.today() - timedelta(days=1)).isoformat(),
            "modality": "tca_cross",
            "regions": ["cheek_left"],
            "practitioner": "Dr Lee",
            **extra,
        }
    )


def section(form: ConsentForm, heading: str) -> list[str]:
    return next([i.text for i in s.items] for s in form.sections if s.heading == heading)


# --- the form -------------------------------------------------------------------------------


def test_the_tca_cross_form_states_the_published_range_risks_and_choices(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    form = consents.consent_page(clinic, clinician, patient_id, "tca_cross").form

    assert form.title == "Consent to treatment: TCA CROSS"
    # modalities.yaml, tca_cross outcomes: KHUNGER2011 (73.3 % more than 70 %, 20 % 50-70 %,
    # 6.7 % 30-49 %) and AMIN2014 (45 % 51-70 %, 41.7 % more than 70 %, 13.3 % 30-50 %).
    expected = section(form, "What improvement to expect")
    assert expected[0].startswith(
        "In a published study, most patients (about 3 in 4) improved more than 70 %; "
        "1 in 5 50-70 %; 1 in 15 30-49 %."
    )
    assert expected[1].startswith(
        "In a published study, the largest group (about 3 in 7) improved 51-70 %"
    )
    outcome_items = next(s for s in form.sections if s.heading == "What improvement to expect")
    assert outcome_items.items[0].sources == ("Khunger N et al., 2011",)
    risks = section(form, "Risks")
    assert risks[0] == (
        "Transient hypopigmentation or hyperpigmentation (1 and 2 of 30 patients in one trial)."
    )
    assert risks[1].startswith("Post-inflammatory hyperpigmentation is more likely")
    # Fitzpatrick V: the moderate group of skin_type_risks.
    assert risks[2].startswith(
        "For your skin type (Fitzpatrick V) the risk of pigment change or scarring is moderate."
    )
    choices = section(form, "Other choices")
    assert any(c.startswith("Punch excision: a first choice for ice pick scars") for c in choices)
    assert any(c.startswith("Subcision: a first choice for rolling scars") for c in choices)
    assert not any(c.startswith("TCA CROSS") for c in choices)
    assert choices[-1].startswith("No treatment:")
    course = section(form, "Time off and number of sessions")
    assert course[0].startswith("Time off normal activities: 5-7 days")
    assert course[1].startswith("Number of sessions: 3-6, usually 4")
    assert section(form, "Cost") == [
        "No sessions are planned yet: the clinic will tell you the price before you sign."
    ]
    assert section(form, "Aftercare")[0].startswith("Let the crusts fall off on their own")
    assert any(r.startswith("Khunger N et al. Evaluation of CROSS") for r in form.references)
    assert form.version == hashlib.sha256(f"{form.text}\n{form.kb_version}".encode()).hexdigest()


def test_the_form_has_a_new_version_when_the_plan_changes_its_cost(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    before = consents.consent_page(clinic, clinician, patient_id, "tca_cross").form
    plans.propose_plan(clinic, clinician, patient_id)
    after = consents.consent_page(clinic, clinician, patient_id, "tca_cross").form

    assert section(after, "Cost")[0].startswith("Your plan has ")
    assert after.version != before.version


# --- signing and the unchangeable record ----------------------------------------------------


def test_a_signed_consent_keeps_the_form_as_shown_with_a_hash_over_all_of_it(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    form = consents.consent_page(clinic, clinician, patient_id, "tca_cross").form
    done = consented(clinic, clinician, patient_id)

    assert done.status == "signed"
    assert done.intact
    assert done.form_text == form.text
    assert done.form_version == form.version
    assert (done.patient_name, done.countersigned_by_name) == ("Ana Silva", "Dr Lee")
    assert (done.signed_by, done.countersigned_by) == (clinician.user_id, clinician.user_id)
    assert not done.signed_in_portal
    assert done.signature_png.startswith(b"\x89PNG")
    with clinic.uow.read() as session:
        stored = session.get(ConsentRecord, done.id)
        assert stored is not None
        assert consents.consent_hash(stored) == stored.content_hash == done.content_hash


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("procedure_consents", "patient_name"),
        ("procedure_consent_countersignatures", "clinician_name"),
        ("procedure_consent_withdrawals", "reason"),
    ],
)
def test_the_database_refuses_to_change_a_signed_consent(
    clinic: Clinic, clinician: Actor, patient_id: int, table: str, column: str
) -> None:
    done = consented(clinic, clinician, patient_id)
    consents.withdraw_consent(clinic, clinician, done.id, {"reason": "changed her mind"})

    with (
        pytest.raises(DBAPIError, match="a signed consent cannot be changed"),
        clinic.uow.write() as session,
    ):
        session.execute(text(f"UPDATE {table} SET {column} = 'someone else'"))

    assert consents.list_consents(clinic, clinician, patient_id)[0].patient_name == "Ana Silva"


def test_signing_refuses_a_wrong_name_no_tick_no_drawing_and_an_old_form(
    clinic: Clinic, clinician: Actor, patient_id: int, migrated_engine: Any
) -> None:
    sent = {
        "form_version": "0" * 64,
        "patient_name": "Anna Silver",
        "signature": signature_data_url(),
        "understood": False,
    }
    with pytest.raises(InputError) as refused:
        consents.sign_consent(clinic, clinician, patient_id, "tca_cross", sent)
    assert [p.path for p in refused.value.problems] == [
        "form_version",
        "patient_name",
        "understood",
    ]
    assert "type your full name: Ana Silva" in str(refused.value)
    with pytest.raises(InputError) as blank:
        consents.sign_consent(
            clinic, clinician, patient_id, "tca_cross", {**sent, "signature": "data:,"}
        )
    assert [p.path for p in blank.value.problems] == ["signature"]
    assert count_rows(migrated_engine, ConsentRecord) == 0


def test_only_a_clinician_countersigns_with_their_own_name(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    staff = users.create_user(clinic, "desk", "Front Desk", PASSWORD, "staff")
    signed = sign(clinic, staff, patient_id)  # the front desk hands the tablet over
    assert signed.status == "awaiting countersignature"

    with pytest.raises(PermissionDeniedError):
        consents.countersign_consent(clinic, staff, signed.id, {"clinician_name": "Front Desk"})
    with pytest.raises(InputError, match="the countersignature is not signed yet") as wrong:
        consents.countersign_consent(clinic, clinician, signed.id, {"clinician_name": "Dr Who"})
    assert "type your own name: Dr Lee" in str(wrong.value)
    done = consents.countersign_consent(clinic, clinician, signed.id, {"clinician_name": "dr lee"})
    assert done.status == "signed"
    with pytest.raises(StateError):
        consents.countersign_consent(clinic, clinician, signed.id, {"clinician_name": "Dr Lee"})


def test_a_patient_signs_only_their_own_consent_in_the_portal(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    other = patients.create_patient(clinic, clinician, patient_input("P-0002", "Bea Lima")).id
    portal = users.create_user(
        clinic, "ana", "Ana Silva", PASSWORD, "patient", patient_id=patient_id
    )

    mine = sign(clinic, portal, patient_id)
    assert mine.signed_in_portal
    assert mine.status == "awaiting countersignature"
    with pytest.raises(NotFoundError):
        consents.consent_page(clinic, portal, other, "tca_cross")
    with pytest.raises(NotFoundError):
        sign(clinic, portal, other)
    with pytest.raises(PermissionDeniedError):
        consents.withdraw_consent(clinic, portal, mine.id, {"reason": "no"})


# --- the gate -------------------------------------------------------------------------------


def test_a_session_without_consent_is_refused_in_plain_words_and_nothing_is_saved(
    clinic: Clinic, clinician: Actor, patient_id: int, migrated_engine: Any
) -> None:
    with pytest.raises(InputError) as refused:
        sessions.record_session(clinic, clinician, patient_id, session_input(clinic))

    assert refused.value.message == (
        "No signed consent for TCA CROSS: ask Ana Silva to sign it (Consent page), or give a "
        "reason to go ahead without it."
    )
    assert [p.path for p in refused.value.problems] == ["consent_override_reason"]
    assert count_rows(migrated_engine, TreatmentSessionRecord) == 0


def test_a_consent_awaiting_countersignature_or_withdrawn_does_not_open_the_gate(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    signed = sign(clinic, clinician, patient_id)
    with pytest.raises(InputError, match="is not countersigned yet"):
        sessions.record_session(clinic, clinician, patient_id, session_input(clinic))
    consents.countersign_consent(clinic, clinician, signed.id, {"clinician_name": "Dr Lee"})
    consents.withdraw_consent(clinic, clinician, signed.id, {"reason": "wants to wait"})
    with pytest.raises(InputError, match="Ana Silva withdrew consent for TCA CROSS on 21 Nov"):
        sessions.record_session(clinic, clinician, patient_id, session_input(clinic))


def test_a_signed_consent_opens_the_gate_for_its_procedure_only(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    consented(clinic, clinician, patient_id)

    done = sessions.record_session(clinic, clinician, patient_id, session_input(clinic))
    assert done.modality == "tca_cross"
    with pytest.raises(InputError, match="No signed consent for Subcision"):
        sessions.record_session(
            clinic, clinician, patient_id, session_input(clinic, modality="subcision")
        )


def test_an_override_with_a_reason_is_recorded_and_audited(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    reason = "Paper consent signed on the day; scanned into the file"
    done = sessions.record_session(
        clinic, clinician, patient_id, session_input(clinic, consent_override_reason=reason)
    )

    with clinic.uow.read() as session:
        entry = session.scalars(
            select(AuditEventRecord).where(AuditEventRecord.action == "consent_override")
        ).one()
    assert (entry.patient_id, entry.username) == (patient_id, "dr.lee")
    assert entry.detail["reason"] == reason
    assert entry.detail["modality"] == "tca_cross"
    assert entry.detail["problem"].startswith("No signed consent for TCA CROSS")
    assert done.id > 0


def test_a_changed_form_needs_a_new_signature_unless_signed_within_the_course(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    consented(clinic, clinician, patient_id)  # no plan yet: signed on the form of that day
    plans.propose_plan(clinic, clinician, patient_id)  # the form now states the plan's cost

    with pytest.raises(InputError, match="The TCA CROSS consent form has changed since"):
        sessions.record_session(clinic, clinician, patient_id, session_input(clinic))
    consented(clinic, clinician, patient_id)
    sessions.record_session(clinic, clinician, patient_id, session_input(clinic))
