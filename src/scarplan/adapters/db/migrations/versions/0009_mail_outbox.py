"""the e-mail outbox, invitations and reminder preferences

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 08:00:00

A reserved slot, filled by the change that needs it (the e-mail outbox, invitations and reminder preferences). Until then it changes nothing.
"""

from __future__ import annotations

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
