"""The assessments table (scores and scar counts) and its lesions table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AssessmentRecord, LesionRecord
from scarplan.domain.vocabulary import ScarType
from scarplan.services.clinic.exchange.research.deidentify import Dating, Keys, Refs
from scarplan.services.clinic.exchange.research.model import SUBJECT, Column, Table


def assessment_tables(session: Session, keys: Keys, dating: Dating) -> tuple[Table, Table, Refs]:
    a, les = AssessmentRecord, LesionRecord
    found = session.execute(
        select(a.id, a.patient_id, a.assessed_on, a.fitzpatrick, a.gb_qualitative).add_columns(
            a.gb_quantitative, a.ecca, a.counts
        )
    ).all()
    refs = Refs(found, lambda r: r.assessed_on, "A", keys)
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
