"""Sessions as carried out, clinical photos, and the read models built on them."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from PIL import Image

from scarplan.adapters.db.tables import AdverseEventRecord, PhotoBlobRecord, PhotoRecord
from scarplan.domain.errors import InputError, NotFoundError
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.plans.plans import PlanView
from scarplan.services.clinic.records import assessments, patients, photos, progress, sessions
from support.checklists import with_checklist
from support.clinic_data import CAMERA_MAKE, assessment_input, count_rows, jpeg, patient_input
from support.clock import FrozenClock
from support.consent import ensure_consents

WEDDING = {"from": "2027-04-10", "to": "2027-04-18", "reason": "wedding"}


@pytest.fixture
def patient_id(clinic: Clinic, clinician: Actor) -> int:
    preferences = {"start_date": "2027-01-11", "avoid": [WEDDING]}
    created = patients.create_patient(clinic, clinician, patient_input(preferences=preferences))
    ensure_consents(clinic, clinician, created.id, "tca_cross")
    return created.id


def paths(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [problem.path for problem in error.value.problems]


def session_input(day: date, **extra: Any) -> dict[str, Any]:
    return with_checklist(
        {
            "performed_on": day.isoformat(),
            "modality": "tca_cross",
            "regions": ["cheek_left"],
            "practitioner": "  Dr Lee ",
            **extra,
        }
    )


def photo_input(day: date, region: str = "cheek_left", angle: str = "front") -> dict[str, Any]:
    return {
        "region": region,
        "angle": angle,
        "taken_on": day.isoformat(),
        "consent": "clinical_record",
        "consent_confirmed": True,
    }


# --- sessions ---------------------------------------------------------------------------------


def test_a_session_is_stored_with_its_parameters_and_adverse_events(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    day = clinic.today() - timedelta(days=3)
    sent = session_input(
        day,
        parameters={"tca_percent": 90.0, "passes": 1, "anaesthesia": "topical"},
        notes="tolerated well",
        adverse_events=[
            {"kind": "prolonged_erythema", "severity": "mild", "onset_on": day.isoformat()}
        ],
    )

    recorded = sessions.record_session(clinic, clinician, patient_id, sent)
    found = sessions.get_session(clinic, clinician, recorded.id)

    assert found == recorded
    assert found.parameters == {"tca_percent": 90.0, "passes": 1, "anaesthesia": "topical"}
    assert (found.performed_on, found.modality, found.regions) == (day, "tca_cross", ["cheek_left"])
    assert (found.practitioner, found.notes) == ("Dr Lee", "tolerated well")
    assert [(e.kind, e.severity, e.onset_on, e.resolved_on) for e in found.adverse_events] == [
        ("prolonged_erythema", "mild", day, None)
    ]
    assert (found.plan_id, found.planned_session_id) == (None, None)  # no plan accepted
    assert [s.id for s in sessions.list_sessions(clinic, clinician, patient_id)] == [recorded.id]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"parameters": {"tca_percent": 900.0}}, "parameters.tca_percent"),
        ({"regions": []}, "regions"),
        ({"modality": "laser_magic"}, "modality"),
        ({"performed_on": "2026-11-22"}, "performed_on"),
        (
            {"adverse_events": [{"kind": "pih", "onset_on": "2026-11-01"}]},
            "adverse_events[0].onset_on",
        ),
    ],
)
def test_an_invalid_session_is_refused_naming_the_field(
    clinic: Clinic, clinician: Actor, patient_id: int, change: dict[str, Any], path: str
) -> None:
    sent = session_input(date(2026, 11, 10)) | change

    with pytest.raises(InputError) as error:
        sessions.record_session(clinic, clinician, patient_id, sent)

    assert path in paths(error)
    assert sessions.list_sessions(clinic, clinician, patient_id) == []


def test_an_adverse_event_seen_later_is_added_to_its_session(
    clinic: Clinic, clinician: Actor, patient_id: int, clock: FrozenClock
) -> None:
    day = clinic.today()
    recorded = sessions.record_session(clinic, clinician, patient_id, session_input(day))
    clock.advance(days=10)
    onset = day + timedelta(days=8)

    updated = sessions.add_adverse_event(
        clinic,
        clinician,
        recorded.id,
        {"kind": "pih", "severity": "moderate", "onset_on": onset.isoformat(), "notes": "cheek"},
    )

    assert [(e.kind, e.severity, e.onset_on) for e in updated.adverse_events] == [
        ("pih", "moderate", onset)
    ]
    assert sessions.get_session(clinic, clinician, recorded.id) == updated
    assert progress.patient_overview(clinic, clinician, patient_id).unresolved_adverse_events == 1


@pytest.mark.parametrize("when", ["before the session", "in the future"])
def test_an_adverse_event_before_the_session_or_in_the_future_is_refused(
    clinic: Clinic, clinician: Actor, patient_id: int, when: str
) -> None:
    day = clinic.today() - timedelta(days=5)
    recorded = sessions.record_session(clinic, clinician, patient_id, session_input(day))
    onset = day - timedelta(days=1) if when == "before the session" else day + timedelta(days=6)

    with pytest.raises(InputError) as error:
        sessions.add_adverse_event(
            clinic, clinician, recorded.id, {"kind": "pih", "onset_on": onset.isoformat()}
        )

    assert paths(error) == ["onset_on"]
    assert count_rows(clinic.uow.engine, AdverseEventRecord) == 0


def test_an_adverse_event_resolved_before_its_onset_is_refused(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    day = clinic.today() - timedelta(days=5)
    recorded = sessions.record_session(clinic, clinician, patient_id, session_input(day))
    event = {"kind": "pih", "onset_on": clinic.today().isoformat(), "resolved_on": day.isoformat()}

    with pytest.raises(InputError) as error:
        sessions.add_adverse_event(clinic, clinician, recorded.id, event)

    assert paths(error) == ["resolved_on"]


def test_an_unknown_session_is_not_found(clinic: Clinic, clinician: Actor) -> None:
    with pytest.raises(NotFoundError):
        sessions.get_session(clinic, clinician, 31_337)


# --- photos -----------------------------------------------------------------------------------


def test_a_photo_is_stored_without_its_camera_metadata(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    upload = jpeg((120, 90), camera_metadata=True)
    assert CAMERA_MAKE.encode() in upload
    assert Image.open(io.BytesIO(upload)).getexif()

    stored = photos.add_photo(clinic, clinician, patient_id, photo_input(clinic.today()), upload)
    view, data = photos.photo_content(clinic, clinician, stored.id)

    assert view == stored
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("JPEG", (120, 90))
    assert dict(image.getexif()) == {}
    assert CAMERA_MAKE.encode() not in data
    assert b"Exif" not in data
    assert (view.width_px, view.height_px, view.byte_size) == (120, 90, len(data))
    assert (view.region, view.angle, view.consent) == ("cheek_left", "front", "clinical_record")
    assert [p.id for p in photos.list_photos(clinic, clinician, patient_id)] == [stored.id]


def test_a_large_photo_is_scaled_down_to_the_longest_side_allowed(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    small = replace(clinic, settings=clinic.settings.model_copy(update={"photo_max_side_px": 512}))

    stored = photos.add_photo(
        small, clinician, patient_id, photo_input(clinic.today()), jpeg((1024, 768))
    )

    assert (stored.width_px, stored.height_px) == (512, 384)


@pytest.mark.parametrize("confirmed", [False, None])
def test_a_photo_without_recorded_consent_is_refused(
    clinic: Clinic, clinician: Actor, patient_id: int, confirmed: bool | None
) -> None:
    sent = photo_input(clinic.today())
    if confirmed is None:
        del sent["consent_confirmed"]
    else:
        sent["consent_confirmed"] = confirmed

    with pytest.raises(InputError) as error:
        photos.add_photo(clinic, clinician, patient_id, sent, jpeg())

    assert paths(error) == ["consent_confirmed"]
    assert count_rows(clinic.uow.engine, PhotoRecord) == 0


def test_a_photo_over_the_size_limit_is_refused(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    limit = 100_000
    strict = replace(clinic, settings=clinic.settings.model_copy(update={"photo_max_bytes": limit}))
    noise = Image.frombytes("RGB", (256, 256), os.urandom(256 * 256 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    upload = out.getvalue()
    assert len(upload) > limit

    with pytest.raises(InputError) as error:
        photos.add_photo(strict, clinician, patient_id, photo_input(clinic.today()), upload)

    assert paths(error) == ["file"]
    assert count_rows(clinic.uow.engine, PhotoRecord) == 0


@pytest.mark.parametrize("upload", [b"", b"%PDF-1.7 not a photo", jpeg()[:200]])
def test_a_file_that_is_not_an_image_is_refused(
    clinic: Clinic, clinician: Actor, patient_id: int, upload: bytes
) -> None:
    with pytest.raises(InputError) as error:
        photos.add_photo(clinic, clinician, patient_id, photo_input(clinic.today()), upload)

    assert paths(error) == ["file"]
    assert count_rows(clinic.uow.engine, PhotoRecord) == 0
    assert count_rows(clinic.uow.engine, PhotoBlobRecord) == 0


def test_a_photo_must_belong_to_a_session_of_the_same_patient(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    other = patients.create_patient(clinic, clinician, patient_input("P-0002", "Eva Lima")).id
    ensure_consents(clinic, clinician, other, "tca_cross")
    theirs = sessions.record_session(clinic, clinician, other, session_input(clinic.today()))
    sent = photo_input(clinic.today()) | {"session_id": theirs.id}

    with pytest.raises(InputError) as error:
        photos.add_photo(clinic, clinician, patient_id, sent, jpeg())

    assert paths(error) == ["session_id"]
    assert count_rows(clinic.uow.engine, PhotoRecord) == 0


# --- overview, progress, calendar -------------------------------------------------------------


@pytest.fixture
def accepted(clinic: Clinic, clinician: Actor, patient_id: int) -> PlanView:
    today = clinic.today()
    first = assessment_input(today - timedelta(days=120))
    assessments.record_assessment(clinic, clinician, patient_id, first)
    milder = assessment_input(today, [{"region": "cheek_left", "type": "ice_pick", "count": 4}])
    assessments.record_assessment(clinic, clinician, patient_id, milder)
    plan = plans.propose_plan(clinic, clinician, patient_id)
    return plans.accept_plan(clinic, clinician, plan.id)


def test_the_overview_shows_the_latest_scores_and_the_next_session(
    clinic: Clinic, clinician: Actor, patient_id: int, accepted: PlanView, clock: FrozenClock
) -> None:
    history = assessments.list_assessments(clinic, clinician, patient_id)
    upcoming = sorted(accepted.sessions, key=lambda s: (s.day, s.position))

    overview = progress.patient_overview(clinic, clinician, patient_id)

    assert overview.patient.id == patient_id
    assert overview.latest is not None
    assert overview.previous is not None
    assert overview.latest.assessment_id == history[-1].id
    assert overview.previous.assessment_id == history[0].id
    assert overview.latest.ecca == history[-1].ecca
    assert overview.plan is not None
    assert (overview.plan.id, overview.plan.status) == (accepted.id, "accepted")
    assert (overview.plan.sessions_done, overview.plan.sessions_total) == (0, len(upcoming))
    assert overview.next_session == upcoming[0]
    assert (overview.assessments, overview.sessions, overview.photos) == (2, 0, 0)

    clock.advance(days=(upcoming[0].day - clinic.today()).days)
    ensure_consents(clinic, clinician, patient_id)
    done = sessions.record_session(
        clinic,
        clinician,
        patient_id,
        session_input(upcoming[0].day, modality=upcoming[0].modality),
    )
    after = progress.patient_overview(clinic, clinician, patient_id)

    assert after.plan is not None
    assert (after.plan.status, after.plan.sessions_done) == ("in_progress", 1)
    assert after.next_session is not None
    assert after.next_session.id == upcoming[1].id
    assert (after.sessions, after.last_session_on) == (1, done.performed_on)


def test_the_overview_of_a_new_patient_is_empty(
    clinic: Clinic, patient_id: int, clinician: Actor
) -> None:
    overview = progress.patient_overview(clinic, clinician, patient_id)

    assert (overview.latest, overview.previous, overview.plan, overview.next_session) == (
        None,
        None,
        None,
        None,
    )
    assert (overview.assessments, overview.sessions, overview.photos) == (0, 0, 0)


def test_progress_lists_scores_by_date_and_pairs_first_and_latest_photos(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    today = clinic.today()
    days = [today - timedelta(days=d) for d in (200, 100, 0)]
    # Entered out of order: progress follows the assessment dates, not the order of entry.
    for day in (days[1], days[2], days[0]):
        assessments.record_assessment(clinic, clinician, patient_id, assessment_input(day))
    taken = {}
    for day in (days[1], days[0], days[2]):
        for angle in ("front", "left_oblique"):
            sent = photo_input(day, angle=angle)
            taken[day, angle] = photos.add_photo(clinic, clinician, patient_id, sent, jpeg()).id
    photos.add_photo(clinic, clinician, patient_id, photo_input(today, region="chin"), jpeg())
    for day in (days[2], days[1]):
        sessions.record_session(clinic, clinician, patient_id, session_input(day))

    found = progress.patient_progress(clinic, clinician, patient_id)

    assert [p.assessed_on for p in found.points] == days
    assert found.sessions == [(days[1], "tca_cross"), (days[2], "tca_cross")]
    assert [(p.region, p.angle) for p in found.pairs] == [
        ("cheek_left", "front"),
        ("cheek_left", "left_oblique"),
    ]
    for pair in found.pairs:
        assert pair.before.id == taken[days[0], pair.angle]
        assert pair.after.id == taken[days[2], pair.angle]


def test_the_calendar_shows_planned_done_and_avoided_dates(
    clinic: Clinic, clinician: Actor, patient_id: int, accepted: PlanView, clock: FrozenClock
) -> None:
    first = min(accepted.sessions, key=lambda s: (s.day, s.position))
    clock.advance(days=(first.day - clinic.today()).days)
    ensure_consents(clinic, clinician, patient_id)
    sessions.record_session(
        clinic, clinician, patient_id, session_input(first.day, modality=first.modality)
    )

    entries = progress.patient_calendar(clinic, clinician, patient_id)

    kinds = [e.kind for e in entries]
    assert kinds.count("done") == 1
    assert kinds.count("planned") == len(accepted.sessions) - 1
    assert kinds.count("avoid") == 1
    done = next(e for e in entries if e.kind == "done")
    assert (done.day, done.modality) == (first.day, first.modality)
    avoid = next(e for e in entries if e.kind == "avoid")
    assert (avoid.day.isoformat(), avoid.until.isoformat()) == (WEDDING["from"], WEDDING["to"])
    assert "wedding" in avoid.title
    planned = [e for e in entries if e.kind == "planned"]
    open_sessions = {(s.day, s.modality, s.downtime_days) for s in accepted.sessions} - {
        (first.day, first.modality, first.downtime_days)
    }
    assert {(e.day, e.modality, (e.until - e.day).days) for e in planned} == open_sessions
    assert [e.day for e in entries] == sorted(e.day for e in entries)
