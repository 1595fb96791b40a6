"""The audit entry hash: the same entry always hashes the same, any change shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from scarplan.adapters.db.audit_chain import GENESIS, entry_hash

ENTRY: dict[str, Any] = {
    "at": datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
    "user_id": 3,
    "username": "dr.lee",
    "role": "clinician",
    "action": "read",
    "patient_id": 7,
    "entity": "patient",
    "entity_id": 7,
    "route": "/patients/7",
    "address": "10.0.0.7",
    "detail": {"shown": 2, "format": "zip"},
}


def test_the_hash_does_not_depend_on_key_order_or_the_moments_time_zone() -> None:
    reordered = dict(reversed(list(ENTRY.items())))
    reordered["detail"] = {"format": "zip", "shown": 2}
    reordered["at"] = ENTRY["at"].astimezone(timezone(timedelta(hours=2)))

    assert entry_hash(GENESIS, 1, reordered) == entry_hash(GENESIS, 1, ENTRY)


def test_every_field_the_id_and_the_link_change_the_hash() -> None:
    original = entry_hash(GENESIS, 1, ENTRY)
    changed = [
        entry_hash("1" * 64, 1, ENTRY),
        entry_hash(GENESIS, 2, ENTRY),
        entry_hash(GENESIS, 1, {**ENTRY, "at": ENTRY["at"] + timedelta(microseconds=1)}),
        entry_hash(GENESIS, 1, {**ENTRY, "user_id": None}),
        entry_hash(GENESIS, 1, {**ENTRY, "detail": {"shown": 3, "format": "zip"}}),
        *(entry_hash(GENESIS, 1, {**ENTRY, name: "x"}) for name in ("username", "route")),
    ]

    assert len({original, *changed}) == len(changed) + 1
    assert all(len(digest) == 64 for digest in changed)
