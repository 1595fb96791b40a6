"""Benchmark: cases per second for parse + classify + score, in-process (issue 3).

Run: .venv/bin/python bench/assess.py [--cases N]. Prints the median of 5 rounds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

import yaml

from scarplan.adapters.casefile import parse_case_text
from scarplan.assessment import assess_case
from scarplan.domain.vocabulary import Region, ScarType
from scarplan.knowledge import load_knowledge_base

TODAY = date(2026, 11, 21)


def generated_case(rng: random.Random, number: int) -> str:
    lesions = []
    for _ in range(rng.randint(1, 8)):
        lesion: dict[str, object] = {
            "region": rng.choice(list(Region)).value,
            "count": rng.randint(1, 30),
            "width_mm": round(rng.uniform(0.5, 8.0), 1),
            "depth_mm": round(rng.uniform(0.1, 2.0), 1),
            "edges": rng.choice(["sharp", "sloped"]),
        }
        if rng.random() < 0.5:
            lesion["type"] = rng.choice(
                [ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING]
            ).value
        lesions.append(lesion)
    case = {
        "scarplan_case": 1,
        "patient": {
            "id": f"B-{number}",
            "age_years": rng.randint(16, 70),
            "fitzpatrick_answers": [rng.randint(0, 4) for _ in range(10)],
        },
        "assessment": {"date": "2026-11-20", "lesions": lesions},
    }
    return yaml.safe_dump(case)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    knowledge = load_knowledge_base()
    rng = random.Random(7)
    texts = [generated_case(rng, n) for n in range(args.cases)]
    rates = []
    for _ in range(5):
        start = time.perf_counter()
        for text in texts:
            assess_case(parse_case_text(text, TODAY), knowledge)
        rates.append(args.cases / (time.perf_counter() - start))
    median = statistics.median(rates)
    print(
        f"assess: {args.cases} generated cases x 5 rounds; median {median:,.0f} cases/s "
        f"(parse + classify + score), {1000 / median:.3f} ms per case"
    )


if __name__ == "__main__":
    main()
