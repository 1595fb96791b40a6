"""the clinic's price list, in versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00

The clinic's own prices (issue 20: a plan never counts a procedure as free): each saved version
is a row with its currency, a price per procedure (JSON), who saved it, when and why; the newest
is in force. A new table only: a database without a version plans with settings `prices` and
the published estimates, as before. The downgrade drops the saved price lists.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinic_price_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("prices", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_clinic_price_lists_created_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_price_lists")),
    )


def downgrade() -> None:
    op.drop_table("clinic_price_lists")
