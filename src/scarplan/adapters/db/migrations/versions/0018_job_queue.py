"""jobs on a queue: stored job inputs, the queue's tables on PostgreSQL

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:20:00

A reserved slot (issue 23), filled by the change that needs it; until then it changes nothing.
"""

from __future__ import annotations

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
