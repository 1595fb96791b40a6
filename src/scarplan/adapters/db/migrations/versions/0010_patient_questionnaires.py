"""questionnaires patients fill in at home

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:00:00

Patient-reported outcomes (issue 21): each response is a row with the patient, the instrument
id and version, the day, the answers (JSON), the score and, when one was coming, the planned
session it was given before. A new table only; the downgrade drops the answers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=60), nullable=False),
        sa.Column("instrument_version", sa.String(length=20), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Numeric(precision=10, scale=2, asdecimal=False), nullable=False),
        sa.Column("planned_session_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_questionnaire_responses_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planned_session_id"],
            ["planned_sessions.id"],
            name=op.f("fk_questionnaire_responses_planned_session_id_planned_sessions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_questionnaire_responses_created_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_responses")),
    )
    op.create_index(
        "ix_questionnaire_responses_patient",
        "questionnaire_responses",
        ["patient_id", "instrument_id", "answered_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_questionnaire_responses_patient", table_name="questionnaire_responses")
    op.drop_table("questionnaire_responses")
