"""Benchmark: the clinic scheduler against a greedy baseline (issue 9).

Run: .venv/bin/python bench/schedule.py [--sizes 100 500 2000] [--time-limit 60] [--workers 2]
     [--seeds 1]

For each size, generates a realistic instance (generated cases -> the real planner -> session
requests; six months, three practitioners, one CO2 laser, one RF device, four rooms), solves it,
and books it with two greedy baselines that keep every hard constraint:

- greedy: sessions in ideal-date order, each at its earliest feasible slot (the first its
  earliest date and its interval from the previous session allow) - the issue's baseline;
- greedy@ideal: the same, searching from the ideal date onwards (what a front desk does).

The independent checker (`scarplan.scheduling.checker`) must accept every schedule. Prints solve
time, sessions booked, total deviation from the ideal dates, the solver's bounds and gaps, and
the deviation saved against each baseline.

Targets (500 patients): solved within the time limit (60 s, 2 workers) to within 5 % of the
proven deviation bound, with at least 25 % less total deviation than greedy. Exits 1 when a
target or the checker fails.
"""

from __future__ import annotations

import argparse
import heapq
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase, load_knowledge_base
from scarplan.scheduling.checker import check
from scarplan.scheduling.defaults import (
    device_kind,
    device_procedures,
    room_accepts,
    session_minutes,
)
from scarplan.scheduling.model import (
    WEEKDAYS,
    Assignment,
    Bound,
    Device,
    Instance,
    Objective,
    PatientRequest,
    Practitioner,
    Room,
    ScheduleResult,
    SessionRequest,
    Stats,
    TimeRange,
    Unscheduled,
    clock_time,
    minute_of_day,
)
from scarplan.scheduling.solver import solve
from scarplan.services.scheduling import generate_instance
from scarplan.settings import Settings

START = date(2027, 1, 4)
SEED = 20270104
SETTINGS = Settings(prices={Modality.TCA_CROSS: 250, Modality.SUBCISION: 400})
TARGET_SIZE = 500
TARGET_GAP = 0.05
TARGET_SAVING = 0.25


