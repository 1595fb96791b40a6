"""a hash chain on the audit trail

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 08:00:00

A reserved slot, filled by the change that needs it (a hash chain on the audit trail). Until then it changes nothing.
"""

from __future__ import annotations

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
