"""Benchmark: routine build time, in-process (issue 5).

Run: .venv/bin/python bench/routine.py [--cases N]. Builds N routines for generated patients with
up to eight procedure dates, renders each to its JSON (calendar included) and checks one year of
days; prints the median and p95 per routine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from scarplan.domain.case import Assessment, Case, LesionGroup, Patient, Preferences
from scarplan.domain.vocabulary import AcneSeverity, Agent, Fitzpatrick, Modality, Region, ScarType
from scarplan.homecare.routine import ProcedureDate, build_routine
from scarplan.knowledge import load_knowledge_base
from scarplan.services.homecare import routine_json

START = date(2027, 1, 4)


def generated(rng: random.Random, number: int) -> tuple[Case, Fitzpatrick, list[ProcedureDate]]:
    fitzpatrick = rng.choice(list(Fitzpatrick))
    patient = Patient(
        id=f"R-{number}",
        age_years=rng.randint(14, 70),
        fitzpatrick=fitzpatrick,
        pregnant=rng.random() < 0.1,
        active_acne=rng.choice(list(AcneSeverity)),
        sensitive_skin=rng.random() < 0.3,
        current_agents=tuple(rng.sample(list(Agent), rng.randint(0, 3))),
    )
    case = Case(
        patient,
        Assessment(START, (LesionGroup(Region.CHEEK_LEFT, 5, ScarType.ICE_PICK),)),
        Preferences(start_date=START),
    )
    procedures = [
        ProcedureDate(START + timedelta(rng.randint(0, 200)), rng.choice(list(Modality)), 7)
        for _ in range(rng.randint(0, 8))
    ]
    return case, fitzpatrick, procedures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    knowledge = load_knowledge_base()
    rng = random.Random(5)
    inputs = [generated(rng, n) for n in range(args.cases)]
    times = []
    for case, fitzpatrick, procedures in inputs:
        start = time.perf_counter()
        routine = build_routine(case, fitzpatrick, procedures, knowledge, START)
        routine_json(routine)
        for offset in range(365):
            routine.applied_on(START + timedelta(offset))
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(
        f"routine: {args.cases} generated patients; median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms per routine "
        "(build + JSON + a year of daily look-ups)"
    )


if __name__ == "__main__":
    main()
