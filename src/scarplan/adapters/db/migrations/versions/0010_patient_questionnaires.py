"""questionnaires patients fill in at home

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:00:00

A reserved slot, filled by the change that needs it (questionnaires patients fill in at home). Until then it changes nothing.
"""

from __future__ import annotations

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
