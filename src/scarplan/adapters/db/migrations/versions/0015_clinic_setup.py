"""clinic set-up: resources, opening hours, days off, prices valid from

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:00:00

Issue 22 (set-up in the browser): each version of the clinic's price list gets the first day it
prices plans (`valid_from`): a plan proposed on day D uses the version valid on D, and a version
for a later day waits for it. Versions saved before keep the day they were saved, which is when
they came into force. Resources, opening hours and days off live in the scheduling set-up's
JSON document (schedule_resources), which needs no new column. The downgrade drops the column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarplan.adapters.db.tables import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_price_lists = sa.table(
    "clinic_price_lists",
    sa.column("id", sa.Integer()),
    sa.column("created_at", UtcDateTime()),
    sa.column("valid_from", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("clinic_price_lists") as batch:
        batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
    connection = op.get_bind()
    saved = connection.execute(sa.select(_price_lists.c.id, _price_lists.c.created_at)).all()
    for row_id, created_at in saved:
        connection.execute(
            _price_lists.update()
            .where(_price_lists.c.id == row_id)
            .values(valid_from=created_at.date())
        )
    with op.batch_alter_table("clinic_price_lists") as batch:
        batch.alter_column("valid_from", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("clinic_price_lists") as batch:
        batch.drop_column("valid_from")
