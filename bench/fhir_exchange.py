"""Benchmark: FHIR export and import of one stored patient with many sessions (issue 8).

Run: .venv/bin/python bench/fhir_exchange.py [--sessions 60] [--photos 10] [--rounds 5]. Builds
a patient on a temporary SQLite database through the clinic's services (an assessment, an
accepted plan, N performed sessions with parameters and an adverse event on every fifth, M
photos of about 40 KB), then exports the patient R times and imports the bundle R times into a
second empty database (each time under a new patient code). Prints the bundle's size and
resource count and the median seconds per export and per import. Both include the R4B model
validation.
"""

from __future__ import annotations

import argparse
import copy
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from scarplan.adapters.db import upgrade
from scarplan.adapters.fhir import bundle_text
from scarplan.bootstrap import bootstrap
from scarplan.domain.vocabulary import Modality
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange.fhir_export import export_patient_bundle
from scarplan.services.clinic.exchange.fhir_import import import_patient_bundle
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.plans.checklists import cleared_answers, session_checklist
from scarplan.services.clinic.records import assessments, patients, photos, sessions
from scarplan.settings import Settings

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
PASSWORD = "zebra glass harbour"  # passes the password policy (not the user name)
LESIONS = [
    {"region": "cheek_left", "type": "ice_pick", "count": 14, "width_mm": 1.1, "depth_mm": 1.4},
    {"region": "temple_left", "type": "boxcar", "count": 4, "width_mm": 2.8, "depth_mm": 0.4},
    {"region": "cheek_right", "type": "rolling", "count": 6, "width_mm": 5.5, "depth_mm": 0.3},
]


def clinic_in(folder: Path) -> tuple[Clinic, Actor]:
    container = bootstrap(Settings(data_dir=folder), clock=lambda: NOW)
    upgrade(container.engine)
    actor = users.create_user(container.clinic, "bench", "Bench", PASSWORD, "clinician")
    return container.clinic, actor


def photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((480, 360), 30 + seed % 20).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def build_patient(clinic: Clinic, actor: Actor, session_count: int, photo_count: int) -> int:
    intake = {
        "full_name": "Bench Patient",
        "patient": {
            "id": "B-0001",
            "birth_date": "1990-05-02",
            "sex": "female",
            "fitzpatrick": "III",
        },
        # Every preference stated, so the export and import carry their extensions too. The
        # budget holds full courses at the published prices (11100 USD is the cheapest set).
        "preferences": {
            "budget": {"amount": 12000, "currency": "USD"},
            "max_downtime_days": 10,
            "avoid": [
                {"from": "2027-02-01", "to": "2027-02-10", "reason": "wedding"},
                {"from": "2027-05-01", "to": "2027-05-03"},
            ],
            "home_care_budget": "medium",
        },
    }
    patient = patients.create_patient(clinic, actor, intake).id
    day = NOW.date() - timedelta(days=session_count + 1)
    assessments.record_assessment(
        clinic, actor, patient, {"date": day.isoformat(), "lesions": LESIONS}
    )
    plans.accept_plan(clinic, actor, plans.propose_plan(clinic, actor, patient).id)
    treated = []
    for number in range(session_count):
        performed = day + timedelta(days=number + 1)
        events = (
            [{"kind": "prolonged_erythema", "onset_on": performed.isoformat()}]
            if number % 5 == 0
            else []
        )
        treated.append(
            sessions.record_session(
                clinic,
                actor,
                patient,
                {
                    "performed_on": performed.isoformat(),
                    "modality": "microneedling",
                    "regions": ["cheek_left", "cheek_right"],
                    "practitioner": f"Dr {number % 3}",
                    "parameters": {"needle_depth_mm": 1.5, "passes": 3, "anaesthesia": "topical"},
                    "notes": f"session {number + 1}",
                    "adverse_events": events,
                    "checklist": cleared_answers(
                        session_checklist(
                            clinic, actor, patient, Modality.MICRONEEDLING, performed
                        ),
                        performed,
                    ),
                    # No signed consent in the bench's clinic: each session goes ahead with a
                    # reason (audited), as a clinic's paper consent would.
                    "consent_override_reason": "bench data: consent signed on paper",
                },
            ).id
        )
    for number in range(photo_count):
        photos.add_photo(
            clinic,
            actor,
            patient,
            {
                "region": "cheek_left",
                "angle": "front",
                "taken_on": NOW.date().isoformat(),
                "consent": "clinical_record",
                "consent_confirmed": True,
                "session_id": treated[number % len(treated)] if treated else None,
            },
            photo(number),
        )
    return patient


def median_seconds(action: Callable[[int], Any], rounds: int) -> float:
    times = []
    for number in range(rounds):
        started = time.perf_counter()
        action(number)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source, actor = clinic_in(Path(folder) / "source")
        target, importer = clinic_in(Path(folder) / "target")
        patient = build_patient(source, actor, args.sessions, args.photos)
        bundle = export_patient_bundle(source, actor, patient)
        size = len(bundle_text(bundle).encode())
        print(
            f"patient: {args.sessions} sessions, {args.photos} photos -> "
            f"{len(bundle['entry'])} resources, {size / 1_000_000:.1f} MB of JSON"
        )
        exporting = median_seconds(
            lambda _: export_patient_bundle(source, actor, patient), args.rounds
        )

        def import_once(number: int) -> None:
            renamed = copy.deepcopy(bundle)
            renamed["entry"][0]["resource"]["identifier"][0]["value"] = f"B-{number + 2:04d}"
            import_patient_bundle(target, importer, renamed)

        importing = median_seconds(import_once, args.rounds)
        print(f"export: median {exporting:.3f} s over {args.rounds} rounds")
        print(f"import: median {importing:.3f} s over {args.rounds} rounds")
        for clinic in (source, target):
            clinic.audit.close()
            clinic.uow.engine.dispose()


if __name__ == "__main__":
    main()
