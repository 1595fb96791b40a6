"""A backup's manifest: `NAME.manifest.json` beside it, holding the audit trail's head.

The head recorded at backup time is the anchor of the hash chain: whoever can rewrite the
database can rehash the whole chain, but not the copies of its head kept with the backups.
A restore checks the restored trail against it; `scarplan audit verify --anchor` checks the live
trail still contains it unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from scarplan.adapters.db.audit_chain import GENESIS, ChainHead
from scarplan.adapters.db.backup.files import fsync, temporary_beside
from scarplan.adapters.db.backup.problems import problem
from scarplan.domain.errors import InputError
from scarplan.domain.json_text import load_json

SUFFIX = ".manifest.json"
FORMAT = 1
_HEAD_QUERY = "SELECT count(*), max(id) FROM audit_events"
_HASH_QUERY = "SELECT entry_hash FROM audit_events WHERE id = {}"
_PG_COLUMN = (
    "SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' "
    "AND table_name = 'audit_events' AND column_name = 'entry_hash'"
)


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + SUFFIX)


def write_manifest(
    backup: Path, revision: str, counts: dict[str, int], head: ChainHead | None
) -> Path:
    """Written beside the backup in one rename, after the backup itself is in place."""
    target = manifest_path(backup)
    document: dict[str, Any] = {
        "scarplan_backup": FORMAT,
        "file": backup.name,
        "revision": revision,
        "row_counts": counts,
        "audit_head": None if head is None else _head_document(head),
    }
    with temporary_beside(target) as temporary:
        temporary.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        fsync(temporary)
        os.replace(temporary, target)
    return target


def _head_document(head: ChainHead) -> dict[str, Any]:
    return {"entries": head.entries, "last_id": head.last_id, "last_hash": head.last_hash}


def read_anchor(path: Path) -> ChainHead:
    """The audit head in a manifest; `path` is the manifest or the backup beside it."""
    head = manifest_anchor(path)
    if head is None:
        manifest = _manifest(path)
        message = "holds no audit head: the backup's schema predates the hash chain"
        raise problem(str(manifest), message, "give a backup made by this version or later")
    return head


def _manifest(path: Path) -> Path:
    path = path.expanduser().absolute()
    return path if path.name.endswith(SUFFIX) else manifest_path(path)


def manifest_anchor(path: Path) -> ChainHead | None:
    """Like `read_anchor`, but None for a backup made before the hash chain."""
    manifest = _manifest(path)
    fix = f"give a backup written by `scarplan backup`, or its {SUFFIX} file"
    try:
        text = manifest.read_bytes()
    except OSError as error:
        raise problem(str(manifest), f"cannot be read ({error.strerror})", fix) from None
    try:
        document = load_json(text, path=str(manifest), what="backup manifest", hint=fix)
    except InputError as error:
        where = error.problems[0].message if error.problems else error.message
        raise problem(str(manifest), f"is not a backup manifest ({where})", fix) from None
    if not isinstance(document, dict) or document.get("scarplan_backup") != FORMAT:
        raise problem(str(manifest), "is not a backup manifest", fix)
    head = document.get("audit_head")
    if head is None:
        return None
    if not isinstance(head, dict) or not {"entries", "last_id", "last_hash"} <= head.keys():
        raise problem(str(manifest), "has a malformed audit head", fix)
    entries, last_id, last_hash = head["entries"], head["last_id"], head["last_hash"]
    valid = (
        isinstance(entries, int)
        and (last_id is None or isinstance(last_id, int))
        and isinstance(last_hash, str)
        and len(last_hash) == len(GENESIS)
    )
    if not valid:
        raise problem(str(manifest), "has a malformed audit head", fix)
    return ChainHead(entries, last_id, last_hash)


def sqlite_head(connection: Any) -> ChainHead | None:
    """The head in a database opened with the sqlite3 module; None before the hash chain."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(audit_events)")}
    return _head(connection) if "entry_hash" in columns else None


def postgres_head(connection: Any) -> ChainHead | None:
    """The head in a database opened with psycopg; None before the hash chain."""
    chained = connection.execute(_PG_COLUMN).fetchone()
    return _head(connection) if chained is not None else None


def _head(connection: Any) -> ChainHead:
    entries, last_id = connection.execute(_HEAD_QUERY).fetchone()
    if last_id is None:
        return ChainHead(0, None, GENESIS)
    (last_hash,) = connection.execute(_HASH_QUERY.format(int(last_id))).fetchone()
    return ChainHead(int(entries), int(last_id), str(last_hash))
