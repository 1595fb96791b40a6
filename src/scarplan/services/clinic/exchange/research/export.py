"""The research export use case: check, read the tables, audit, publish the files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange.research.manifest import build_manifest
from scarplan.services.clinic.exchange.research.model import Dates
from scarplan.services.clinic.exchange.research.pseudonyms import MIN_SALT_BYTES
from scarplan.services.clinic.exchange.research.salt import research_salt
from scarplan.services.clinic.exchange.research.tables import research_tables
from scarplan.services.clinic.exchange.research.writers import publish


@dataclass(frozen=True)
class ResearchExport:
    directory: Path
    dates: Dates
    rows: dict[str, int]
    """Rows per table."""
    files: list[str]


def export_research(
    clinic: Clinic,
    actor: Actor,
    target: Path,
    salt: bytes | None = None,
    *,
    dates: Dates = "shifted",
) -> ResearchExport:
    """Write the de-identified tables as CSV and Parquet, with README.txt and manifest.json,
    into `target` (a new or empty directory). The audit trail records who exported how much.

    `salt` is the clinic's research salt (research_salt) unless given: tests give their own."""
    authorize(actor, Permission.EXPORT_RESEARCH)
    if salt is None:
        salt = research_salt(clinic)
    _check(target, salt, dates)
    with clinic.uow.write() as session:
        tables = research_tables(session, salt, dates, clinic.today())
        rows = {t.name: len(t.rows) for t in tables}
        clinic.audit.changed(
            session, actor, "export", "research", None, None, {"dates": dates, "rows": rows}
        )
        # The entry is flushed before the files appear, so an export never goes unrecorded.
        session.flush()
        files = publish(tables, build_manifest(tables, dates, salt, clinic.today()), target)
    return ResearchExport(target, dates, rows, files)


def _check(target: Path, salt: bytes, dates: str) -> None:
    problems = []
    if len(salt) < MIN_SALT_BYTES:
        problems.append(
            FieldProblem(
                "salt", f"is {len(salt)} bytes", "use the clinic's research salt (research_salt)"
            )
        )
    if dates not in get_args(Dates):
        problems.append(FieldProblem("dates", f"{dates!r} is not known", "shifted or years"))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        problems.append(
            FieldProblem("target", f"{target} is not an empty directory", "name a new one")
        )
    if problems:
        raise InputError("the research export cannot start", problems)
