"""The shape of the export: tables of typed, described columns, the same for CSV and Parquet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Dates = Literal["shifted", "years"]
Kind = Literal["string", "int", "float", "bool", "date"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: list[Column]
    rows: list[list[Any]]


SUBJECT = Column("subject", "string", "the patient's pseudonymous id")
