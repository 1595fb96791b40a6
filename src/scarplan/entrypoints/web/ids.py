"""Record ids in URLs: bounded, so an absurd number is a clear 422, not a database overflow.

Ids are 32-bit integers on PostgreSQL and 64-bit on SQLite; the smaller bound holds for both.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ID = 2_147_483_647

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record id.")]
