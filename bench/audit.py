"""Benchmark: writing the audit trail (issue 24: the hash chain must keep reads fast).

Run: .venv/bin/python bench/audit.py [--batch 200] [--rounds 30] [--changes 200]
[--trail 20000]. On an SQLite database that already holds a trail of --trail entries, times
the batched read-audit writer (one flush of --batch queued page views, as the web app's
background writer does every half second) and a change with its entry (a new patient: the
change path writes its entry in the change's transaction). Prints medians and p90, and the
time `verify_trail` takes over the whole trail when the code has it.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scarplan.adapters.db import upgrade
from scarplan.bootstrap import bootstrap
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import patients
from scarplan.settings import Settings


def _ms(timings: list[float]) -> str:
    ordered = sorted(timings)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p90 {p90 * 1000:.2f} ms"


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _reads(clinic: Clinic, actor: Actor, count: int, patient_id: int) -> None:
    for _ in range(count):
        clinic.audit.read(actor, "patient", patient_id, patient_id, {"page": "overview"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=200, help="page views per flush")
    parser.add_argument("--rounds", type=int, default=30, help="flushes timed")
    parser.add_argument("--changes", type=int, default=200, help="changes timed")
    parser.add_argument("--trail", type=int, default=20_000, help="entries written first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scarplan-bench-audit-") as work:
        now = datetime(2026, 12, 7, 9, tzinfo=UTC)
        container = bootstrap(Settings(data_dir=Path(work)), clock=lambda: now)
        upgrade(container.engine)
        clinic = container.clinic
        actor = users.create_user(clinic, "bench", "Bench User", "zebra glass harbour", "clinician")
        patient = patients.create_patient(
            clinic, actor, {"full_name": "Bench Patient", "patient": {"id": "B-0"}}
        )
        for _ in range(0, args.trail, 1000):
            _reads(clinic, actor, 1000, patient.id)
            clinic.audit.flush()

        flushes = []
        for _ in range(args.rounds):
            _reads(clinic, actor, args.batch, patient.id)
            flushes.append(_timed(clinic.audit.flush))

        def change(number: int) -> None:
            entry = {"full_name": f"Patient {number}", "patient": {"id": f"B-{number + 1}"}}
            patients.create_patient(clinic, actor, entry)

        changes = [_timed(functools.partial(change, n)) for n in range(args.changes)]
        print(f"read-audit flush of {args.batch} entries: {_ms(flushes)}")
        print(f"per read entry: {statistics.median(flushes) / args.batch * 1e6:.1f} us")
        print(f"a change with its entry (new patient): {_ms(changes)}")
        try:
            from scarplan.services.clinic.core.audit_verify import verify_trail  # noqa: PLC0415
        except ImportError:
            return
        started = time.perf_counter()
        report = verify_trail(clinic.uow)
        seconds = time.perf_counter() - started
        print(
            f"verify_trail over {report.head.entries} entries: {seconds:.2f} s "
            f"({'unbroken' if report.intact else report.bad})"
        )
        clinic.audit.close()
        container.engine.dispose()


if __name__ == "__main__":
    main()
