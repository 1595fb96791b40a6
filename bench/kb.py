"""Benchmark: loading and fully checking the knowledge base (start-up cost of every command).

Run: .venv/bin/python bench/kb.py. Prints the median of 7 loads.
"""

from __future__ import annotations

import statistics
import time

from scarplan.knowledge import load_knowledge_base


def main() -> None:
    times = []
    for _ in range(7):
        start = time.perf_counter()
        knowledge = load_knowledge_base()
        times.append(time.perf_counter() - start)
    print(
        f"kb: load + validate + citation checks of {len(knowledge.sources)} sources, "
        f"{len(knowledge.modalities)} procedures: median {statistics.median(times) * 1000:.0f} ms "
        f"(7 loads)"
    )


if __name__ == "__main__":
    main()
