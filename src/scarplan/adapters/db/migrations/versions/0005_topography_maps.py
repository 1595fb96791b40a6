"""keep uploaded height maps

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 13:25:00

Each uploaded 3D height map is kept (compressed) beside its analysis, so it can be downloaded
and analysed again when the pipeline improves. A new table only: analyses made before this
revision simply have no map. The downgrade drops the kept maps, never an analysis.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topography_maps",
        sa.Column("topography_id", sa.Integer(), nullable=False),
        sa.Column("compressed", sa.LargeBinary(), nullable=False),
        sa.Column("read_options", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topography_id"],
            ["topography_analyses.id"],
            name=op.f("fk_topography_maps_topography_id_topography_analyses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("topography_id", name=op.f("pk_topography_maps")),
    )


def downgrade() -> None:
    op.drop_table("topography_maps")
