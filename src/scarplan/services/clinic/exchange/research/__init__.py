"""The de-identified research export: scores, lesions, plans, sessions and outcomes, no identity.

Each patient becomes a subject id, a keyed hash (HMAC-SHA256) of their record number under a
secret salt: the same salt gives the same ids in every export, so a study can follow patients
across exports, while nobody without the salt can compute or reverse them. Dates move by a
per-patient offset drawn from the same key, so intervals within a patient survive and calendar
dates do not; `dates="years"` keeps years only, as HIPAA Safe Harbor requires. Free-text columns
are never read: notes hold names, places and phone numbers that no filter finds reliably.
The export carries its own README.txt and manifest.json; docs/privacy.md explains the limits.
"""

from scarplan.services.clinic.exchange.research.export import ResearchExport, export_research
from scarplan.services.clinic.exchange.research.model import Column, Dates, Kind, Table
from scarplan.services.clinic.exchange.research.pseudonyms import (
    MAX_SHIFT_DAYS,
    MIN_SALT_BYTES,
    SALT_BYTES,
    SALT_FILE,
    Pseudonym,
    pseudonym,
    salt_fingerprint,
)
from scarplan.services.clinic.exchange.research.salt import research_salt
from scarplan.services.clinic.exchange.research.tables import research_tables

__all__ = [
    "MAX_SHIFT_DAYS",
    "MIN_SALT_BYTES",
    "SALT_BYTES",
    "SALT_FILE",
    "Column",
    "Dates",
    "Kind",
    "Pseudonym",
    "ResearchExport",
    "Table",
    "export_research",
    "pseudonym",
    "research_salt",
    "research_tables",
    "salt_fingerprint",
]
