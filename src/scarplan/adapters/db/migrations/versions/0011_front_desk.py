"""front desk: check-in, no-show, contact details

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 15:00:00

The front desk's day (issue 22): appointments gain a kind (procedure, follow_up,
outcome_review; existing rows are procedures), the check-in time and the recorded session that
carried them out; plan, session key and procedure become optional (a follow-up visit has none).
Patients gain a phone number. Existing rows stay valid as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="procedure", nullable=False)
        )
        batch_op.add_column(sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appointments_session_id_treatment_sessions"),
            "treatment_sessions",
            ["session_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.alter_column("plan_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("session_key", existing_type=sa.String(length=80), nullable=True)
        batch_op.alter_column("modality", existing_type=sa.String(length=40), nullable=True)


def downgrade() -> None:
    # Visits that are not procedures cannot be kept without a plan and a procedure.
    op.execute("DELETE FROM appointments WHERE kind <> 'procedure' OR plan_id IS NULL")
    op.execute("UPDATE appointments SET status = 'booked' WHERE status = 'checked_in'")
    op.execute("UPDATE appointments SET status = 'cancelled' WHERE status = 'no_show'")
    op.execute("UPDATE appointments SET status = 'booked' WHERE status = 'done'")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.alter_column("modality", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("session_key", existing_type=sa.String(length=80), nullable=False)
        batch_op.alter_column("plan_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(
            batch_op.f("fk_appointments_session_id_treatment_sessions"), type_="foreignkey"
        )
        batch_op.drop_column("session_id")
        batch_op.drop_column("checked_in_at")
        batch_op.drop_column("kind")
    # Not a batch: rebuilding `patients` on SQLite would drop the table, and with it (foreign
    # keys on) every row that refers to a patient. SQLite 3.35+ drops a column in place.
    op.drop_column("patients", "phone")
