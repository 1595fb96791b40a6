"""The plans, treatment sessions and adverse events tables."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import (
    AdverseEventRecord,
    PlannedSessionRecord,
    PlanRecord,
    PlanVersionRecord,
    TreatmentSessionRecord,
)
from scarplan.services.clinic.exchange.research.deidentify import (
    NUMERIC_PARAMETERS,
    Dating,
    Keys,
    Refs,
)
from scarplan.services.clinic.exchange.research.model import SUBJECT, Column, Kind, Table


def plans_table(session: Session, keys: Keys, assessments: Refs) -> tuple[Table, Refs]:
    pl, ver, ps = PlanRecord, PlanVersionRecord, PlannedSessionRecord
    found = session.execute(
        select(pl.id, pl.patient_id, pl.assessment_id, pl.status, pl.created_at).add_columns(
            pl.current_version
        )
    ).all()
    refs = Refs(found, lambda r: r.created_at, "P", keys)
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


def session_tables(
    session: Session, keys: Keys, dating: Dating, plans: Refs
) -> tuple[Table, Table]:
    ts, ae = TreatmentSessionRecord, AdverseEventRecord
    found = session.execute(
        select(ts.id, ts.patient_id, ts.plan_id, ts.performed_on, ts.modality).add_columns(
            ts.regions, ts.parameters
        )
    ).all()
    refs = Refs(found, lambda r: r.performed_on, "S", keys)
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
