"""Flat (macular) marks recorded in the clinic: scored on save and kept with the assessment, so
the case rebuilt from the record (for plans and reports) still has them."""

from __future__ import annotations

from datetime import timedelta

from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input

LESIONS = [{"region": "cheek_left", "type": "boxcar", "count": 3, "depth_mm": 0.2}]
MARKS = [{"region": "forehead", "count": 9, "colour": "erythematous"}]


def test_marks_are_graded_stored_and_read_back(clinic: Clinic, clinician: Actor) -> None:
    patient_id = patients.create_patient(clinic, clinician, patient_input("P-0042")).id
    day = clinic.today() - timedelta(days=1)
    entered = {**assessment_input(day, LESIONS), "macular": MARKS}

    recorded = assessments.record_assessment(clinic, clinician, patient_id, entered)

    assert recorded.result["macular"] == MARKS
    assert recorded.result["goodman_baron"]["qualitative_by_region"]["forehead"] == 1
    with clinic.uow.read() as session:
        patient = patients.load_patient(session, patient_id)
        record = assessments.load_assessment(session, recorded.id)
        case = assessments.stored_case(patient, record, clinic.today())
    (marks,) = case.assessment.macular
    assert (marks.region.value, marks.count) == ("forehead", 9)
