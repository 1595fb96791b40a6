"""The report of a stored patient: the open plan as it stands (edited, sessions done), the
assessment it was made from, the sessions carried out; permissions and the audit trail."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from scarplan.adapters.reports.content import Variant
from scarplan.adapters.reports.render import render_html
from scarplan.domain.errors import PermissionDeniedError, StateError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core import audit
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange.patient_report import NO_PLAN, patient_report
from scarplan.services.clinic.plans import consents, plans
from scarplan.services.clinic.records import assessments, patients, sessions
from support.checklists import with_checklist
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock
from support.consent import consented, ensure_consents

pytestmark = pytest.mark.db


@pytest.fixture
def patient_id(clinic: Clinic, clinician: Actor) -> int:
    record = patients.create_patient(
        clinic, clinician, patient_input("P-0001", preferences={"start_date": "2027-01-11"})
    )
    assessments.record_assessment(clinic, clinician, record.id, assessment_input(clinic.today()))
    return record.id


def test_without_a_plan_the_report_says_so_and_still_explains_the_scars(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    content = patient_report(clinic, clinician, patient_id, Variant.PATIENT)

    assert content.subject == "Ana Silva"
    assert content.plan_problem == (NO_PLAN,)
    assert content.sessions == ()
    # support/clinic_data.LESIONS: 14 ice pick, 4 boxcar, 6 rolling.
    assert {t.id: t.count for t in content.scar_types} == {
        "ice_pick": 14,
        "boxcar": 4,
        "rolling": 6,
    }


def test_the_report_follows_the_plan_as_carried_out(
    clinic: Clinic, clinician: Actor, clock: FrozenClock, patient_id: int
) -> None:
    proposed = plans.propose_plan(clinic, clinician, patient_id)
    plans.accept_plan(clinic, clinician, proposed.id)
    first = min(proposed.sessions, key=lambda s: (s.day, s.position))
    clock.set(datetime.combine(first.day, time(9)).replace(tzinfo=clock.now().tzinfo))
    ensure_consents(clinic, clinician, patient_id)
    done = sessions.record_session(
        clinic,
        clinician,
        patient_id,
        with_checklist(
            {
                "performed_on": first.day.isoformat(),
                "modality": first.modality,
                "regions": first.regions,
                "practitioner": "Dr Lee",
                "adverse_events": [
                    {
                        "kind": "prolonged_erythema",
                        "severity": "mild",
                        "onset_on": first.day.isoformat(),
                    }
                ],
            }
        ),
    )

    content = patient_report(clinic, clinician, patient_id, Variant.CLINICIAN)

    assert len(content.sessions) == len(proposed.sessions)
    assert [s.done for s in content.sessions].count(True) == 1
    (performed,) = content.performed
    assert (performed.day, performed.modality) == (done.performed_on, done.modality)
    assert performed.practitioner == "Dr Lee"
    assert performed.adverse_events[0].startswith("Prolonged erythema (mild, from ")


def test_the_report_of_a_stored_plan_says_what_treats_each_scar_group(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    # support/clinic_data.LESIONS: 14 ice pick scars 1.1 mm wide on the left cheek are narrow
    # (under 2 mm, techniques.yaml ice_pick_narrow): TCA CROSS, scar by scar.
    plans.propose_plan(clinic, clinician, patient_id)

    content = patient_report(clinic, clinician, patient_id, Variant.PATIENT)

    assert [(g.number, g.region) for g in content.lesion_groups] == [
        (n, region)
        for n, region in enumerate(("cheek_left", "temple_left", "cheek_right"), start=1)
    ]
    narrow = content.lesion_groups[0]
    assert narrow.technique is not None
    assert narrow.technique.name == "TCA CROSS"
    # The visits are the stored plan's sessions as they stand.
    crosses = sum(1 for s in content.sessions if s.modality == "tca_cross")
    assert narrow.technique.sessions == crosses
    assert narrow.plain.startswith("Your left cheek: 14 narrow ice pick scars — TCA CROSS")
    assert narrow.reason.refs
    assert {s.number for s in content.sources} >= set(narrow.reason.refs)
    assert [r.after for r in content.reviews]


def test_reading_a_report_is_audited_and_needs_clinical_access(
    clinic: Clinic, clinician: Actor, admin: Actor, patient_id: int
) -> None:
    patient_report(clinic, clinician, patient_id, Variant.PATIENT)
    clinic.audit.flush()
    page = audit.search_audit(clinic, admin, audit.AuditQuery(patient_id=patient_id))
    assert [(e.action, e.username) for e in page.items if e.entity == "report"] == [
        ("read", "dr.lee")
    ]

    staff = users.create_user(clinic, "front.desk", "Front Desk", "a long password 1", "staff")
    with pytest.raises(PermissionDeniedError):
        patient_report(clinic, staff, patient_id, Variant.PATIENT)


def test_a_patient_without_an_assessment_has_no_report(clinic: Clinic, clinician: Actor) -> None:
    record = patients.create_patient(clinic, clinician, patient_input("P-0002", "Ben Ode"))
    with pytest.raises(StateError) as missing:
        patient_report(clinic, clinician, record.id, Variant.PATIENT)
    assert [p.path for p in missing.value.problems] == ["assessment"]


def test_the_report_lists_the_signed_consents_in_both_variants(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    kept = consented(clinic, clinician, patient_id, "tca_cross")
    dropped = consented(clinic, clinician, patient_id, "subcision")
    consents.withdraw_consent(clinic, clinician, dropped.id, {"reason": "prefers to wait"})

    content = patient_report(clinic, clinician, patient_id, Variant.CLINICIAN)

    assert [(c.procedure, c.status) for c in content.consents] == [
        ("TCA CROSS", "signed"),
        ("Subcision", "withdrawn"),
    ]
    assert content.consents[0].seal == kept.content_hash
    shown = " ".join(render_html(content).split())
    assert '<h2 id="consents-h">Consents</h2>' in shown
    assert (
        "TCA CROSS</strong>: signed by Ana Silva on 21 Nov 2026, countersigned by Dr Lee on "
        "21 Nov 2026."
    ) in shown
    assert f"Seal (SHA-256) {kept.content_hash}" in shown
    for_patient = " ".join(
        render_html(patient_report(clinic, clinician, patient_id, Variant.PATIENT)).split()
    )
    assert "Subcision</strong>: signed by Ana Silva on 21 Nov 2026" in for_patient
    assert "withdrawn on 21 Nov 2026 (prefers to wait)." in for_patient
    assert "SHA-256" not in for_patient
