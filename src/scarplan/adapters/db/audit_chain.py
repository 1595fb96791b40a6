"""The audit trail's hash chain: appending entries, and proving the stored trail unbroken.

Each entry stores `prev_hash` (the entry before it's `entry_hash`; `GENESIS` for the first) and
`entry_hash = sha256(prev_hash, canonical serialisation of its id and fields)`. Changing, removing,
inserting or reordering any entry breaks a link that `verify` names. Appends are serialised:
SQLite's write transactions already are (BEGIN IMMEDIATE takes the one write lock); PostgreSQL's
take a transaction-scoped advisory lock first, so the head read and the insert cannot interleave
with another writer's and fork the chain. Ids are drawn under that lock too, in chain order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

import orjson
from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AuditEventRecord

GENESIS = "0" * 64
FORMAT_VERSION = 1
# Any constant works; this one spells "scaraudt" so that it is recognisable in pg_locks.
_PG_LOCK_KEY = 0x7363617261756474
_BATCH = 2000
_TABLE = cast(Table, AuditEventRecord.__table__)
_JSON = orjson.OPT_NON_STR_KEYS  # {1: ...} is stored as {"1": ...}, as the JSON column does
FIELDS = (
    "at",
    "user_id",
    "username",
    "role",
    "action",
    "patient_id",
    "entity",
    "entity_id",
    "route",
    "address",
    "detail",
)


def _moment(value: datetime) -> str:
    # Microseconds always written: both databases keep them, and the text must not depend on
    # whether a moment happens to fall on a whole second.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, entry_id: int, fields: Mapping[Any, Any]) -> str:
    """The hash of one entry, from the one before it and its own id and fields."""
    values: list[Any] = [FORMAT_VERSION, entry_id]
    for name in FIELDS:
        value = fields[name]
        values.append(_moment(value) if name == "at" else value)
    payload = orjson.dumps(values, option=_JSON | orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + payload).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """The newest entry: its id and hash, and how many entries the trail holds."""

    entries: int
    last_id: int | None
    last_hash: str


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))


def _ids(connection: Connection, after: int, count: int) -> list[int]:
    if connection.dialect.name == "postgresql":
        drawn = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('audit_events', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        ).scalars()
        return sorted(int(value) for value in drawn)
    # SQLite gives a new row max(id) + 1 anyway; the write lock is ours, so these are free.
    return list(range(after + 1, after + 1 + count))


def append(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add entries (dicts of `FIELDS`) at the end of the chain, in the caller's write
    transaction."""
    if not rows:
        return
    connection = session.connection()
    _lock(connection)
    head = connection.execute(
        select(AuditEventRecord.id, AuditEventRecord.entry_hash)
        .order_by(AuditEventRecord.id.desc())
        .limit(1)
    ).first()
    last_id, previous = (0, GENESIS) if head is None else (int(head[0]), str(head[1]))
    chained = []
    for entry_id, row in zip(_ids(connection, last_id, len(rows)), rows, strict=True):
        fields = {name: row[name] for name in FIELDS}
        # The stored JSON is what a later verify reads back: hash that, not the caller's object.
        fields["detail"] = orjson.loads(orjson.dumps(fields["detail"] or {}, option=_JSON))
        digest = entry_hash(previous, entry_id, fields)
        chained.append({**fields, "id": entry_id, "prev_hash": previous, "entry_hash": digest})
        previous = digest
    # The table, not the ORM class: the rows are complete, and the ORM's bulk path would only
    # add its bookkeeping (twice the time of a batch of read entries).
    session.execute(insert(_TABLE), chained)


class Flaw(StrEnum):
    ALTERED = "altered"
    MISSING = "missing"
    REORDERED = "reordered"
    UNANCHORED = "unanchored"


@dataclass(frozen=True)
class BadEntry:
    """The first entry where the chain breaks, and what is wrong with it."""

    id: int | None
    at: datetime | None
    flaw: Flaw
    message: str


