"""procedure consent forms and signatures

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:00:00

Informed consent per procedure (issue 22): a signed consent (the form as shown, its version,
typed name, drawn signature, SHA-256), the clinician's countersignature and a withdrawal, each a
row of its own. Update triggers make all three unchangeable (adapters/db/consent_guard.py).
The downgrade drops the triggers and the tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarplan.adapters.db import consent_guard

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _user(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"))


def _consent(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["consent_id"],
        ["procedure_consents.id"],
        name=op.f(f"fk_{table}_consent_id_procedure_consents"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "procedure_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.String(length=40), nullable=False),
        sa.Column("form_version", sa.String(length=64), nullable=False),
        sa.Column("kb_version", sa.String(length=64), nullable=False),
        sa.Column("form_title", sa.String(length=200), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("form_text", sa.Text(), nullable=False),
        sa.Column("patient_name", sa.String(length=200), nullable=False),
        sa.Column("signature_png", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by", sa.Integer(), nullable=True),
        sa.Column("signed_in_portal", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_procedure_consents_patient_id_patients"),
            ondelete="CASCADE",
        ),
        _user("signed_by", "procedure_consents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_consents")),
    )
    op.create_index(
        "ix_procedure_consents_patient", "procedure_consents", ["patient_id", "modality"]
    )
    table = "procedure_consent_countersignatures"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("clinician_name", sa.String(length=200), nullable=False),
        sa.Column("countersigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("countersigned_by", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        _consent(table),
        _user("countersigned_by", table),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("consent_id", name=op.f(f"uq_{table}_consent_id")),
    )
    table = "procedure_consent_withdrawals"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        _consent(table),
        _user("withdrawn_by", table),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("consent_id", name=op.f(f"uq_{table}_consent_id")),
    )
    consent_guard.install(op.get_bind())


def downgrade() -> None:
    consent_guard.remove(op.get_bind())
    op.drop_table("procedure_consent_withdrawals")
    op.drop_table("procedure_consent_countersignatures")
    op.drop_index("ix_procedure_consents_patient", table_name="procedure_consents")
    op.drop_table("procedure_consents")
