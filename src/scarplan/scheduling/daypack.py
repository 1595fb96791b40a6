"""One day's sessions packed exactly: CP-SAT with interval variables.

Each session gets a start within the windows of the practitioner it takes, one optional
interval per practitioner, device and room it may use, and no overlap on any of them nor for
the patient. The objective books as many of the day's sessions as fit. Rooms stay in the model
even when they cannot be the limit: their no-overlap constraints make the search markedly
faster on the benchmark's days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scarplan.scheduling.jobs import Access, Prepared


@dataclass(frozen=True)
class Timed:
    job: int
    day: int
    start: int
    """Slot of the day."""
    practitioner: str
    device: str | None
    room: str


class _DayPacking:
    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.model = cp_model.CpModel()
        self.present: dict[int, cp_model.IntVar] = {}
        self.starts: dict[int, cp_model.IntVar] = {}
        self.choices: dict[int, list[tuple[str, str, cp_model.IntVar]]] = {}
        self.on: dict[tuple[str, str], list[cp_model.IntervalVar]] = {}

    def add(self, j: int, k: int) -> None:
        model, job = self.model, self.prepared.jobs[j]
        placement = self.prepared.options[j][k].placement
        spans = [[lo, hi - job.slots] for _, ws in placement.practitioners for lo, hi in ws]
        start = self.starts[j] = model.new_int_var_from_domain(
            cp_model.Domain.from_intervals(spans), f"s{j}"
        )
        is_in = self.present[j] = model.new_bool_var(f"in{j}")
        self.choices[j] = []
        for kind, access in (
            ("p", placement.practitioners),
            ("d", placement.devices),
            ("r", placement.rooms),
        ):
            if access:
                self._alternatives(j, kind, access)
        own = model.new_optional_fixed_size_interval_var(start, job.slots, is_in, "")
        self.on.setdefault(("patient", str(job.patient_index)), []).append(own)

    def _alternatives(self, j: int, kind: str, access: Access) -> None:
        """Exactly one of the resources in `access` while the session is booked."""
        model, slots, start = self.model, self.prepared.jobs[j].slots, self.starts[j]
        literals = []
        for resource, windows in access:
            literal = model.new_bool_var(f"{kind}{j}_{resource}")
            interval = model.new_optional_fixed_size_interval_var(start, slots, literal, "")
            self.on.setdefault((kind, resource), []).append(interval)
            if kind == "p":
                allowed = cp_model.Domain.from_intervals([[lo, hi - slots] for lo, hi in windows])
                model.add_linear_expression_in_domain(start, allowed).only_enforce_if(literal)
            self.choices[j].append((kind, resource, literal))
            literals.append(literal)
        model.add(sum(literals) == self.present[j])

    def pin(self, j: int, fixed: Timed) -> None:
        self.model.add(self.present[j] == 1)
        self.model.add(self.starts[j] == fixed.start)
        wanted = {"p": fixed.practitioner, "r": fixed.room, "d": fixed.device}
        for kind, resource, literal in self.choices[j]:
            self.model.add(literal == int(resource == wanted[kind]))

    def finish(self, start_from: Mapping[int, Timed]) -> None:
        jobs, model = self.prepared.jobs, self.model
        for j, is_in in self.present.items():
            before = jobs[j].previous
            if before is not None and before in self.present:
                model.add_implication(is_in, self.present[before])
                after_end = self.starts[before] + jobs[before].slots
                model.add(self.starts[j] >= after_end).only_enforce_if(is_in)
        for intervals in self.on.values():
            model.add_no_overlap(intervals)
        model.maximize(sum(self.present.values()))
        for j, is_in in self.present.items():
            hinted = start_from.get(j)
            model.add_hint(is_in, hinted is not None)
            if hinted is not None:
                model.add_hint(self.starts[j], hinted.start)

    def read(self, solver: cp_model.CpSolver, day: int) -> dict[int, Timed]:
        packed = {}
        for j, is_in in self.present.items():
            if solver.boolean_value(is_in):
                chosen = {kind: r for kind, r, lit in self.choices[j] if solver.boolean_value(lit)}
                start = solver.value(self.starts[j])
                packed[j] = Timed(j, day, start, chosen["p"], chosen.get("d"), chosen["r"])
        return packed


def pack_exactly(
    prepared: Prepared,
    day: int,
    entries: Sequence[tuple[int, int]],
    pinned: Mapping[int, Timed],
    start_from: Mapping[int, Timed],
    *,
    seed: int,
    seconds: float,
) -> tuple[dict[int, Timed] | None, bool]:
    """As many of the day's sessions as fit (None if the solver found nothing in time), and
    whether that many is proven to be the most."""
    packing = _DayPacking(prepared)
    for j, k in entries:
        packing.add(j, k)
    for j, fixed in pinned.items():
        packing.pin(j, fixed)
    packing.finish(start_from)
    solver = cp_model.CpSolver()
    # One core-based worker per day: far quicker here than the default portfolio, and days
    # run side by side (repair.py).
    solver.parameters.num_workers = 1
    solver.parameters.optimize_with_core = True
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    status = solver.solve(packing.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    return packing.read(solver, day), status == cp_model.OPTIMAL
