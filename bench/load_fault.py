"""Benchmark and fault test (issue 7): 50 clients save assessments for 60 s on SQLite; the
server is killed with SIGKILL halfway and restarted on the same database.

Run: .venv/bin/python bench/load_fault.py [--clients 50] [--seconds 60] [--kill-after 30]
Prints acknowledged saves, saves per second, connections lost to the kill, and checks that every
acknowledged save is stored whole (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scarplan.adapters.db import sqlite_url
from support import load


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-after", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = Path(temporary) / "data"
        url = sqlite_url(data_dir)
        outcome, assessments, lesions = load.run(
            url, data_dir, clients=args.clients, seconds=args.seconds, kill_after=args.kill_after
        )
        lost = load.missing(url, outcome.acknowledged)
        print(
            f"{args.clients} clients, {args.seconds:.0f} s, killed at {args.kill_after:.0f} s: "
            f"{len(outcome.acknowledged)} saves acknowledged "
            f"({len(outcome.acknowledged) / args.seconds:.0f}/s), {assessments} stored with "
            f"{lesions} lesions, {outcome.in_flight_lost} client attempts failed while the "
            "server was down, "
            f"{len(outcome.refused)} server errors, {len(lost)} acknowledged saves missing"
        )
        whole = lesions == assessments * len(load.LESIONS)
        return 0 if not lost and not outcome.refused and whole else 1


if __name__ == "__main__":
    sys.exit(main())
