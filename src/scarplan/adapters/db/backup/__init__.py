"""Back up the whole database to one file, and restore it: SQLite or PostgreSQL.

Every record lives in the database (photo bytes in `photo_blobs`, the audit trail in
`audit_events`), so one file holds all of it. A backup is written to a temporary file beside the
target, verified, then renamed into place: a crash never leaves a half-written file under the
target's name. A restore verifies the backup before it touches the database and changes it in
one step (a rename on SQLite, one transaction on PostgreSQL): when it fails, the database is as
it was.
"""

from scarplan.adapters.db.backup.operations import PG_LOCK_TIMEOUT_S, backup, restore
from scarplan.adapters.db.backup.reports import BackupReport, Kind, RestoreReport, SchemaState

__all__ = [
    "PG_LOCK_TIMEOUT_S",
    "BackupReport",
    "Kind",
    "RestoreReport",
    "SchemaState",
    "backup",
    "restore",
]
