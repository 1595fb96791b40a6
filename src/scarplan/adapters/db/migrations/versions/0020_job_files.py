"""job files: what a job made for download (a report PDF)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 18:40:00

Report PDFs took 1.3-2.0 s on the request thread (issue 23); they are made by a job now, and
the file waits in `job_files` for a day. A new table only; the
downgrade drops it (the files are copies of what the records make again).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarplan.adapters.db.tables import Stamp

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_files",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index("ix_job_files_created_at", "job_files", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_job_files_created_at", table_name="job_files")
    op.drop_table("job_files")
