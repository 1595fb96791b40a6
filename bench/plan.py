"""Benchmark: plan time per case, in-process (issue 4).

Run: .venv/bin/python bench/plan.py [--cases N]. Plans N generated cases (assessment, eligibility,
recommendation, CP-SAT selection and schedule) and prints the median and p95 per case; then
solves one schedule of 40 sessions (four courses of ten) around two avoid windows.
Target: median under 50 ms per case.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from scarplan.domain.case import (
    Assessment,
    Case,
    DateWindow,
    IsotretinoinHistory,
    LesionGroup,
    Money,
    Patient,
    Preferences,
)
from scarplan.domain.errors import InfeasibleError
from scarplan.domain.vocabulary import (
    AcneSeverity,
    Fitzpatrick,
    IsotretinoinStatus,
    Modality,
    Region,
    ScarType,
)
from scarplan.knowledge import KnowledgeBase, load_knowledge_base
from scarplan.planning.conventions import Figure
from scarplan.planning.schedule import ScheduleProblem, Solved, Window, solve
from scarplan.services.planning import plan_case, plan_document
from scarplan.settings import Settings

TODAY = date(2026, 11, 21)
ATROPHIC = [ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING]
SETTINGS = Settings(prices={Modality.TCA_CROSS: 250, Modality.SUBCISION: 400})


def generated_case(rng: random.Random, number: int) -> Case:
    lesions = tuple(
        LesionGroup(rng.choice(list(Region)), rng.randint(1, 30), rng.choice(ATROPHIC))
        for _ in range(rng.randint(1, 6))
    )
    stopped = TODAY - timedelta(days=rng.randint(20, 400))
    patient = Patient(
        id=f"B-{number}",
        age_years=rng.randint(16, 70),
        fitzpatrick=rng.choice(list(Fitzpatrick)),
        herpes_labialis_history=rng.random() < 0.2,
        anticoagulants=rng.random() < 0.1,
        keloid_history=rng.random() < 0.1,
        pregnant=rng.random() < 0.05,
        active_acne=rng.choices(
            [AcneSeverity.NONE, AcneSeverity.MILD, AcneSeverity.MODERATE], [6, 3, 1]
        )[0],
        isotretinoin=rng.choice(
            [IsotretinoinHistory(), IsotretinoinHistory(IsotretinoinStatus.STOPPED, stopped)]
        ),
    )
    start = TODAY + timedelta(days=rng.randint(0, 60))
    avoid = tuple(
        DateWindow(start + timedelta(days=d), start + timedelta(days=d + rng.randint(1, 20)))
        for d in rng.sample(range(10, 200), rng.randint(0, 2))
    )
    budget = rng.choice([None, 2000, 4000, 8000])
    preferences = Preferences(
        start_date=start,
        budget=Money(Decimal(budget), "USD") if budget else None,
        max_downtime_days=rng.choice([None, 3, 7, 14]),
        avoid=avoid,
    )
    return Case(patient, Assessment(TODAY, lesions), preferences)


def forty_sessions(knowledge: KnowledgeBase) -> ScheduleProblem:
    case = Case(
        Patient(id="B-40", age_years=30, fitzpatrick=Fitzpatrick.II),
        Assessment(
            TODAY,
            (
                LesionGroup(Region.CHEEK_LEFT, 20, ScarType.ICE_PICK),
                LesionGroup(Region.CHEEK_RIGHT, 10, ScarType.BOXCAR),
                LesionGroup(Region.JAW_LEFT, 10, ScarType.ROLLING),
            ),
        ),
        Preferences(start_date=TODAY),
    )
    plan = plan_case(case, knowledge, SETTINGS, TODAY)
    courses = [
        replace(course.spec, sessions=Figure(10, "benchmark: ten sessions"))
        for course in plan.courses
    ]
    return ScheduleProblem(
        courses=courses,
        earliest={},
        rules=plan_document(plan).gap_rules(14),
        avoid=[Window(100, 120, "away"), Window(300, 330, "away")],
        budget_cents=None,
        horizon_days=5 * 365,
        cover={},
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    knowledge = load_knowledge_base()
    rng = random.Random(11)
    cases = [generated_case(rng, n) for n in range(args.cases)]
    times, infeasible, sessions = [], 0, 0
    for case in cases:
        start = time.perf_counter()
        try:
            sessions += len(plan_case(case, knowledge, SETTINGS, TODAY).sessions)
        except InfeasibleError:
            infeasible += 1
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"plan: {args.cases} generated cases; median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms per case; "
        f"{sessions / args.cases:.1f} sessions per plan on average, {infeasible} infeasible"
    )
    problem = forty_sessions(knowledge)
    rounds = []
    for _ in range(3):
        start = time.perf_counter()
        result = solve(problem)
        rounds.append((time.perf_counter() - start) * 1000)
    assert isinstance(result, Solved)
    count = sum(len(days) for days in result.days.values())
    print(f"plan: one schedule of {count} sessions; median {statistics.median(rounds):.0f} ms")


if __name__ == "__main__":
    main()