@dataclass(frozen=True)
class ChainReport:
    """Either `bad` is None and the trail up to `head` is unbroken, or `bad` is the first flaw."""

    head: ChainHead
    bad: BadEntry | None

    @property
    def intact(self) -> bool:
        return self.bad is None


def head(connection: Connection) -> ChainHead:
    count = connection.scalar(select(func.count()).select_from(AuditEventRecord)) or 0
    last = connection.execute(
        select(AuditEventRecord.id, AuditEventRecord.entry_hash)
        .order_by(AuditEventRecord.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return ChainHead(0, None, GENESIS)
    return ChainHead(int(count), int(last[0]), str(last[1]))


def verify(connection: Connection, anchor: ChainHead | None = None) -> ChainReport:
    """Walk the whole trail in id order and recompute every link.

    `anchor`, a head recorded elsewhere (a backup's manifest), must still be in the trail with
    the same hash: without it, someone able to rewrite the database could rehash everything.
    """
    columns = [getattr(AuditEventRecord, name) for name in ("id", *FIELDS)]
    statement = select(*columns, AuditEventRecord.prev_hash, AuditEventRecord.entry_hash)
    expected, count, after = GENESIS, 0, None
    anchor_seen = anchor is None or anchor.last_id is None
    while True:
        page = statement.order_by(AuditEventRecord.id).limit(_BATCH)
        if after is not None:
            page = page.where(AuditEventRecord.id > after)
        rows = connection.execute(page).mappings().all()
        if not rows:
            break
        for row in rows:
            bad = _check(connection, row, expected, after)
            if bad is not None:
                return ChainReport(head(connection), bad)
            if anchor is not None and row["id"] == anchor.last_id:
                if row["entry_hash"] != anchor.last_hash:
                    return ChainReport(head(connection), _unanchored(row, "differs from"))
                anchor_seen = True
            expected, count, after = row["entry_hash"], count + 1, row["id"]
    report_head = ChainHead(count, after, expected)
    if not anchor_seen:
        assert anchor is not None
        message = (
            f"entry {anchor.last_id}, the head recorded in the backup, is not in the trail: "
            "entries were removed"
        )
        return ChainReport(report_head, BadEntry(anchor.last_id, None, Flaw.UNANCHORED, message))
    return ChainReport(report_head, None)


def _unanchored(row: Mapping[Any, Any], how: str) -> BadEntry:
    message = f"its hash {how} the one recorded in the backup: the trail was rewritten"
    return BadEntry(row["id"], row["at"], Flaw.UNANCHORED, message)


def _check(
    connection: Connection, row: Mapping[Any, Any], expected: str, previous_id: int | None
) -> BadEntry | None:
    entry_id, at = int(row["id"]), row["at"]
    prev_hash, stored = row["prev_hash"], row["entry_hash"]
    if prev_hash is None or stored is None:
        return BadEntry(entry_id, at, Flaw.ALTERED, "it carries no hash")
    if entry_hash(prev_hash, entry_id, row) != stored:
        message = "its contents do not match its hash: it was changed after it was written"
        return BadEntry(entry_id, at, Flaw.ALTERED, message)
    if prev_hash == expected:
        return None
    linked = connection.scalar(
        select(AuditEventRecord.id).where(AuditEventRecord.entry_hash == prev_hash).limit(1)
    )
    if linked is not None:
        message = (
            f"it was chained to entry {linked}, which does not stand before it: "
            "entries were moved or inserted"
        )
        return BadEntry(entry_id, at, Flaw.REORDERED, message)
    if previous_id is None:
        message = "it is the first entry, but was written after others: earlier entries are missing"
    else:
        message = (
            f"the entry it was chained to is gone: entry {previous_id} before it was rewritten, "
            "or entries between them were removed"
        )
    return BadEntry(entry_id, at, Flaw.MISSING, message)
