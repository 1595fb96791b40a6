"""What a record keeps once de-identified: per-subject references, moved or year-only dates,
birth years with "90+", and an allow-list of procedure parameters (free text never goes out)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scarplan.services.clinic.exchange.research.model import Column, Dates, Kind
from scarplan.services.clinic.exchange.research.pseudonyms import Pseudonym

OLDEST_AGE = 89
"""Safe Harbor: ages over 89 are given only as the one category "90+"."""

# An allow-list, so a parameter added later stays out until someone decides it is safe to share.
# `agent` and `anaesthesia` are typed by hand: they go with the notes.
NUMERIC_PARAMETERS: dict[str, Kind] = {
    "tca_percent": "float",
    "punch_size_mm": "float",
    "needle_depth_mm": "float",
    "passes": "int",
    "energy_mj": "float",
    "fluence_j_cm2": "float",
    "density_percent": "float",
    "wavelength_nm": "int",
    "spot_size_mm": "float",
    "volume_ml": "float",
}


Keys = dict[int, Pseudonym]


@dataclass(frozen=True)
class Dating:
    """Dates as the export gives them. Both modes start from the same shifted date, and
    "years" keeps only its year: the real year beside a shifted date of the same subject (two
    exports under one salt) would bound the offset from both sides, a date near New Year to
    within days. Derived from the shifted date, the year tells nothing the shifted export
    does not."""

    mode: Dates

    def column(self, stem: str, description: str) -> Column:
        if self.mode == "years":
            return Column(
                f"{stem}_year", "int", f"{description}: the year only, after the subject's offset"
            )
        return Column(f"{stem}_on", "date", f"{description}, moved by the subject's offset")

    def value(self, day: date | None, who: Pseudonym) -> date | int | None:
        if day is None:
            return None
        moved = day + timedelta(days=who.shift_days)
        return moved.year if self.mode == "years" else moved


class Refs:
    """Per-subject references (S…-A1, S…-A2, in date order) in place of database ids, which
    count records across the clinic and would tie an export back to the source system."""

    def __init__(
        self, rows: Sequence[Any], when: Callable[[Any], Any], prefix: str, keys: Keys
    ) -> None:
        self.prefix = prefix
        self.numbers: dict[int, tuple[str, int]] = {}
        seen: dict[int, int] = defaultdict(int)
        for row in sorted(rows, key=lambda r: (r.patient_id, when(r), r.id)):
            seen[row.patient_id] += 1
            self.numbers[row.id] = (keys[row.patient_id].subject, seen[row.patient_id])

    def __getitem__(self, record_id: int) -> str:
        subject, number = self.numbers[record_id]
        return f"{subject}-{self.prefix}{number}"

    def order(self, record_id: int) -> tuple[str, int]:
        return self.numbers[record_id]


def birth_year(row: Any, today: date) -> str | None:
    if row.birth_date is not None:
        born: date = row.birth_date
        year = born.year
        age = today.year - year - ((today.month, today.day) < (born.month, born.day))
    elif row.intake.get("age_years") is not None:
        # Only an age was given: the year is estimated from when the intake was saved.
        year = row.updated_at.year - int(row.intake["age_years"])
        age = today.year - year
    else:
        return None
    return "90+" if age > OLDEST_AGE else str(year)
