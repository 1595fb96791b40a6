"""clinic secrets kept in the database (the research salt)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 18:20:00

A reserved slot (issue 23), filled by the change that needs it; until then it changes nothing.
"""

from __future__ import annotations

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
