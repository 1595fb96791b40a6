"""The de-identified research export: what it leaves out, how it shifts dates, who may run it."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import AuditEventRecord
from scarplan.domain.errors import InputError, PermissionDeniedError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange import patient_data, research
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients, photos, sessions
from support.checklists import with_checklist
from support.clinic_data import LESIONS, assessment_input, jpeg, patient_input
from support.consent import ensure_consents

PASSWORD = "correct horse battery staple"
SALT = bytes(range(32))
OTHER_SALT = bytes(range(100, 132))
TABLES = ("patients", "assessments", "lesions", "plans", "treatment_sessions", "adverse_events")

# Real dates of every cohort member's records (the clock stands at 2026-11-21).
ASSESSED = (date(2026, 5, 4), date(2026, 11, 16))
PERFORMED = date(2026, 11, 12)
ONSET, RESOLVED = date(2026, 11, 14), date(2026, 11, 20)


@dataclass(frozen=True)
class Person:
    id: int
    code: str
    name: str
    birth_year: str
    """How the export should give the year of birth: it is how the tests find the subject."""
    identifying: list[str]
    """Everything of theirs that must not reach the export: name, code, birth date, free text."""


def enrol(
    clinic: Clinic,
    clinician: Actor,
    code: str,
    name: str,
    birth_year: str,
    **patient: Any,
) -> Person:
    """A patient with two assessments, an accepted plan, a session with an adverse event and a
    photo, every free-text field filled with something that identifies them."""
    tag = name.split(maxsplit=1)[0]
    text = {
        "avoid": f"{tag}'s sister's wedding in Porto",
        "first": f"{tag} works at the Rua Augusta bakery",
        "second": f"{tag} call back on 555-0147",
        "notes": f"{tag} arrived with her mother",
        "practitioner": f"Dr {tag}son",
        "agent": f"{tag} house blend",
        "anaesthesia": f"{tag} numbing cream",
        "event": f"{tag} emailed {tag.lower()}@example.org a photo",
    }
    preferences = {"avoid": [{"from": "2027-06-01", "to": "2027-06-03", "reason": text["avoid"]}]}
    record = patients.create_patient(
        clinic, clinician, patient_input(code, name, preferences=preferences, **patient)
    )
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(ASSESSED[0], notes=text["first"])
    )
    fewer = [dict(lesion, count=max(1, lesion["count"] // 2)) for lesion in LESIONS]
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(ASSESSED[1], fewer, text["second"])
    )
    plan = plans.accept_plan(clinic, clinician, plans.propose_plan(clinic, clinician, record.id).id)
    planned = plan.sessions[0]
    ensure_consents(clinic, clinician, record.id)
    treated = sessions.record_session(
        clinic,
        clinician,
        record.id,
        with_checklist(
            {
                "performed_on": PERFORMED.isoformat(),
                "modality": planned.modality,
                "regions": planned.regions,
                "practitioner": text["practitioner"],
                "parameters": {
                    "passes": 2,
                    "density_percent": 15.0,
                    "agent": text["agent"],
                    "anaesthesia": text["anaesthesia"],
                },
                "notes": text["notes"],
                "adverse_events": [
                    {
                        "kind": "pih",
                        "severity": "moderate",
                        "onset_on": ONSET.isoformat(),
                        "resolved_on": RESOLVED.isoformat(),
                        "notes": text["event"],
                    }
                ],
            }
        ),
    )
    photos.add_photo(
        clinic,
        clinician,
        record.id,
        {
            "region": "cheek_left",
            "taken_on": PERFORMED.isoformat(),
            "consent": "clinical_record",
            "consent_confirmed": True,
            "session_id": treated.id,
        },
        jpeg(),
    )
    born = patient.get("birth_date", "1990-05-02")
    identifying = [name, code, *text.values(), *([born] if born else [])]
    return Person(record.id, code, name, birth_year, identifying)


@pytest.fixture
def researcher(clinic: Clinic) -> Actor:
    return users.create_user(clinic, "res.one", "Res One", PASSWORD, "researcher")


@pytest.fixture
def cohort(clinic: Clinic, clinician: Actor) -> list[Person]:
    return [
        enrol(clinic, clinician, "RX-7731", "Ana Silva", "1990"),
        enrol(
            clinic,
            clinician,
            "RX-1931",
            "Bruno Costa",
            "90+",
            birth_date="1931-03-15",
            sex="male",
            fitzpatrick="II",
        ),
        # Only an age on file: the year of birth is estimated from when it was given.
        enrol(
            clinic,
            clinician,
            "RX-0040",
            "Chloe Martin",
            "1986",
            birth_date=None,
            age_years=40,
            sex="other",
        ),
    ]


def export(
    clinic: Clinic,
    actor: Actor,
    target: Path,
    salt: bytes = SALT,
    dates: research.Dates = "shifted",
) -> research.ResearchExport:
    return research.export_research(clinic, actor, target, salt, dates=dates)


def parquet_rows(directory: Path, table: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(directory / f"{table}.parquet").to_pylist()
    return rows


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def subjects(directory: Path, cohort: list[Person]) -> dict[int, str]:
    """Patient id -> subject id, matched through the year of birth each was given."""
    by_year = {row["birth_year"]: row["subject"] for row in parquet_rows(directory, "patients")}
    return {person.id: by_year[person.birth_year] for person in cohort}


def offsets(directory: Path, subject: str) -> set[int]:
    """How far each of a subject's dates moved from the real one."""
    moved = [
        (row["assessed_on"], real)
        for row, real in zip(
            [r for r in parquet_rows(directory, "assessments") if r["subject"] == subject],
            ASSESSED,
            strict=True,
        )
    ]
    moved += [
        (r["performed_on"], PERFORMED)
        for r in parquet_rows(directory, "treatment_sessions")
        if r["subject"] == subject
    ]
    for row in parquet_rows(directory, "adverse_events"):
        if row["subject"] == subject:
            moved += [(row["onset_on"], ONSET), (row["resolved_on"], RESOLVED)]
    assert len(moved) == 5
    return {(shifted - real).days for shifted, real in moved}


