"""A demo clinic for `make run`: a user and a few patients with history, made through the
same use cases a clinician uses (so the demo shows what the product really stores). The
case-file demo without a database (`scarplan demo`) is `services/demo_case.py`.

History is made by running each step with the clock set back to the day it happened.
"""

from __future__ import annotations

import base64
import contextlib
import io
import random
import secrets
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from scarplan.adapters.db.tables import PatientRecord
from scarplan.domain.errors import InfeasibleError
from scarplan.domain.vocabulary import Modality
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.password_policy import password_weakness
from scarplan.services.clinic.calendar import schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.calendar.schedule_setup import ResourceKind
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import checklists, consents, plans, prices
from scarplan.services.clinic.records import assessments, patients, photos, sessions

DEMO_USER = "demo"
DEMO_CLINICIAN_NAME = "Demo Clinician"
DEMO_DAY_OFF_IN_DAYS = 10

# Settings recorded for demo sessions: illustrative values, not recommendations.
DEMO_PARAMETERS: dict[str, dict[str, Any]] = {
    "tca_cross": {"tca_percent": 70.0, "anaesthesia": "none"},
    "subcision": {"agent": "18G needle", "anaesthesia": "lidocaine 1% local"},
    "microneedling": {"needle_depth_mm": 1.5, "passes": 4},
    "rf_microneedling": {"needle_depth_mm": 2.0, "energy_mj": 20.0, "passes": 2},
    "fractional_co2": {"energy_mj": 20.0, "density_percent": 10.0, "passes": 1},
    "fractional_erbium": {"energy_mj": 30.0, "density_percent": 10.0},
    "nonablative_fractional": {"energy_mj": 40.0, "density_percent": 15.0},
    "biostimulatory_filler": {"agent": "poly-L-lactic acid", "volume_ml": 2.0},
    "ha_filler": {"agent": "hyaluronic acid", "volume_ml": 1.0},
}


# The demo clinic's price list: every procedure priced, in USD. Illustrative figures for the demo
# (within or near the published ranges of prices.yaml), not a recommendation.
DEMO_PRICES: dict[str, Any] = {
    "currency": "USD",
    "prices": {
        "tca_cross": {"amount": "250.00", "per": "session"},
        "punch_excision": {"amount": "150.00", "per": "scar"},
        "punch_elevation": {"amount": "150.00", "per": "scar"},
        "punch_grafting": {"amount": "200.00", "per": "scar"},
        "subcision": {"amount": "400.00", "per": "session"},
        "microneedling": {"amount": "300.00", "per": "session"},
        "rf_microneedling": {"amount": "700.00", "per": "session"},
        "fractional_co2": {"amount": "1500.00", "per": "session"},
        "fractional_erbium": {"amount": "1400.00", "per": "session"},
        "ablative_resurfacing": {"amount": "2500.00", "per": "session"},
        "nonablative_fractional": {"amount": "900.00", "per": "session"},
        "chemical_peel_medium": {"amount": "450.00", "per": "session"},
        "chemical_peel_deep": {"amount": "3500.00", "per": "session"},
        "dermabrasion": {"amount": "1800.00", "per": "session"},
        "ha_filler": {"amount": "650.00", "per": "session"},
        "biostimulatory_filler": {"amount": "900.00", "per": "session"},
        "prp": {"amount": "500.00", "per": "session"},
    },
}


def _at(clinic: Clinic, day: date) -> Clinic:
    moment = datetime.combine(day, time(10, 0), tzinfo=UTC)
    return replace(clinic, clock=lambda: moment)


