"""clinic set-up: resources, opening hours, days off, prices valid from

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:00:00

A reserved slot (issue 22), filled by the change that needs it; until then it changes nothing.
"""

from __future__ import annotations

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