# --- what is exported ---------------------------------------------------------------------------


def test_no_name_code_birth_date_or_free_text_reaches_any_file(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    done = export(clinic, researcher, tmp_path / "out")

    texts = {}
    for path in sorted(done.directory.iterdir()):
        texts[path.name] = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            texts[f"{path.name} (read)"] = f"{table.schema}\n{table.to_pylist()}"
    assert set(texts) >= {f"{t}.csv" for t in TABLES} | {"manifest.json", "README.txt"}
    for person in cohort:
        for needle in person.identifying:
            found = [name for name, text in texts.items() if needle.casefold() in text.casefold()]
            assert found == [], f"{needle!r} is in {found}"
    assert not any(name.startswith("photo") for name in texts)


def test_every_table_has_a_row_per_record_in_csv_and_parquet_alike(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    done = export(clinic, researcher, tmp_path / "out")

    assert done.rows == {
        "patients": 3,
        "assessments": 6,
        "lesions": 18,
        "plans": 3,
        "treatment_sessions": 3,
        "adverse_events": 3,
    }
    tables = [f"{t}.{kind}" for t in TABLES for kind in ("csv", "parquet")]
    assert done.files == sorted([*tables, "README.txt", "manifest.json"])
    manifest = json.loads((done.directory / "manifest.json").read_text(encoding="utf-8"))
    for table in TABLES:
        from_parquet = parquet_rows(done.directory, table)
        with (done.directory / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            header, *from_csv = list(csv.reader(handle))
        columns = [c["name"] for c in manifest["tables"][table]["columns"]]
        assert header == columns == list(from_parquet[0])
        assert from_csv == [[csv_text(row[c]) for c in columns] for row in from_parquet]
        assert manifest["tables"][table]["rows"] == len(from_csv) == done.rows[table]


def test_records_refer_to_each_other_by_per_subject_references(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    out = export(clinic, researcher, tmp_path / "out").directory
    subject = subjects(out, cohort)[cohort[0].id]

    assessed = [r for r in parquet_rows(out, "assessments") if r["subject"] == subject]
    lesions = [r for r in parquet_rows(out, "lesions") if r["subject"] == subject]
    (plan,) = [r for r in parquet_rows(out, "plans") if r["subject"] == subject]
    (treated,) = [r for r in parquet_rows(out, "treatment_sessions") if r["subject"] == subject]
    (event,) = [r for r in parquet_rows(out, "adverse_events") if r["subject"] == subject]

    assert [r["assessment"] for r in assessed] == [f"{subject}-A1", f"{subject}-A2"]
    assert [(r["assessment"], r["lesion"], r["region"], r["count"]) for r in lesions[:3]] == [
        (f"{subject}-A1", n + 1, lesion["region"], lesion["count"])
        for n, lesion in enumerate(LESIONS)
    ]
    assert assessed[0]["count_ice_pick"] == 14
    assert (plan["plan"], plan["assessment"]) == (f"{subject}-P1", f"{subject}-A2")
    assert plan["status"] in {"in_progress", "completed"}
    assert plan["sessions"] >= 1
    assert treated["modality"] in plan["modalities"].split(";")
    assert (treated["session"], treated["plan"]) == (f"{subject}-S1", plan["plan"])
    assert (treated["passes"], treated["density_percent"], treated["tca_percent"]) == (
        2,
        15.0,
        None,
    )
    assert "agent" not in treated
    assert "anaesthesia" not in treated
    assert (event["session"], event["kind"], event["severity"]) == (
        treated["session"],
        "pih",
        "moderate",
    )


def test_birth_dates_become_years_and_ages_over_89_one_category(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    out = export(clinic, researcher, tmp_path / "out").directory

    exported = parquet_rows(out, "patients")

    assert sorted((r["birth_year"], r["sex"], r["fitzpatrick"]) for r in exported) == [
        ("1986", "other", "III"),
        ("1990", "female", "III"),
        ("90+", "male", "II"),
    ]
    assert [r["subject"] for r in exported] == sorted(r["subject"] for r in exported)
    assert all(len(r["subject"]) == 17 and r["subject"].startswith("S") for r in exported)


# --- dates ------------------------------------------------------------------------------------


def test_dates_move_by_one_offset_per_subject_so_intervals_survive(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    out = export(clinic, researcher, tmp_path / "out").directory

    found = {pid: offsets(out, subject) for pid, subject in subjects(out, cohort).items()}

    for moved in found.values():
        assert len(moved) == 1  # the same for every date of the subject
        (days,) = moved
        assert days != 0
        assert -research.MAX_SHIFT_DAYS <= days <= research.MAX_SHIFT_DAYS
    assert len({days for moved in found.values() for days in moved}) > 1


def test_the_same_salt_gives_the_same_subjects_and_offsets_another_salt_does_not(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    first = export(clinic, researcher, tmp_path / "first").directory
    again = export(clinic, researcher, tmp_path / "again").directory
    other = export(clinic, researcher, tmp_path / "other", OTHER_SALT).directory

    def linkage(out: Path) -> dict[int, tuple[str, set[int]]]:
        return {pid: (s, offsets(out, s)) for pid, s in subjects(out, cohort).items()}

    assert linkage(again) == linkage(first)
    for pid, (subject, _) in linkage(other).items():
        assert subject != linkage(first)[pid][0]
    assert [m for _, m in linkage(other).values()] != [m for _, m in linkage(first).values()]
    fingerprints = [
        json.loads((out / "manifest.json").read_text(encoding="utf-8"))["salt_fingerprint"]
        for out in (first, again, other)
    ]
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]
    assert SALT.hex() not in (first / "manifest.json").read_text(encoding="utf-8")


def test_years_only_keeps_nothing_of_a_date_but_its_year(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    out = export(clinic, researcher, tmp_path / "out", dates="years").directory

    for table in TABLES:
        schema = pq.read_table(out / f"{table}.parquet").schema
        assert not [f.name for f in schema if str(f.type).startswith("date")], table
        assert not [f.name for f in schema if f.name.endswith("_on")], table
    # The year of the shifted date (see the test of the two modes together).
    shifted = export(clinic, researcher, tmp_path / "shifted").directory
    assessed = parquet_rows(out, "assessments")
    moved = parquet_rows(shifted, "assessments")
    assert [r["assessed_year"] for r in assessed] == [r["assessed_on"].year for r in moved]
    assert all(abs(r["assessed_year"] - 2026) <= 1 for r in assessed)
    (event, *_) = parquet_rows(out, "adverse_events")
    (moved_event, *_) = parquet_rows(shifted, "adverse_events")
    assert (event["onset_year"], event["resolved_year"]) == (
        moved_event["onset_on"].year,
        moved_event["resolved_on"].year,
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    dates = next(h for h in manifest["safe_harbor"] if h["id"] == "C")
    assert (manifest["dates"], dates["handling"]) == ("years", "generalised")
    for table in TABLES:
        text = (out / f"{table}.csv").read_text(encoding="utf-8")
        assert not re.search(r"\d{4}-\d\d-\d\d", text), table


def test_the_two_date_modes_together_do_not_narrow_a_subjects_offset(
    clinic: Clinic, researcher: Actor, clinician: Actor, tmp_path: Path
) -> None:
    """Issue 24, finding 8: the real year of each date (dates='years') beside the same
    subject's shifted date (dates='shifted', same salt) bounds the offset from both sides
    (shifted date - 31 December <= offset <= shifted date - 1 January of the real year): a
    subject seen on 31 December and 1 January gave it away within days. The year-only export
    gives the year of the shifted date, so it tells nothing the shifted export does not."""
    record = patients.create_patient(clinic, clinician, patient_input("RX-NY", "Nina Year"))
    for day in (date(2025, 12, 31), date(2026, 1, 1)):
        assessments.record_assessment(clinic, clinician, record.id, assessment_input(day))
    shifted = export(clinic, researcher, tmp_path / "shifted").directory
    years = export(clinic, researcher, tmp_path / "years", dates="years").directory

    moved = {r["assessment"]: r["assessed_on"] for r in parquet_rows(shifted, "assessments")}
    year_only = {r["assessment"]: r["assessed_year"] for r in parquet_rows(years, "assessments")}
    assert set(year_only) == set(moved)
    assert year_only == {ref: day.year for ref, day in moved.items()}
    # The attack: bound the offset of each date by the year given for it. Nothing is left
    # that fits both real dates, so the pair of exports does not reveal the offset.
    low = max((day - date(year_only[ref], 12, 31)).days for ref, day in moved.items())
    high = min((day - date(year_only[ref], 1, 1)).days for ref, day in moved.items())
    real_offset = (moved[min(moved)] - date(2025, 12, 31)).days
    assert not low <= real_offset <= high


def test_the_export_explains_itself_including_the_limits_of_date_shifting(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    out = export(clinic, researcher, tmp_path / "out").directory

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    readme = (out / "README.txt").read_text(encoding="utf-8")

    assert [h["id"] for h in manifest["safe_harbor"]] == [chr(c) for c in range(65, 83)]
    assert {h["handling"] for h in manifest["safe_harbor"]} <= {
        "removed",
        "not collected",
        "generalised",
        "generalised and shifted",
    }
    assert all(h["how"] for h in manifest["safe_harbor"])
    assert "not HIPAA Safe Harbor" in manifest["caveats"][0]
    assert "dates='years'" in manifest["caveats"][0]
    for table in TABLES:
        for column in manifest["tables"][table]["columns"]:
            assert f"  {column['name']} ({column['type']}): " in readme
    assert "(Q) Full-face photographs" in readme
    assert "not HIPAA Safe Harbor" in readme


# --- the salt, the audit trail, who may export ------------------------------------------------


def test_the_export_is_audited_with_its_row_counts(
    clinic: Clinic, researcher: Actor, cohort: list[Person], tmp_path: Path
) -> None:
    export(clinic, researcher, tmp_path / "out", dates="years")

    with clinic.uow.read() as session:
        (entry,) = session.scalars(
            select(AuditEventRecord).where(AuditEventRecord.action == "export")
        ).all()
    assert (entry.username, entry.entity, entry.entity_id, entry.patient_id) == (
        "res.one",
        "research",
        None,
        None,
    )
    assert entry.detail["dates"] == "years"
    assert entry.detail["rows"]["assessments"] == 6


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_only_a_researcher_may_run_the_research_export(
    clinic: Clinic, role: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    actor: Actor = request.getfixturevalue(role)

    with pytest.raises(PermissionDeniedError):
        export(clinic, actor, tmp_path / "out")

    assert not (tmp_path / "out").exists()


def test_a_researcher_cannot_export_a_patients_own_data(
    clinic: Clinic, researcher: Actor, cohort: list[Person]
) -> None:
    with pytest.raises(PermissionDeniedError):
        patient_data.export_patient(clinic, researcher, cohort[0].id)


@pytest.mark.parametrize(
    ("salt", "dates", "occupied", "field"),
    [
        (b"short", "shifted", False, "salt"),
        (SALT, "months", False, "dates"),
        (SALT, "shifted", True, "target"),
    ],
)
def test_a_bad_request_is_refused_naming_the_field(
    clinic: Clinic,
    researcher: Actor,
    tmp_path: Path,
    salt: bytes,
    dates: str,
    occupied: bool,
    field: str,
) -> None:
    target = tmp_path / "out"
    if occupied:
        target.mkdir()
        (target / "earlier.csv").write_text("x\n", encoding="utf-8")

    with pytest.raises(InputError) as error:
        research.export_research(clinic, researcher, target, salt, dates=dates)  # type: ignore[arg-type]

    assert [p.path for p in error.value.problems] == [field]


def test_an_empty_clinic_exports_empty_tables(
    clinic: Clinic, researcher: Actor, tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()

    done = export(clinic, researcher, tmp_path / "out")

    assert set(done.rows.values()) == {0}
    assert pq.read_table(done.directory / "assessments.parquet").num_rows == 0
    assert done.directory.joinpath("patients.csv").read_text(encoding="utf-8").strip() == (
        "subject,birth_year,sex,fitzpatrick"
    )


def test_offsets_spread_over_half_a_year_either_way_and_are_never_zero() -> None:
    shifts = [research.pseudonym(SALT, pid).shift_days for pid in range(1, 2000)]

    assert 0 not in shifts
    assert all(abs(days) <= research.MAX_SHIFT_DAYS for days in shifts)
    assert min(shifts) < -150
    assert max(shifts) > 150
