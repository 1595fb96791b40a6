"""patients' requests to change their identity fields

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:00:00

A reserved slot, filled by the change that needs it (patients' requests to change their identity fields). Until then it changes nothing.
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
