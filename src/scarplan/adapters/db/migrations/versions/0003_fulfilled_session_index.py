"""index treatment sessions by the planned session they fulfil

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 08:20:00

Every plan page asks which of its planned sessions are done; without this index that
question scans every treatment session in the clinic.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("treatment_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_treatment_sessions_planned_session_id", ["planned_session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("treatment_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_treatment_sessions_planned_session_id")
