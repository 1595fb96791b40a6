"""The de-identified research export: scores, lesions, plans, sessions and outcomes, no identity.

Each patient becomes a subject id, a keyed hash (HMAC-SHA256) of their record number under a
secret salt: the same salt gives the same ids in every export, so a study can follow patients
across exports, while nobody without the salt can compute or reverse them. Dates move by a
per-patient offset drawn from the same key, so intervals within a patient survive and calendar
dates do not; `dates="years"` keeps years only, as HIPAA Safe Harbor requires. Free-text columns
are never read: notes hold names, places and phone numbers that no filter finds reliably.
The export carries its own README.txt and manifest.json; docs/privacy.md explains the limits.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, get_args

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import (
    AdverseEventRecord,
    AssessmentRecord,
    LesionRecord,
    PatientRecord,
    PlannedSessionRecord,
    PlanRecord,
    PlanVersionRecord,
    TreatmentSessionRecord,
)
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import ScarType
from scarplan.services.clinic.access import Permission, authorize
from scarplan.services.clinic.context import Actor, Clinic

Dates = Literal["shifted", "years"]
Kind = Literal["string", "int", "float", "bool", "date"]

SALT_FILE = "research_salt"
SALT_BYTES = 32
MIN_SALT_BYTES = 16
MAX_SHIFT_DAYS = 180
OLDEST_AGE = 89
"""Safe Harbor: ages over 89 are given only as the one category "90+"."""

# An allow-list, so a parameter added later stays out until someone decides it is safe to share.
# `agent` and `anaesthesia` are typed by hand: they go with the notes.
NUMERIC_PARAMETERS: dict[str, Kind] = {
    "tca_percent": "float",
    "punch_size_mm": "float",
    "needle_depth_mm": "float",
    "passes": "int",
    "energy_mj": "float",
    "fluence_j_cm2": "float",
    "density_percent": "float",
    "wavelength_nm": "int",
    "spot_size_mm": "float",
    "volume_ml": "float",
}

ARROW_TYPES: dict[Kind, Any] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: list[Column]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Pseudonym:
    subject: str
    shift_days: int
    """Never 0: every date of the subject moves by this many days (-180..-1 or 1..180)."""


@dataclass(frozen=True)
class ResearchExport:
    directory: Path
    dates: Dates
    rows: dict[str, int]
    """Rows per table."""
    files: list[str]


def research_salt(data_dir: Path) -> bytes:
    """The clinic's research salt: 32 random bytes kept (as hex) in `data_dir/research_salt`,
    readable by its owner only, made the first time it is asked for."""
    path = data_dir / SALT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(SALT_BYTES))
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


def pseudonym(salt: bytes, patient_id: int) -> Pseudonym:
    """Separate keyed hashes for the id and the offset, so one reveals nothing of the other."""
    subject = hmac.new(salt, f"subject:{patient_id}".encode(), hashlib.sha256).hexdigest()
    draw = hmac.new(salt, f"date-shift:{patient_id}".encode(), hashlib.sha256).digest()
    spread = int.from_bytes(draw[:8], "big") % (2 * MAX_SHIFT_DAYS)
    shift = spread - MAX_SHIFT_DAYS if spread < MAX_SHIFT_DAYS else spread - MAX_SHIFT_DAYS + 1
    return Pseudonym(f"S{subject[:16]}", shift)


def salt_fingerprint(salt: bytes) -> str:
    """Tells whether two exports share a salt (and so link up) without revealing it."""
    return hashlib.sha256(b"scarplan research salt:" + salt).hexdigest()[:12]


def export_research(
    clinic: Clinic, actor: Actor, target: Path, salt: bytes, *, dates: Dates = "shifted"
) -> ResearchExport:
    """Write the de-identified tables as CSV and Parquet, with README.txt and manifest.json,
    into `target` (a new or empty directory). The audit trail records who exported how much."""
    authorize(actor, Permission.EXPORT_RESEARCH)
    _check(target, salt, dates)
    with clinic.uow.write() as session:
        tables = research_tables(session, salt, dates, clinic.today())
        rows = {t.name: len(t.rows) for t in tables}
        clinic.audit.changed(
            session, actor, "export", "research", None, None, {"dates": dates, "rows": rows}
        )
        # The entry is flushed before the files appear, so an export never goes unrecorded.
        session.flush()
        files = _publish(tables, _manifest(tables, dates, salt, clinic.today()), target)
    return ResearchExport(target, dates, rows, files)


def _check(target: Path, salt: bytes, dates: str) -> None:
    problems = []
    if len(salt) < MIN_SALT_BYTES:
        problems.append(
            FieldProblem("salt", f"is {len(salt)} bytes", "use research_salt(data_dir)")
        )
    if dates not in get_args(Dates):
        problems.append(FieldProblem("dates", f"{dates!r} is not known", "shifted or years"))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        problems.append(
            FieldProblem("target", f"{target} is not an empty directory", "name a new one")
        )
    if problems:
        raise InputError("the research export cannot start", problems)


# --- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dating:
    mode: Dates

    def column(self, stem: str, description: str) -> Column:
        if self.mode == "years":
            return Column(f"{stem}_year", "int", f"{description}: the year only")
        return Column(f"{stem}_on", "date", f"{description}, moved by the subject's offset")

    def value(self, day: date | None, who: Pseudonym) -> date | int | None:
        if day is None:
            return None
        return day.year if self.mode == "years" else day + timedelta(days=who.shift_days)


class _Refs:
    """Per-subject references (S…-A1, S…-A2, in date order) in place of database ids, which
    count records across the clinic and would tie an export back to the source system."""

    def __init__(
        self, rows: Sequence[Any], when: Callable[[Any], Any], prefix: str, keys: _Keys
    ) -> None:
        self.prefix = prefix
        self.numbers: dict[int, tuple[str, int]] = {}
        seen: dict[int, int] = defaultdict(int)
        for row in sorted(rows, key=lambda r: (r.patient_id, when(r), r.id)):
            seen[row.patient_id] += 1
            self.numbers[row.id] = (keys[row.patient_id].subject, seen[row.patient_id])

    def __getitem__(self, record_id: int) -> str:
        subject, number = self.numbers[record_id]
        return f"{subject}-{self.prefix}{number}"

    def order(self, record_id: int) -> tuple[str, int]:
        return self.numbers[record_id]


_Keys = dict[int, Pseudonym]
SUBJECT = Column("subject", "string", "the patient's pseudonymous id")


def _birth_year(row: Any, today: date) -> str | None:
    if row.birth_date is not None:
        born: date = row.birth_date
        year = born.year
        age = today.year - year - ((today.month, today.day) < (born.month, born.day))
    elif row.intake.get("age_years") is not None:
        # Only an age was given: the year is estimated from when the intake was saved.
        year = row.updated_at.year - int(row.intake["age_years"])
        age = today.year - year
    else:
        return None
    return "90+" if age > OLDEST_AGE else str(year)


def _patients(session: Session, keys: _Keys, today: date) -> Table:
    p = PatientRecord
    found = session.execute(
        select(p.id, p.birth_date, p.intake, p.updated_at, p.sex, p.fitzpatrick)
    ).all()
    rows = [[keys[r.id].subject, _birth_year(r, today), r.sex, r.fitzpatrick] for r in found]
    columns = [
        Column("subject", "string", "pseudonymous id: keyed hash, the same for the same salt"),
        Column(
            "birth_year",
            "string",
            'year of birth, "90+" for anyone older than 89; estimated from the stated age '
            "when no birth date was recorded",
        ),
        Column("sex", "string", "female | male | other | unknown"),
        Column("fitzpatrick", "string", "skin phototype I..VI"),
    ]
    return Table("patients", "one row per patient", columns, sorted(rows, key=lambda r: r[0]))


def _assessments(session: Session, keys: _Keys, dating: _Dating) -> tuple[Table, Table, _Refs]:
    a, les = AssessmentRecord, LesionRecord
    found = session.execute(
        select(a.id, a.patient_id, a.assessed_on, a.fitzpatrick, a.gb_qualitative).add_columns(
            a.gb_quantitative, a.ecca, a.counts
        )
    ).all()
    refs = _Refs(found, lambda r: r.assessed_on, "A", keys)
    types = [t.value for t in ScarType]
    assessments = Table(
        "assessments",
        "one row per assessment, with its scores",
        [
            SUBJECT,
            Column("assessment", "string", "reference: subject-A1, -A2, ... in date order"),
            dating.column("assessed", "date of the assessment"),
            Column("fitzpatrick", "string", "phototype at the assessment"),
            Column("gb_qualitative", "int", "Goodman & Baron qualitative grade, 1-4"),
            Column("gb_quantitative", "float", "Goodman & Baron quantitative score"),
            Column("ecca", "int", "ECCA score"),
            *(Column(f"count_{t}", "int", f"number of {t} scars") for t in types),
        ],
        [
            [
                keys[r.patient_id].subject,
                refs[r.id],
                dating.value(r.assessed_on, keys[r.patient_id]),
                r.fitzpatrick,
                r.gb_qualitative,
                float(r.gb_quantitative),
                r.ecca,
                *(int(r.counts.get(t, 0)) for t in types),
            ]
            for r in sorted(found, key=lambda r: refs.order(r.id))
        ],
    )
    lesion_rows = session.execute(
        select(les.assessment_id, les.position, les.region, les.scar_type, les.count).add_columns(
            les.width_mm,
            les.depth_mm,
            les.edges,
            les.distensible,
            les.visible_at_50cm,
            les.covered_by_makeup,
        )
    ).all()
    lesions = Table(
        "lesions",
        "one row per lesion group of an assessment",
        [
            SUBJECT,
            Column("assessment", "string", "the assessment (assessments.assessment)"),
            Column("lesion", "int", "position in the assessment, from 1"),
            Column("region", "string", "face region id"),
            Column("scar_type", "string", "scar type id; empty when left to inference"),
            Column("count", "int", "number of scars in the group"),
            Column("width_mm", "float", "typical opening width"),
            Column("depth_mm", "float", "typical depth"),
            Column("edges", "string", "sharp | sloped"),
            Column("distensible", "bool", "flattens when the skin is stretched"),
            Column("visible_at_50cm", "bool", "obvious at a social distance of 50 cm"),
            Column("covered_by_makeup", "bool", "make-up or beard shadow hides it"),
        ],
        [
            [
                refs.order(r.assessment_id)[0],
                refs[r.assessment_id],
                r.position + 1,
                *r[2:],
            ]
            for r in sorted(lesion_rows, key=lambda r: (*refs.order(r.assessment_id), r.position))
        ],
    )
    return assessments, lesions, refs


def _plans(session: Session, keys: _Keys, assessments: _Refs) -> tuple[Table, _Refs]:
    pl, ver, ps = PlanRecord, PlanVersionRecord, PlannedSessionRecord
    found = session.execute(
        select(pl.id, pl.patient_id, pl.assessment_id, pl.status, pl.created_at).add_columns(
            pl.current_version
        )
    ).all()
    refs = _Refs(found, lambda r: r.created_at, "P", keys)
    current_number = {r.id: r.current_version for r in found}
    versions: dict[int, int] = defaultdict(int)
    current: dict[int, int] = {}
    for v in session.execute(select(ver.id, ver.plan_id, ver.version)):
        versions[v.plan_id] += 1
        if v.version == current_number.get(v.plan_id):
            current[v.id] = v.plan_id
    procedures: dict[int, list[str]] = defaultdict(list)
    for s in session.execute(select(ps.plan_version_id, ps.modality)):
        if s.plan_version_id in current:
            procedures[current[s.plan_version_id]].append(s.modality)
    table = Table(
        "plans",
        "one row per treatment plan, described by its current version",
        [
            SUBJECT,
            Column("plan", "string", "reference: subject-P1, -P2, ... in the order proposed"),
            Column("assessment", "string", "the assessment the plan was made from"),
            Column("status", "string", "proposed | accepted | in_progress | completed | ..."),
            Column("versions", "int", "number of versions (edits included)"),
            Column("sessions", "int", "planned sessions in the current version"),
            Column("modalities", "string", "procedure ids of the current version, ';'-separated"),
        ],
        [
            [
                keys[r.patient_id].subject,
                refs[r.id],
                assessments[r.assessment_id],
                r.status,
                versions[r.id],
                len(procedures[r.id]),
                ";".join(sorted(set(procedures[r.id]))),
            ]
            for r in sorted(found, key=lambda r: refs.order(r.id))
        ],
    )
    return table, refs


def _number(value: Any, kind: Kind) -> float | int | None:
    if value is None:
        return None
    return int(value) if kind == "int" else float(value)


def _sessions(session: Session, keys: _Keys, dating: _Dating, plans: _Refs) -> tuple[Table, Table]:
    ts, ae = TreatmentSessionRecord, AdverseEventRecord
    found = session.execute(
        select(ts.id, ts.patient_id, ts.plan_id, ts.performed_on, ts.modality).add_columns(
            ts.regions, ts.parameters
        )
    ).all()
    refs = _Refs(found, lambda r: r.performed_on, "S", keys)
    sessions = Table(
        "treatment_sessions",
        "one row per procedure session carried out",
        [
            SUBJECT,
            Column("session", "string", "reference: subject-S1, -S2, ... in date order"),
            Column("plan", "string", "the plan it carried out; empty if none"),
            dating.column("performed", "date of the session"),
            Column("modality", "string", "procedure id"),
            Column("regions", "string", "region ids treated, ';'-separated"),
            *(
                Column(n, k, "procedure parameter as recorded")
                for n, k in NUMERIC_PARAMETERS.items()
            ),
        ],
        [
            [
                keys[r.patient_id].subject,
                refs[r.id],
                plans[r.plan_id] if r.plan_id is not None else None,
                dating.value(r.performed_on, keys[r.patient_id]),
                r.modality,
                ";".join(r.regions),
                *(_number(r.parameters.get(n), k) for n, k in NUMERIC_PARAMETERS.items()),
            ]
            for r in sorted(found, key=lambda r: refs.order(r.id))
        ],
    )
    owner = {r.id: keys[r.patient_id] for r in found}
    events = session.execute(
        select(ae.id, ae.session_id, ae.kind, ae.severity, ae.onset_on, ae.resolved_on)
    ).all()
    adverse = Table(
        "adverse_events",
        "one row per adverse event after a session",
        [
            SUBJECT,
            Column("session", "string", "the session it followed"),
            Column("kind", "string", "pih | infection | prolonged_erythema | ..."),
            Column("severity", "string", "mild | moderate | severe"),
            dating.column("onset", "first day it was seen"),
            dating.column("resolved", "day it resolved; empty while it lasts"),
        ],
        [
            [
                owner[r.session_id].subject,
                refs[r.session_id],
                r.kind,
                r.severity,
                dating.value(r.onset_on, owner[r.session_id]),
                dating.value(r.resolved_on, owner[r.session_id]),
            ]
            for r in sorted(events, key=lambda r: (*refs.order(r.session_id), r.onset_on, r.id))
        ],
    )
    return sessions, adverse


def research_tables(session: Session, salt: bytes, dates: Dates, today: date) -> list[Table]:
    """Every table of the export, read in one transaction, rows in subject order (which says
    nothing about when records were made)."""
    keys = {pid: pseudonym(salt, pid) for pid in session.scalars(select(PatientRecord.id))}
    dating = _Dating(dates)
    assessments, lesions, assessment_refs = _assessments(session, keys, dating)
    plans, plan_refs = _plans(session, keys, assessment_refs)
    sessions, adverse = _sessions(session, keys, dating, plan_refs)
    return [_patients(session, keys, today), assessments, lesions, plans, sessions, adverse]


# --- files -----------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c in table.columns])
        writer.writerows([_csv_text(v) for v in row] for row in table.rows)


def _write_parquet(table: Table, path: Path) -> None:
    schema = pa.schema(
        [
            pa.field(c.name, ARROW_TYPES[c.kind], metadata={"description": c.description})
            for c in table.columns
        ],
        metadata={"description": table.description},
    )
    columns = [[row[i] for row in table.rows] for i in range(len(table.columns))]
    pq.write_table(pa.Table.from_arrays(columns, schema=schema), path)


def _publish(tables: list[Table], manifest: dict[str, Any], target: Path) -> list[str]:
    """Write everything into a scratch directory beside `target`, then rename it into place:
    a failed export leaves no half-written directory behind that could pass for a whole one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for table in tables:
            _write_csv(table, scratch / f"{table.name}.csv")
            _write_parquet(table, scratch / f"{table.name}.parquet")
        (scratch / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (scratch / "README.txt").write_text(_readme(manifest), encoding="utf-8")
        os.replace(scratch, target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return sorted(p.name for p in target.iterdir())


# --- what the export says about itself -------------------------------------------------------

NOT_STORED = "scarplan has no field for it; anything typed into free text goes with the text"
SAFE_HARBOR: list[tuple[str, str, str, str]] = [
    ("A", "Names", "removed", "patient and practitioner names are not exported"),
    ("B", "Geographic subdivisions smaller than a state", "not collected", NOT_STORED),
    ("C", "Dates (except year) related to the individual; ages over 89", "", ""),
    ("D", "Telephone numbers", "not collected", NOT_STORED),
    ("E", "Fax numbers", "not collected", NOT_STORED),
    ("F", "Email addresses", "not collected", NOT_STORED),
    ("G", "Social security numbers", "not collected", NOT_STORED),
    (
        "H",
        "Medical record numbers",
        "removed",
        "the clinic's patient code and database ids are replaced by the subject id and "
        "per-subject references (subject-A1, -P1, -S1)",
    ),
    ("I", "Health plan beneficiary numbers", "not collected", NOT_STORED),
    (
        "J",
        "Account numbers",
        "removed",
        "portal accounts, user names and tokens are not exported; no billing accounts are stored",
    ),
    ("K", "Certificate/license numbers", "not collected", NOT_STORED),
    ("L", "Vehicle identifiers and serial numbers", "not collected", NOT_STORED),
    (
        "M",
        "Device identifiers and serial numbers",
        "removed",
        "photos are stored without camera metadata and are not exported",
    ),
    ("N", "Web URLs", "not collected", NOT_STORED),
    (
        "O",
        "IP addresses",
        "removed",
        "client addresses are kept only in the audit trail, which is not exported",
    ),
    ("P", "Biometric identifiers (finger and voice prints)", "not collected", NOT_STORED),
    ("Q", "Full-face photographs and comparable images", "removed", "no photo is exported"),
    (
        "R",
        "Any other unique identifying number, characteristic or code",
        "removed",
        "record ids and codes are replaced; the subject id is a keyed hash (see caveats)",
    ),
]
DATES_HANDLING: dict[Dates, tuple[str, str]] = {
    "shifted": (
        "generalised and shifted",
        'birth date: year only, "90+" over 89; every other date moved by the subject\'s '
        "offset (not Safe Harbor: see caveats)",
    ),
    "years": (
        "generalised",
        'birth date and every other date: year only; ages over 89: "90+"',
    ),
}
RULES = [
    "Each patient is a subject id: HMAC-SHA256 of the internal record number under the "
    "clinic's secret research salt (first 64 bits, hex). The same salt gives the same id in "
    "every export; without the salt the id can be neither computed nor reversed.",
    "Records are referred to per subject (subject-A1, -P1, -S1), never by database id; rows "
    "are in subject order, not in the order the records were made.",
    'Birth dates become the year of birth; anyone older than 89 on the export date is "90+".',
    "Names, patient codes, contact details, practitioners, user accounts, photos and the "
    "audit trail are not exported.",
    "Every free-text field is dropped whole (assessment, session and adverse-event notes, "
    "reasons for plan edits and dates kept free, hand-typed procedure parameters such as "
    "agent and anaesthesia): free text may hold identifiers that no filter finds reliably.",
]
DATE_RULES: dict[Dates, str] = {
    "shifted": "Dates are shifted: every date of a subject moves by the same offset, drawn "
    "from the keyed hash, between -180 and +180 days and never 0. Intervals within a subject "
    "are exact; calendar dates, weekdays and seasons are not.",
    "years": "Dates are years only (dates='years'), as HIPAA Safe Harbor requires.",
}
CAVEATS: dict[Dates, list[str]] = {
    "shifted": [
        "Date shifting is pseudonymisation, not HIPAA Safe Harbor: Safe Harbor allows no "
        "element of a date but the year. This export gives shifted full dates so that "
        "intervals within a subject survive; for a strict Safe Harbor release export again "
        "with dates='years' (year-only dates).",
        "Whoever knows one real date of a subject (a visit they saw) can work out that "
        "subject's offset and so all of their real dates; any shifted date shows the real one "
        "to within 180 days. Shifted dates may fall in another year or in the future.",
    ],
    "years": ["Intervals shorter than a year cannot be computed from year-only dates."],
}
COMMON_CAVEATS = [
    "Safe Harbor also needs the clinic to have no actual knowledge that what remains could "
    "identify someone: rare combinations in a small clinic (a 90+ patient with keloids) can. "
    "Review small exports before release and share them under a data use agreement.",
    "The subject id is a keyed hash of an internal record number. 45 CFR 164.514(c) allows a "
    "re-identification code that is not derived from information about the individual and "
    "whose key is not disclosed; if your privacy officer finds that a keyed hash does not "
    "qualify, export with a new random salt and destroy it: the ids then link to nothing.",
    "Keep the salt secret: with it, anyone holding the patient list can re-identify every "
    "subject and undo the date shift. A new salt unlinks later exports from earlier ones.",
]


def _manifest(tables: list[Table], dates: Dates, salt: bytes, today: date) -> dict[str, Any]:
    handling, how = DATES_HANDLING[dates]
    return {
        "format": "scarplan-research-export",
        "version": 1,
        "exported_on": today.isoformat(),
        "dates": dates,
        "salt_fingerprint": salt_fingerprint(salt),
        "rules": [*RULES, DATE_RULES[dates]],
        "tables": {
            t.name: {
                "description": t.description,
                "rows": len(t.rows),
                "files": [f"{t.name}.csv", f"{t.name}.parquet"],
                "columns": [
                    {"name": c.name, "type": c.kind, "description": c.description}
                    for c in t.columns
                ],
            }
            for t in tables
        },
        "safe_harbor": [
            {
                "id": code,
                "identifier": what,
                "handling": handled or handling,
                "how": detail or how,
            }
            for code, what, handled, detail in SAFE_HARBOR
        ],
        "caveats": [*CAVEATS[dates], *COMMON_CAVEATS],
    }


def _readme(manifest: dict[str, Any]) -> str:
    lines = [
        "scarplan de-identified research export",
        "",
        f"Exported on {manifest['exported_on']}; dates: {manifest['dates']}; "
        f"salt fingerprint {manifest['salt_fingerprint']} (exports with the same fingerprint "
        "share subject ids and offsets).",
        "Every table is given twice, as CSV (UTF-8, empty = no value) and as Parquet.",
        "",
        "De-identification rules",
        *(f"- {rule}" for rule in manifest["rules"]),
        "",
        "Tables",
    ]
    for name, table in manifest["tables"].items():
        lines += ["", f"{name} ({table['rows']} rows): {table['description']}"]
        lines += [f"  {c['name']} ({c['type']}): {c['description']}" for c in table["columns"]]
    lines += ["", "HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)) and their handling", ""]
    lines += [
        f"({h['id']}) {h['identifier']}: {h['handling']} - {h['how']}"
        for h in manifest["safe_harbor"]
    ]
    lines += ["", "Caveats", *(f"- {caveat}" for caveat in manifest["caveats"])]
    return "\n".join(lines) + "\n"
