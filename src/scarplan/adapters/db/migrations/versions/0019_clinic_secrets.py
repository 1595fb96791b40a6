"""clinic secrets kept in the database (the research salt)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 18:20:00

The research salt was a file in one host's data directory: a second host would have made
another salt (and other pseudonyms), and a backup of the database left it out (issue 23). It
now lives in this table, one row per secret, made once and never changed. The app imports an
existing `research_salt` file the first time it asks for the salt (not here: the migration
need not run on the host that has the file); the file is left in place. The downgrade drops
the table: the file, if any, is still there for the older code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarplan.adapters.db.tables import Stamp

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinic_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("clinic_secrets")