def _mask(ranges: list[TimeRange], slot: int) -> int:
    mask = 0
    for r in ranges:
        low, high = r.minutes
        mask |= ((1 << (high - low) // slot) - 1) << (low // slot)
    return mask


def _earliest_run(free: int, slots: int, after: int) -> int | None:
    """Lowest start >= `after` of `slots` consecutive set bits of `free`."""
    runs = free >> after << after
    for shift in range(1, slots):
        runs &= free >> shift
    return (runs & -runs).bit_length() - 1 if runs else None


@dataclass
class _Board:
    busy: dict[tuple[str, date], int] = field(default_factory=dict)

    def free(self, owner: str, day: date) -> int:
        return ~self.busy.get((owner, day), 0)

    def book(self, owner: str, day: date, start: int, slots: int) -> None:
        self.busy[(owner, day)] = self.busy.get((owner, day), 0) | (((1 << slots) - 1) << start)


@dataclass(frozen=True)
class _Need:
    slots: int
    practitioners: list[Practitioner]
    devices: list[Device | None]
    rooms: list[Room]


def _need(instance: Instance, knowledge: KnowledgeBase, session: SessionRequest) -> _Need:
    resources, procedure = instance.resources, session.procedure
    devices: list[Device | None] = [None]
    if device_kind(procedure, knowledge) is not None:
        devices = [d for d in resources.devices if procedure in device_procedures(d, knowledge)]
    return _Need(
        session_minutes(session, instance, knowledge) // instance.slot_minutes,
        [p for p in resources.practitioners if procedure in p.procedures],
        devices,
        [r for r in resources.rooms if room_accepts(r, procedure)],
    )


def _slot_on(
    board: _Board, day: date, need: _Need, patient_free: int, after: int, slot: int
) -> tuple[int, str, str | None, str] | None:
    """The earliest start on `day` with a practitioner, device and room all free."""
    best: tuple[int, str, str | None, str] | None = None
    weekday = WEEKDAYS[day.weekday()]
    for practitioner in need.practitioners:
        if day in practitioner.days_off or weekday not in practitioner.hours:
            continue
        base = patient_free & board.free(practitioner.id, day)
        for working in practitioner.hours[weekday]:
            free = base & _mask([working], slot)
            for device in need.devices:
                if device is not None and day in device.days_off:
                    continue
                with_device = free & board.free(device.id, day) if device else free
                for room in need.rooms:
                    if day in room.days_off:
                        continue
                    start = _earliest_run(with_device & board.free(room.id, day), need.slots, after)
                    if start is not None and (best is None or start < best[0]):
                        best = (start, practitioner.id, device.id if device else None, room.id)
    return best


def _place(
    instance: Instance,
    knowledge: KnowledgeBase,
    board: _Board,
    patient: PatientRequest,
    session: SessionRequest,
    previous: Assignment | None,
    from_ideal: bool,
) -> Assignment | None:
    slot, need = instance.slot_minutes, _need(instance, knowledge, session)
    day = max(instance.horizon.start, session.earliest or instance.horizon.start)
    last = instance.end
    if previous is not None:
        day = max(day, previous.date + timedelta(session.min_days_after_previous or 0))
        if session.max_days_after_previous is not None:
            last = min(last, previous.date + timedelta(session.max_days_after_previous))
    if from_ideal and session.ideal is not None:
        day = max(day, min(session.ideal, last))
    availability = patient.availability
    hours = _mask(availability.hours, slot)
    while day <= last:
        away = any(day in span for span in availability.unavailable)
        if WEEKDAYS[day.weekday()] in availability.weekdays and not away:
            after = 0
            if previous is not None and previous.date == day:
                after = minute_of_day(previous.end) // slot
            free = hours & board.free(patient.id, day)
            found = _slot_on(board, day, need, free, after, slot)
            if found is not None:
                start, practitioner, device, room = found
                for owner in (practitioner, room, patient.id, *([device] if device else [])):
                    board.book(owner, day, start, need.slots)
                return Assignment(
                    session=session.id,
                    patient=patient.id,
                    date=day,
                    start=clock_time(start * slot),
                    end=clock_time((start + need.slots) * slot),
                    practitioner=practitioner,
                    device=device,
                    room=room,
                )
        day += timedelta(1)
    return None


def greedy(instance: Instance, knowledge: KnowledgeBase, *, from_ideal: bool) -> ScheduleResult:
    """Sessions in ideal-date order, each at its earliest feasible slot (searching from its
    ideal date with `from_ideal`); the sessions after one left out are left out too."""
    began = time.perf_counter()
    board = _Board()
    queue: list[tuple[date, str, int]] = []
    patients = {p.id: p for p in instance.patients}
    for patient in instance.patients:
        first = patient.sessions[0]
        heapq.heappush(queue, (first.ideal or first.earliest or START, patient.id, 0))
    booked: dict[str, Assignment] = {}
    left: list[Unscheduled] = []
    while queue:
        _, patient_id, index = heapq.heappop(queue)
        patient = patients[patient_id]
        session = patient.sessions[index]
        previous = booked.get(patient.sessions[index - 1].id) if index else None
        found = _place(instance, knowledge, board, patient, session, previous, from_ideal)
        if found is None:
            left.extend(
                Unscheduled(session=s.id, patient=patient.id, code="no_capacity", reason="greedy")
                for s in patient.sessions[index:]
            )
            continue
        booked[session.id] = found
        if index + 1 < len(patient.sessions):
            later = patient.sessions[index + 1]
            heapq.heappush(queue, (later.ideal or found.date, patient.id, index + 1))
    return _result(instance, booked, left, time.perf_counter() - began)


def _result(
    instance: Instance, booked: dict[str, Assignment], left: list[Unscheduled], seconds: float
) -> ScheduleResult:
    assignments = sorted(booked.values(), key=lambda a: (a.date, a.start, a.session))
    ideals = {s.id: s.ideal for p in instance.patients for s in p.sessions}
    deviation = sum(abs((a.date - i).days) for a in assignments if (i := ideals[a.session]))
    return ScheduleResult(
        status="feasible",
        assignments=assignments,
        unscheduled=left,
        objective=Objective(
            scheduled=len(assignments), deviation_days=deviation, peak_utilisation_pct=0
        ),
        bound=Bound(scheduled=None, deviation_days=None, peak_utilisation_pct=None),
        stats=Stats(
            sessions=len(ideals),
            scheduled=len(assignments),
            unscheduled=len(left),
            deviation_days=deviation,
            solve_seconds=seconds,
            phases=[],
            day_repairs=0,
            method="whole",
            search_steps=0,
        ),
    )


@dataclass(frozen=True)
class Row:
    size: int
    sessions: int
    seconds: float
    scheduled: int
    scheduled_bound: int | None
    deviation: int
    deviation_bound: int | None
    greedy: ScheduleResult
    at_ideal: ScheduleResult
    violations: int

    @property
    def gap(self) -> float | None:
        if self.deviation_bound is None:
            return None
        return (self.deviation - self.deviation_bound) / max(self.deviation, 1)

    @property
    def saving(self) -> float:
        return 1 - self.deviation / max(self.greedy.objective.deviation_days, 1)


def _measure(
    size: int, seed: int, knowledge: KnowledgeBase, time_limit: float, workers: int
) -> Row:
    instance = generate_instance(size, seed, knowledge, SETTINGS, START)
    began = time.perf_counter()
    result = solve(instance, knowledge, time_limit_s=time_limit, workers=workers)
    seconds = time.perf_counter() - began
    baselines = [greedy(instance, knowledge, from_ideal=flag) for flag in (False, True)]
    violations = sum(len(check(instance, r, knowledge)) for r in (result, *baselines))
    return Row(
        size,
        result.stats.sessions,
        seconds,
        result.objective.scheduled,
        result.bound.scheduled,
        result.objective.deviation_days,
        result.bound.deviation_days,
        baselines[0],
        baselines[1],
        violations,
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _report(size: int, seed: int, row: Row, time_limit: float) -> list[str]:
    g, i = row.greedy.objective, row.at_ideal.objective
    at_ideal_saving = 1 - row.deviation / max(i.deviation_days, 1)
    print(
        f"{size:>8} {seed:>5} {row.sessions:>8} {row.seconds:>7.1f} "
        f"{row.scheduled:>6}/{row.scheduled_bound!s:<6} {row.deviation:>10} "
        f"{row.deviation_bound!s:>7} {_percent(row.gap):>7} | "
        f"{g.scheduled:>6} {g.deviation_days:>6} {_percent(row.saving):>7} | "
        f"{i.scheduled:>6} {i.deviation_days:>6} {_percent(at_ideal_saving):>7} | "
        f"{'ok' if not row.violations else f'{row.violations} violations'}",
        flush=True,
    )
    failures = []
    if row.violations:
        failures.append(f"{size}/{seed}: the checker found {row.violations} violations")
    if size == TARGET_SIZE:
        if row.seconds > time_limit:
            failures.append(f"{size}/{seed}: {row.seconds:.1f} s over the {time_limit} s limit")
        if row.gap is None or row.gap > TARGET_GAP:
            failures.append(f"{size}/{seed}: gap {_percent(row.gap)} above {_percent(TARGET_GAP)}")
        if row.saving < TARGET_SAVING or row.scheduled < g.scheduled:
            failures.append(f"{size}/{seed}: saved {_percent(row.saving)} against greedy")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--time-limit", type=float, default=Settings().schedule_time_limit_s)
    parser.add_argument("--workers", type=int, default=Settings().schedule_workers)
    parser.add_argument(
        "--seeds", type=int, default=1, help="instances per size (seeds SEED+size, +1, ...)"
    )
    args = parser.parse_args()
    knowledge = load_knowledge_base()
    header = (
        f"{'patients':>8} {'seed':>5} {'sessions':>8} {'time s':>7} {'booked':>13} "
        f"{'deviation':>10} {'bound':>7} {'gap':>7} | {'greedy':>13} {'saved':>7} | "
        f"{'@ideal':>13} {'saved':>7} | checker"
    )
    print(header)
    failures: list[str] = []
    for size in args.sizes:
        for seed in range(SEED + size, SEED + size + args.seeds):
            failures += _report(
                size,
                seed,
                _measure(size, seed, knowledge, args.time_limit, args.workers),
                args.time_limit,
            )
    print("booked: sessions booked / proven upper bound; gap: (deviation - bound) / deviation")
    for failure in failures:
        print(f"FAIL {failure}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
