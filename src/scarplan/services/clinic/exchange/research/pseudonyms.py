"""Subject ids and date offsets: keyed hashes of the record number under the clinic's salt."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

SALT_FILE = "research_salt"
"""Where the salt used to be kept, in the data directory; imported once (research/salt.py)."""
SALT_BYTES = 32
MIN_SALT_BYTES = 16
MAX_SHIFT_DAYS = 180


@dataclass(frozen=True)
class Pseudonym:
    subject: str
    shift_days: int
    """Never 0: every date of the subject moves by this many days (-180..-1 or 1..180)."""


def pseudonym(salt: bytes, patient_id: int) -> Pseudonym:
    """Separate keyed hashes for the id and the offset, so one reveals nothing of the other."""
    subject = hmac.new(salt, f"subject:{patient_id}".encode(), hashlib.sha256).hexdigest()
    draw = hmac.new(salt, f"date-shift:{patient_id}".encode(), hashlib.sha256).digest()
    spread = int.from_bytes(draw[:8], "big") % (2 * MAX_SHIFT_DAYS)
    shift = spread - MAX_SHIFT_DAYS if spread < MAX_SHIFT_DAYS else spread - MAX_SHIFT_DAYS + 1
    return Pseudonym(f"S{subject[:16]}", shift)


def salt_fingerprint(salt: bytes) -> str:
    """Tells whether two exports share a salt (and so link up) without revealing it."""
    return hashlib.sha256(b"scarplan research salt:" + salt).hexdigest()[:12]
