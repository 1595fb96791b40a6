"""3D height maps in the clinic: upload for a region, analysis as a job, the overlay, recording
the scars as an assessment, bad files refused with nothing saved, and who may see what."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from scarplan.adapters.db.tables import JobRecord, TopographyRecord
from scarplan.domain.errors import InputError, NotFoundError, PermissionDeniedError, StateError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.records import assessments, patients, stored_topography
from support.clinic_data import assessment_input, count_rows, patient_input
from support.height_maps import PIXEL_SIZE_MM, small_map_npy

pytestmark = pytest.mark.db
TAKEN = {"region": "cheek_left", "taken_on": "2026-11-20", "pixel_size_mm": PIXEL_SIZE_MM}


def finish(clinic: Clinic) -> None:
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)


@pytest.fixture
def patient_id(clinic: Clinic, clinician: Actor) -> int:
    record = patients.create_patient(clinic, clinician, patient_input())
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(date(2026, 11, 16))
    )
    return record.id


def analysed(clinic: Clinic, clinician: Actor, patient_id: int) -> stored_topography.TopographyView:
    job_id = stored_topography.start_analysis(
        clinic, clinician, patient_id, TAKEN, "cheek.npy", small_map_npy()
    )
    finish(clinic)
    job = stored_topography.analysis_job(clinic, clinician, job_id)
    assert job.status == "done", job.error
    assert job.result is not None
    return stored_topography.get_analysis(clinic, clinician, job.result["topography_id"])


def test_an_uploaded_map_is_analysed_and_kept_with_its_overlay(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    found = analysed(clinic, clinician, patient_id)

    assert (found.region, found.taken_on, found.filename) == (
        "cheek_left",
        date(2026, 11, 20),
        "cheek.npy",
    )
    # The synthetic map holds two ice pick scars, a boxcar and a rolling scar.
    assert found.report["counts_by_type"] == {"ice_pick": 2, "boxcar": 1, "rolling": 1}
    assert {lesion["type"]: lesion["count"] for lesion in found.lesions} == {
        "ice_pick": 2,
        "boxcar": 1,
        "rolling": 1,
    }
    assert stored_topography.overlay_png(clinic, clinician, found.id).startswith(
        b"\x89PNG\r\n\x1a\n"
    )
    assert [a.id for a in stored_topography.list_analyses(clinic, clinician, patient_id)] == [
        found.id
    ]


def test_recording_the_scars_replaces_the_region_and_keeps_the_others(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    before = assessments.list_assessments(clinic, clinician, patient_id)[-1]
    found = analysed(clinic, clinician, patient_id)

    assessment_id = stored_topography.record_assessment(clinic, clinician, found.id)

    recorded = assessments.get_assessment(clinic, clinician, assessment_id)
    others = [lesion for lesion in before.lesions if lesion["region"] != "cheek_left"]
    assert [lesion for lesion in recorded.lesions if lesion["region"] != "cheek_left"] == others
    mapped = [lesion for lesion in recorded.lesions if lesion["region"] == "cheek_left"]
    assert sorted((m["type"], m["count"]) for m in mapped) == [
        ("boxcar", 1),
        ("ice_pick", 2),
        ("rolling", 1),
    ]
    assert (
        stored_topography.get_analysis(clinic, clinician, found.id).assessment_id == assessment_id
    )
    with pytest.raises(StateError, match="recorded already"):
        stored_topography.record_assessment(clinic, clinician, found.id)


@pytest.mark.parametrize(
    ("fields", "filename", "data", "path"),
    [
        ({**TAKEN, "pixel_size_mm": None}, "cheek.npy", None, "pixel_size_mm"),
        ({**TAKEN, "pixel_size_mm": 2.5}, "cheek.npy", None, "pixel_size_mm"),
        ({**TAKEN, "z_unit": "furlong"}, "cheek.npy", None, "z_unit"),
        (TAKEN, "cheek.bmp", None, "file"),
        (TAKEN, "cheek.npy", b"not a numpy file", "file"),
        ({**TAKEN, "region": "elbow"}, "cheek.npy", None, "region"),
        ({**TAKEN, "taken_on": "2030-01-01"}, "cheek.npy", None, "taken_on"),
        (TAKEN, "cheek.npy", b"", "file"),
    ],
)
def test_a_bad_upload_is_refused_naming_the_field_and_nothing_is_saved(
    clinic: Clinic,
    clinician: Actor,
    patient_id: int,
    fields: dict[str, object],
    filename: str,
    data: bytes | None,
    path: str,
) -> None:
    upload = small_map_npy() if data is None else data
    entered = {k: v for k, v in fields.items() if v is not None}
    with pytest.raises(InputError) as error:
        stored_topography.start_analysis(clinic, clinician, patient_id, entered, filename, upload)
    assert path in [p.path for p in error.value.problems]
    assert count_rows(clinic.uow.engine, TopographyRecord) == 0
    assert count_rows(clinic.uow.engine, JobRecord) == 0


def test_the_portal_patient_sees_their_own_analysis_only(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    found = analysed(clinic, clinician, patient_id)
    other = patients.create_patient(clinic, clinician, patient_input("P-0002", "Bruno Costa"))
    own = users.create_user(
        clinic, "ana", "Ana", "a long test password", "patient", patient_id=patient_id
    )
    stranger = users.create_user(
        clinic, "bruno", "Bruno", "a long test password", "patient", patient_id=other.id
    )

    assert stored_topography.get_analysis(clinic, own, found.id).id == found.id
    with pytest.raises(NotFoundError):
        stored_topography.get_analysis(clinic, stranger, found.id)
    with pytest.raises(NotFoundError):
        stored_topography.overlay_png(clinic, stranger, found.id)
    with pytest.raises(PermissionDeniedError):
        stored_topography.start_analysis(clinic, own, patient_id, TAKEN, "a.npy", small_map_npy())


def test_the_uploaded_map_is_kept_and_analysed_again_as_a_new_analysis(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    first = analysed(clinic, clinician, patient_id)
    assert first.has_map
    name, data = stored_topography.height_map_file(clinic, clinician, first.id)
    assert (name, data) == ("cheek.npy", small_map_npy())

    job_id = stored_topography.start_reanalysis(clinic, clinician, first.id)
    finish(clinic)
    job = stored_topography.analysis_job(clinic, clinician, job_id)
    assert job.status == "done", job.error
    assert job.params["reanalysis_of"] == first.id
    assert job.result is not None
    again = stored_topography.get_analysis(clinic, clinician, job.result["topography_id"])
    # A new analysis beside the first, read with the pixel size entered at the upload.
    assert again.id != first.id
    assert (again.region, again.taken_on, again.filename) == (
        first.region,
        first.taken_on,
        first.filename,
    )
    assert again.pixel_size_mm == PIXEL_SIZE_MM
    assert again.report["counts_by_type"] == first.report["counts_by_type"]
    listed = stored_topography.list_analyses(clinic, clinician, patient_id)
    assert sorted(a.id for a in listed) == sorted([first.id, again.id])
    assert stored_topography.get_analysis(clinic, clinician, first.id).report == first.report


def test_a_clinic_that_keeps_no_maps_cannot_analyse_again(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    frugal = replace(
        clinic, settings=clinic.settings.model_copy(update={"keep_height_maps": False})
    )
    found = analysed(frugal, clinician, patient_id)
    assert not found.has_map
    with pytest.raises(StateError, match="not kept"):
        stored_topography.start_reanalysis(frugal, clinician, found.id)
    with pytest.raises(NotFoundError):
        stored_topography.height_map_file(frugal, clinician, found.id)
    assert count_rows(clinic.uow.engine, JobRecord) == 1  # the refusal started no job


def test_only_clinicians_analyse_again_and_a_portal_patient_downloads_only_their_own_map(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    found = analysed(clinic, clinician, patient_id)
    users.create_user(clinic, "staff.kim", "Kim", "a long test password", "staff")
    staff = users.sign_in(clinic, "staff.kim", "a long test password")[0]
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        stored_topography.start_reanalysis(clinic, staff, found.id)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        stored_topography.height_map_file(clinic, staff, found.id)
    other = patients.create_patient(clinic, clinician, patient_input("P-OTHER", "Other Person"))
    users.create_user(
        clinic, "portal.other", "Other", "a long test password", "patient", patient_id=other.id
    )
    stranger = users.sign_in(clinic, "portal.other", "a long test password")[0]
    with pytest.raises(NotFoundError):
        stored_topography.height_map_file(clinic, stranger, found.id)
