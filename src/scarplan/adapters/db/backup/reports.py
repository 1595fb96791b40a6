"""What a backup or a restore reports: the file, the rows per table, the schema revision."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, func, inspect, select, table

from scarplan.adapters.db.audit_chain import ChainHead, ChainReport
from scarplan.adapters.db.migrate import alembic_config

Kind = Literal["sqlite", "postgresql"]


class SchemaState(StrEnum):
    CURRENT = "current"  # at this code's newest migration
    OLDER = "older"  # `scarplan serve` applies the missing migrations when it starts
    UNKNOWN = "unknown"  # a revision this code does not know: made by a newer scarplan


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    database: Kind
    revision: str
    row_counts: dict[str, int]  # per table, as in the backup file
    seconds: float
    audit_head: ChainHead | None  # the audit trail's head in the file (None: not chained yet)
    manifest: Path  # beside the file: keep it with the backup, it anchors the audit trail


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    size_bytes: int
    database: Kind
    revision: str | None  # the restored database's schema revision
    head: str  # the newest revision this code knows
    schema: SchemaState
    row_counts: dict[str, int]  # per table, as restored
    seconds: float
    audit: ChainReport | None  # the restored trail verified (None: from before the hash chain)
    anchored: bool  # checked against the head in the backup's manifest


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table(name))) or 0
            for name in sorted(inspect(connection).get_table_names())
        }


def schema_state(revision: str | None, head: str) -> SchemaState:
    if revision == head:
        return SchemaState.CURRENT
    try:
        known = revision is not None and bool(
            ScriptDirectory.from_config(alembic_config()).get_revision(revision)
        )
    except CommandError:
        known = False
    return SchemaState.OLDER if known else SchemaState.UNKNOWN
