"""pre-procedure checklists

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 15:00:00

The pre-procedure checklist (issue 22): each answer is a row keyed to its session, with the
item's words and severity as they were shown, the answer and who gave it (the clinician or the
patient's record), the reason for going ahead past a red item, and a test spot and its reading.
A new table only; the downgrade drops the answers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checklist_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=True),
        sa.Column("answered_from", sa.String(length=16), nullable=False),
        sa.Column("record_note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("test_spot_done_on", sa.Date(), nullable=True),
        sa.Column("test_spot_read_on", sa.Date(), nullable=True),
        sa.Column("test_spot_result", sa.String(length=16), nullable=True),
        sa.Column("test_spot_notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_checklist_answers_session_id_treatment_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_answers")),
    )
    op.create_index(op.f("ix_checklist_answers_session_id"), "checklist_answers", ["session_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_checklist_answers_session_id"), table_name="checklist_answers")
    op.drop_table("checklist_answers")
