"""follow-up visits, outcome reviews, adverse event outcomes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 15:00:00

An adverse event gets an outcome and the treatment given (its history in
adverse_event_outcomes); follow_up_visits keeps each check and outcome review as it took place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("adverse_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("treatment", sa.Text(), nullable=False, server_default=""))

    op.create_table(
        "adverse_event_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("treatment", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["adverse_events.id"],
            name=op.f("fk_adverse_event_outcomes_event_id_adverse_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_adverse_event_outcomes_created_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_event_outcomes")),
    )
    with op.batch_alter_table("adverse_event_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adverse_event_outcomes_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "follow_up_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("comparison", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_follow_up_visits_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_follow_up_visits_plan_id_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_follow_up_visits_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_visits")),
    )
    with op.batch_alter_table("follow_up_visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_up_visits_patient_day", ["patient_id", "visited_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_up_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_visits_patient_day")
    op.drop_table("follow_up_visits")
    with op.batch_alter_table("adverse_event_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adverse_event_outcomes_event_id"))
    op.drop_table("adverse_event_outcomes")
    with op.batch_alter_table("adverse_events", schema=None) as batch_op:
        batch_op.drop_column("treatment")
        batch_op.drop_column("outcome")
