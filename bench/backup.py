"""Benchmark: `scarplan backup` and `scarplan restore` (issue "No data lost").

Run: .venv/bin/python bench/backup.py [--patients 2000] [--photos 200] [--no-postgresql].
Builds an SQLite database of N patients (each with an assessment and an accepted plan, as
bench/web.py does) plus some clinical photos, then times a verified backup and a restore of it.
With PostgreSQL binaries installed (as `make test` installs them) it copies the same rows into a
throwaway PostgreSQL server and times pg_dump / pg_restore too. Prints size, seconds and MB/s.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from PIL import Image
from sqlalchemy import Engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scarplan.adapters.db import make_engine, sqlite_url, upgrade
from scarplan.adapters.db.backup import backup, restore
from scarplan.adapters.db.tables import Base, PhotoBlobRecord, PhotoRecord
from web import build_database  # bench/web.py also puts tests/ on sys.path for `support`

BATCH = 2000
MB = 1_000_000
Report = TypeVar("Report")


def photo() -> bytes:
    """About 60 KB: a JPEG of noise compresses as poorly as a close-up of skin."""
    out = io.BytesIO()
    Image.effect_noise((640, 480), 40).convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def add_photos(engine: Engine, patient_ids: list[int], count: int) -> None:
    data = photo()
    now = datetime(2026, 11, 21, 9, tzinfo=UTC)
    with engine.begin() as connection:
        for n in range(count):
            photo_id = connection.execute(
                insert(PhotoRecord).values(
                    patient_id=patient_ids[n % len(patient_ids)],
                    region="cheek_left",
                    angle="front",
                    taken_on=date(2026, 11, 20),
                    consent="clinical_record",
                    content_type="image/jpeg",
                    width_px=640,
                    height_px=480,
                    byte_size=len(data),
                    sha256="0" * 64,
                    created_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            connection.execute(insert(PhotoBlobRecord).values(photo_id=photo_id, data=data))


def copy_rows(source: Engine, target: Engine) -> None:
    """Every row of every table, parents first, then sequences past the highest ids."""
    with source.connect() as reading, target.begin() as writing:
        for table in Base.metadata.sorted_tables:
            result = reading.execute(select(table)).mappings()
            while rows := result.fetchmany(BATCH):
                writing.execute(insert(table), [dict(row) for row in rows])
            if "id" in table.columns:
                writing.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                    )
                )


def timed(what: str, database_bytes: int, file: Path, run: Callable[[], Report]) -> Report:
    started = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - started
    print(
        f"  {what}: {seconds:.2f} s, file {file.stat().st_size / MB:.1f} MB, "
        f"{database_bytes / MB / seconds:.0f} MB/s of database"
    )
    return report


def measure(name: str, url: str, file: Path, database_bytes: int) -> None:
    print(f"{name}: database {database_bytes / MB:.1f} MB")
    saved = timed("backup (verified)", database_bytes, file, lambda: backup(url, file))
    restored = timed("restore", database_bytes, file, lambda: restore(url, file))
    if restored.row_counts != saved.row_counts:
        raise RuntimeError(f"{name}: the restore does not match the backup")
    print(f"  {sum(saved.row_counts.values())} rows in {len(saved.row_counts)} tables, all back")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary, ExitStack() as stack:
        data_dir = Path(temporary)
        started = time.perf_counter()
        url = sqlite_url(data_dir)
        ids = build_database(data_dir, url, args.patients)
        engine = make_engine(url)
        add_photos(engine, [patient for patient, _ in ids], args.photos)
        engine.dispose()
        print(
            f"built {len(ids)} patients with an assessment and a plan, {args.photos} photos "
            f"in {time.perf_counter() - started:.1f} s"
        )
        database = data_dir / "scarplan.sqlite3"
        measure("SQLite", url, data_dir / "sqlite.backup", database.stat().st_size)
        if args.no_postgresql:
            return
        from support.postgres import temporary_postgres  # noqa: PLC0415

        pg_url = stack.enter_context(temporary_postgres(data_dir / "pg"))
        source, target = make_engine(url), make_engine(pg_url)
        upgrade(target)
        copy_rows(source, target)
        with target.connect() as connection:
            pg_bytes = int(connection.scalar(text("SELECT pg_database_size(current_database())")))
        source.dispose()
        target.dispose()
        measure("PostgreSQL", pg_url, data_dir / "postgresql.backup", pg_bytes)


if __name__ == "__main__":
    main()
