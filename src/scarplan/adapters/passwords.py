"""Password hashing with scrypt (standard library): salted, slow on purpose, constant-time check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

# scrypt cost: n=2**14, r=8 uses 16 MiB and about 50 ms per hash on the 2-core reference machine.
COST_N = 2**14
BLOCK_R = 8
PARALLEL_P = 1
KEY_BYTES = 32


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=64 * 2**20
    )


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = _derive(password, salt, COST_N, BLOCK_R, PARALLEL_P)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, key)]
    return f"scrypt${COST_N}${BLOCK_R}${PARALLEL_P}${encoded[0]}${encoded[1]}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


# Checked against when a username is unknown, so a wrong name and a wrong password take as long.
DUMMY_HASH = hash_password(os.urandom(12).hex())
