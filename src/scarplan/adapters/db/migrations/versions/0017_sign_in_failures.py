"""failed sign-ins counted in the database, shared by every app process

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:40:00

The sign-in throttle (per client address and typed name, and per address) counted failures in
each process's memory: with two processes the limits doubled, and a restart forgot them
(issue 23). Each failure is now a row, deleted once it has left the throttle's window. A new
table only; the downgrade drops it (the counts are short-lived by design).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarplan.adapters.db.tables import Stamp

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.String(length=240), nullable=False),
        sa.Column("failed_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_sign_in_failures_counter_failed_at", "sign_in_failures", ["counter", "failed_at"]
    )
    op.create_index("ix_sign_in_failures_failed_at", "sign_in_failures", ["failed_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_failed_at", table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_counter_failed_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
