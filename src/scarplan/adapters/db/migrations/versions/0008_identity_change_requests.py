"""patients' requests to change their identity fields

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:00:00

A portal patient may not change their own name, date of birth or clinic code; they ask the
clinic, and a clinician or the front desk approves or declines (issue 24, finding 4).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_identity_change_requests_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_identity_change_requests_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_identity_change_requests_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_change_requests")),
    )
    with op.batch_alter_table("identity_change_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_identity_change_requests_patient_id", ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ix_identity_change_requests_status", ["status", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_change_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_change_requests_status")
        batch_op.drop_index("ix_identity_change_requests_patient_id")
    op.drop_table("identity_change_requests")
