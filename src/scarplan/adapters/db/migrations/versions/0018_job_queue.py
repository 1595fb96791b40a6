"""jobs on a queue: stored job inputs, the queue's tables on PostgreSQL

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:20:00

A job kept its input (a height map) in the memory of the process that accepted it, so it died
with that process and no other host could run it (issue 23). Now the input is a row of
`job_payloads`, the job records who started it and how many attempts it has had (only the
current attempt may finish it), and on PostgreSQL the Procrastinate queue's own tables,
functions and triggers are created (its published schema, applied as it ships). SQLite keeps
the in-process runner and gets no queue tables. The downgrade drops all of these; jobs still
queued then are lost with them (their rows stay, and show as interrupted).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarplan.adapters.db.tables import Json
from scarplan.adapters.job_queue import drop_queue_schema, queue_schema_sql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("started_by", Json, nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "job_payloads",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # The schema has many statements and % signs: run it as one plain (unparameterised)
        # query on the driver's connection, which psycopg sends as it is.
        bind.connection.driver_connection.execute(queue_schema_sql())  # type: ignore[union-attr]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.connection.driver_connection.execute(drop_queue_schema())  # type: ignore[union-attr]
    op.drop_table("job_payloads")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("attempts")
        batch.drop_column("started_by")
