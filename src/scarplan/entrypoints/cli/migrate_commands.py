"""`scarplan migrate`: bring the database schema up to this release, once, before the apps start.

With several app processes (`scarplan serve --no-migrate` on each port, on each host) the schema
is changed by this one step rather than by whichever process starts first; the systemd example in
deploy/ runs it as the scarplan-migrate unit that the app and worker units wait for.
"""

from __future__ import annotations

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out
from scarplan.services.clinic.accounts.setup import migrate_database


def migrate() -> None:
    """Apply the database migrations this release needs; does nothing when they are applied."""
    migrated = migrate_database(bootstrap().engine)
    if migrated.before == migrated.after:
        out.print(f"{migrated.database}: schema at {migrated.after}, nothing to apply.")
    else:
        out.print(
            f"{migrated.database}: schema migrated from {migrated.before or 'an empty database'} "
            f"to {migrated.after}."
        )