def _photo(scars: int, seed: int) -> bytes:
    """A synthetic, clearly labelled demo image: a skin-toned patch with `scars` marks."""
    image = Image.new("RGB", (640, 480), (224, 184, 160))
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    for _ in range(scars):
        x, y = rng.randint(60, 580), rng.randint(60, 420)
        radius = rng.randint(3, 6)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(150, 105, 90))
    draw.text((16, 450), "scarplan demo image (synthetic)", fill=(60, 40, 30))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _signature(seed: int) -> str:
    """A synthetic drawn signature (a wavy stroke) as the signing page sends it."""
    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    rng = random.Random(seed)
    points = [(20 + 40 * i, 60 + rng.randint(-30, 30)) for i in range(9)]
    ImageDraw.Draw(image).line(points, fill=(20, 20, 60), width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _consents(clinic: Clinic, actor: Actor, patient_id: int, modalities: set[str]) -> None:
    """The patient signs each planned procedure's consent on the clinic's tablet; the demo
    clinician countersigns."""
    for seed, modality in enumerate(sorted(modalities)):
        form = consents.form_to_sign(clinic, patient_id, modality)
        signed = consents.sign_consent(
            clinic,
            actor,
            patient_id,
            modality,
            {
                "form_version": form.version,
                "patient_name": form.patient_name,
                "signature": _signature(patient_id * 10 + seed),
                "understood": True,
            },
        )
        consents.countersign_consent(
            clinic, actor, signed.id, {"clinician_name": DEMO_CLINICIAN_NAME}
        )


def _intake(code: str, name: str, patient: dict[str, Any], **preferences: Any) -> dict[str, Any]:
    safety = {
        "pregnant": False,
        "breastfeeding": False,
        "keloid_history": False,
        "herpes_labialis_history": False,
        "anticoagulants": False,
        "skin_infection": False,
        "active_acne": "none",
        "isotretinoin": {"status": "none"},
    }
    return {
        "full_name": name,
        "patient": {"id": code, **safety, **patient},
        "preferences": preferences,
    }


def _treated_patient(clinic: Clinic, actor: Actor, today: date) -> None:
    """Five months into a plan: sessions done, re-assessed, before/after photos."""
    first_day = today - timedelta(days=150)
    past = _at(clinic, first_day)
    record = patients.create_patient(
        past,
        actor,
        _intake(
            "P-1001",
            "Maya Chen",
            {"birth_date": "1994-03-18", "sex": "female", "fitzpatrick": "III"},
            budget={"amount": 4000.0, "currency": "USD"},
            max_downtime_days=7,
        ),
    )
    lesions = [
        {"region": "cheek_left", "type": "ice_pick", "count": 14, "width_mm": 1.1, "depth_mm": 1.4},
        {"region": "cheek_right", "type": "ice_pick", "count": 9, "width_mm": 1.3, "depth_mm": 1.2},
        {"region": "temple_left", "type": "boxcar", "count": 4, "width_mm": 2.8, "depth_mm": 0.4},
        {"region": "cheek_right", "type": "rolling", "count": 6, "distensible": True},
    ]
    assessments.record_assessment(
        past, actor, record.id, {"date": first_day.isoformat(), "lesions": lesions}
    )
    photos.add_photo(
        past,
        actor,
        record.id,
        _photo_meta("cheek_left", first_day),
        _photo(14, seed=1),
    )
    plan = plans.propose_plan(past, actor, record.id)
    plans.accept_plan(past, actor, plan.id)
    _consents(past, actor, record.id, {s.modality for s in plan.sessions})
    done = [s for s in plan.sessions if s.day < today - timedelta(days=20)]
    for planned in done:
        sessions.record_session(
            _at(clinic, planned.day),
            actor,
            record.id,
            {
                "performed_on": planned.day.isoformat(),
                "modality": planned.modality,
                "regions": planned.regions,
                "practitioner": "Dr Demo",
                "parameters": DEMO_PARAMETERS.get(planned.modality, {}),
                "planned_session_id": planned.id,
                "checklist": _cleared(clinic, actor, record.id, planned.modality, planned.day),
            },
        )
    again = today - timedelta(days=14)
    fewer = [dict(lesion) for lesion in lesions]
    fewer[0]["count"], fewer[1]["count"], fewer[3]["count"] = 8, 6, 3
    assessments.record_assessment(
        _at(clinic, again),
        actor,
        record.id,
        {"date": again.isoformat(), "lesions": fewer, "notes": "Demo re-assessment."},
    )
    photos.add_photo(
        _at(clinic, again), actor, record.id, _photo_meta("cheek_left", again), _photo(8, seed=2)
    )


def _cleared(
    clinic: Clinic, actor: Actor, patient_id: int, modality: str, day: date
) -> list[dict[str, Any]]:
    """The demo clinic went through the checklist and found nothing to stop the session."""
    found = checklists.session_checklist(clinic, actor, patient_id, Modality(modality), day)
    return checklists.cleared_answers(found, day)


def _photo_meta(region: str, day: date) -> dict[str, Any]:
    return {
        "region": region,
        "angle": "front",
        "taken_on": day.isoformat(),
        "consent": "clinical_record",
        "consent_confirmed": True,
    }


def _darker_skin_patient(clinic: Clinic, actor: Actor, today: date) -> None:
    """Started recently; the first session was followed by pigmentation."""
    first_day = today - timedelta(days=45)
    past = _at(clinic, first_day)
    record = patients.create_patient(
        past,
        actor,
        _intake(
            "P-1002",
            "Daniel Okafor",
            {"birth_date": "1989-07-02", "sex": "male", "fitzpatrick": "V"},
            budget={"amount": 2500.0, "currency": "USD"},
        ),
    )
    assessments.record_assessment(
        past,
        actor,
        record.id,
        {
            "date": first_day.isoformat(),
            "lesions": [
                {"region": "cheek_left", "type": "ice_pick", "count": 22, "width_mm": 0.9},
                {"region": "cheek_right", "type": "boxcar", "count": 11, "width_mm": 2.5},
            ],
        },
    )
    plan = plans.propose_plan(past, actor, record.id)
    plans.accept_plan(past, actor, plan.id)
    _consents(past, actor, record.id, {s.modality for s in plan.sessions})
    first = next((s for s in plan.sessions if s.day <= today - timedelta(days=7)), None)
    if first is None:
        return
    sessions.record_session(
        _at(clinic, first.day + timedelta(days=3)),
        actor,
        record.id,
        {
            "performed_on": first.day.isoformat(),
            "modality": first.modality,
            "regions": first.regions,
            "practitioner": "Dr Demo",
            "parameters": DEMO_PARAMETERS.get(first.modality, {}),
            "checklist": _cleared(clinic, actor, record.id, first.modality, first.day),
            "adverse_events": [
                {
                    "kind": "pih",
                    "severity": "mild",
                    "onset_on": (first.day + timedelta(days=3)).isoformat(),
                    "notes": "Demo record: darkening at treated sites.",
                }
            ],
        },
    )


def _pregnant_patient(clinic: Clinic, actor: Actor, today: date) -> None:
    """Assessed; the plan defers procedures until after pregnancy."""
    day = today - timedelta(days=5)
    past = _at(clinic, day)
    record = patients.create_patient(
        past,
        actor,
        _intake(
            "P-1003",
            "Sofia Rossi",
            {"birth_date": "1991-11-30", "sex": "female", "fitzpatrick": "II", "pregnant": True},
        ),
    )
    assessments.record_assessment(
        past,
        actor,
        record.id,
        {
            "date": day.isoformat(),
            "lesions": [{"region": "forehead", "type": "boxcar", "count": 5, "width_mm": 3.0}],
        },
    )
    # Nothing may be schedulable during pregnancy: then the overview simply shows no plan.
    with contextlib.suppress(InfeasibleError):
        plans.propose_plan(past, actor, record.id)


def _new_patient(clinic: Clinic, actor: Actor) -> None:
    patients.create_patient(
        clinic,
        actor,
        _intake("P-1004", "Arjun Mehta", {"age_years": 27, "sex": "male", "fitzpatrick": "IV"}),
    )


def demo_clinic_needed(clinic: Clinic) -> bool:
    with clinic.uow.read() as session:
        return not session.scalar(select(func.count(PatientRecord.id)))


def seed_demo_clinic(clinic: Clinic) -> str:
    """Create the demo user and patients; return the demo user's new random password."""
    password = secrets.token_urlsafe(12)
    while password_weakness(password, DEMO_USER) is not None:  # e.g. "demo" inside, by chance
        password = secrets.token_urlsafe(12)
    actor = users.create_user(clinic, DEMO_USER, DEMO_CLINICIAN_NAME, password, "clinician")
    today = clinic.today()
    # The price list first, so every demo plan is priced by the clinic; an admin saves it
    # (the demo clinician may not), recorded as the system's set-up.
    setup_admin = Actor(None, "demo-setup", "admin", route="demo clinic set-up")
    prices.save_price_list(
        _at(clinic, today - timedelta(days=200)), setup_admin, DEMO_PRICES, "demo clinic prices"
    )
    _treated_patient(clinic, actor, today)
    _darker_skin_patient(clinic, actor, today)
    _pregnant_patient(clinic, actor, today)
    _new_patient(clinic, actor)
    # So the clinic calendar and its optimiser work from the first start, with a day off to see.
    schedule_setup.save_setup(clinic, actor, DEMO_SCHEDULE, "demo clinic set-up")
    away = today + timedelta(days=DEMO_DAY_OFF_IN_DAYS)
    schedule_setup.add_days_off(
        clinic, actor, ResourceKind.PRACTITIONER, "nurse-silva", away, away, "training course"
    )
    return password
