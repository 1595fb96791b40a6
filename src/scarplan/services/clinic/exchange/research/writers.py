"""The files of an export: each table as CSV and Parquet, with manifest.json and README.txt,
published into place in one rename."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from scarplan.services.clinic.exchange.research.manifest import readme_text
from scarplan.services.clinic.exchange.research.model import Kind, Table

ARROW_TYPES: dict[Kind, Any] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
}


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c in table.columns])
        writer.writerows([_csv_text(v) for v in row] for row in table.rows)


def _write_parquet(table: Table, path: Path) -> None:
    schema = pa.schema(
        [
            pa.field(c.name, ARROW_TYPES[c.kind], metadata={"description": c.description})
            for c in table.columns
        ],
        metadata={"description": table.description},
    )
    columns = [[row[i] for row in table.rows] for i in range(len(table.columns))]
    pq.write_table(pa.Table.from_arrays(columns, schema=schema), path)


def publish(tables: list[Table], manifest: dict[str, Any], target: Path) -> list[str]:
    """Write everything into a scratch directory beside `target`, then rename it into place:
    a failed export leaves no half-written directory behind that could pass for a whole one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for table in tables:
            _write_csv(table, scratch / f"{table.name}.csv")
            _write_parquet(table, scratch / f"{table.name}.parquet")
        (scratch / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (scratch / "README.txt").write_text(readme_text(manifest), encoding="utf-8")
        os.replace(scratch, target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return sorted(p.name for p in target.iterdir())
