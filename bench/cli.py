"""Benchmark: whole-process start-up of the CLI (issue 23 asks < 0.3 s for --version and --help,
< 1 s for `scarplan assess` on the reference machine).

Run: .venv/bin/python bench/cli.py. Prints the median wall time of 7 runs of each command. For
peak memory use `/usr/bin/time -f %M .venv/bin/scarplan --version` (a child's ru_maxrss on Linux
keeps the parent's high-water mark, so it cannot be measured from here).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 7
SCARPLAN = [sys.executable, "-m", "scarplan.entrypoints.cli.app"]
CASE = Path(__file__).resolve().parents[1] / "examples" / "mixed.yaml"


def median_seconds(args: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([*SCARPLAN, *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    for label, args in (
        ("--version", ["--version"]),
        ("--help", ["--help"]),
        ("assess", ["assess", str(CASE)]),
        ("plan", ["plan", str(CASE)]),
    ):
        print(f"cli {label}: median {median_seconds(args) * 1000:.0f} ms ({RUNS} runs)")


if __name__ == "__main__":
    main()
