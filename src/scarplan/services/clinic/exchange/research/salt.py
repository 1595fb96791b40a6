"""The clinic's research salt, kept in the database (clinic_secrets) for every host alike.

It used to be a file, `research_salt` in one host's data directory. The first time the salt is
asked for, an existing file is imported, so new exports keep linking up with earlier ones; the
file is left in place (it is the user's data) and never read again.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.clinic.core.clinic_secrets import clinic_secret
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.exchange.research.pseudonyms import (
    MIN_SALT_BYTES,
    SALT_BYTES,
    SALT_FILE,
)

logger = logging.getLogger(__name__)

SALT_SECRET = "research_salt"


def research_salt(clinic: Clinic) -> bytes:
    """The clinic's research salt: made (or imported from the old file) the first time, then
    the same for every process on every host, and in every backup of the database."""
    legacy = clinic.settings.data_dir / SALT_FILE
    imported: list[Path] = []

    def first_salt() -> str:
        if legacy.is_file():
            imported.append(legacy)
            return _read_legacy(legacy)
        return secrets.token_hex(SALT_BYTES)

    secret = clinic_secret(clinic, SALT_SECRET, first_salt)
    if imported and secret.offered == secret.value:
        logger.info(
            "research salt imported from %s into the database: research exports keep linking up "
            "with earlier ones; the file is kept but no longer read",
            legacy,
        )
    elif imported:
        logger.warning(
            "research salt in %s not imported: another process stored a different salt first; "
            "exports from now on will not link up with those made with the file's salt",
            legacy,
        )
    return bytes.fromhex(secret.value)


def _read_legacy(path: Path) -> str:
    text = path.read_text(encoding="utf-8").strip()
    try:
        salt = bytes.fromhex(text)
    except ValueError:
        salt = b""
    if len(salt) < MIN_SALT_BYTES:
        raise InputError(
            "the research salt cannot be imported",
            [
                FieldProblem(
                    str(path),
                    f"is not a salt of {MIN_SALT_BYTES}+ bytes written in hex",
                    "restore the file from a backup; or move it away to start a new salt "
                    "(new exports will then not link up with earlier ones)",
                )
            ],
        )
    return salt.hex()
