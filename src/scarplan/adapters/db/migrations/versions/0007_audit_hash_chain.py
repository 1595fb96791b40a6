"""a hash chain on the audit trail

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 08:00:00

Every audit entry gets `prev_hash` and `entry_hash` (issue 24): the existing entries are chained
in id order here, with the append-only triggers lifted for the backfill and put back after. On
SQLite a trigger now also refuses an insert over an existing id, which `INSERT OR REPLACE` used
to rewrite an entry with. The downgrade drops the columns and that trigger.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from scarplan.adapters.db import audit_guard
from scarplan.adapters.db.audit_chain import FIELDS, GENESIS, entry_hash
from scarplan.adapters.db.tables import Json, Stamp

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BATCH = 2000
# The table as this revision knows it, whatever tables.py holds later.
_AUDIT = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", Stamp),
    sa.column("user_id", sa.Integer()),
    sa.column("username", sa.String()),
    sa.column("role", sa.String()),
    sa.column("action", sa.String()),
    sa.column("patient_id", sa.Integer()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("route", sa.String()),
    sa.column("address", sa.String()),
    sa.column("detail", Json),
    sa.column("prev_hash", sa.String()),
    sa.column("entry_hash", sa.String()),
)


def upgrade() -> None:
    bind = op.get_bind()
    audit_guard.remove_append_only(bind)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    _chain_existing(bind)
    # On SQLite this rebuilds the table (batch mode): the triggers go back on afterwards.
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("entry_hash", existing_type=sa.String(length=64), nullable=False)
    audit_guard.install_append_only(bind)
    audit_guard.install_no_replace(bind)


def _chain_existing(bind: sa.Connection) -> None:
    previous, after = GENESIS, 0
    columns = [_AUDIT.c[name] for name in ("id", *FIELDS)]
    while True:
        rows = (
            bind.execute(
                sa.select(*columns).where(_AUDIT.c.id > after).order_by(_AUDIT.c.id).limit(_BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        updates: list[dict[str, Any]] = []
        for row in rows:
            digest = entry_hash(previous, int(row["id"]), row)
            updates.append({"row_id": row["id"], "prev": previous, "digest": digest})
            previous, after = digest, int(row["id"])
        bind.execute(
            _AUDIT.update()
            .where(_AUDIT.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("digest")),
            updates,
        )


def downgrade() -> None:
    bind = op.get_bind()
    audit_guard.remove_no_replace(bind)
    audit_guard.remove_append_only(bind)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
    audit_guard.install_append_only(bind)
