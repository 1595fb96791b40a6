"""Subject ids and date offsets: keyed hashes of the record number under the clinic's salt."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SALT_FILE = "research_salt"
SALT_BYTES = 32
MIN_SALT_BYTES = 16
MAX_SHIFT_DAYS = 180


@dataclass(frozen=True)
class Pseudonym:
    subject: str
    shift_days: int
    """Never 0: every date of the subject moves by this many days (-180..-1 or 1..180)."""


def research_salt(data_dir: Path) -> bytes:
    """The clinic's research salt: 32 random bytes kept (as hex) in `data_dir/research_salt`,
    readable by its owner only, made the first time it is asked for."""
    path = data_dir / SALT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(SALT_BYTES))
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


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
