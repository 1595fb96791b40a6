"""procedure consent forms and signatures

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:00:00

A reserved slot (issue 22), filled by the change that needs it; until then it changes nothing.
"""

from __future__ import annotations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
