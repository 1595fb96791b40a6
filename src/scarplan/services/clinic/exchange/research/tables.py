"""Every table of the export, read from the database in one transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import PatientRecord
from scarplan.services.clinic.exchange.research.assessments import assessment_tables
from scarplan.services.clinic.exchange.research.deidentify import Dating, Keys, birth_year
from scarplan.services.clinic.exchange.research.model import Column, Dates, Table
from scarplan.services.clinic.exchange.research.pseudonyms import pseudonym
from scarplan.services.clinic.exchange.research.treatments import plans_table, session_tables


def research_tables(session: Session, salt: bytes, dates: Dates, today: date) -> list[Table]:
    """Every table of the export, read in one transaction, rows in subject order (which says
    nothing about when records were made)."""
    keys = {pid: pseudonym(salt, pid) for pid in session.scalars(select(PatientRecord.id))}
    dating = Dating(dates)
    assessments, lesions, assessment_refs = assessment_tables(session, keys, dating)
    plans, plan_refs = plans_table(session, keys, assessment_refs)
    sessions, adverse = session_tables(session, keys, dating, plan_refs)
    return [patients_table(session, keys, today), assessments, lesions, plans, sessions, adverse]


def patients_table(session: Session, keys: Keys, today: date) -> Table:
    p = PatientRecord
    found = session.execute(
        select(p.id, p.birth_date, p.intake, p.updated_at, p.sex, p.fitzpatrick)
    ).all()
    rows = [[keys[r.id].subject, birth_year(r, today), r.sex, r.fitzpatrick] for r in found]
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
