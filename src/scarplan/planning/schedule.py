"""Choose the courses and place every session on a day, with OR-Tools CP-SAT.

Days are integers counted from the plan's start. The model holds, as hard rules: the interval
range between sessions of one procedure, the order and healing gap between different procedures,
each procedure's earliest date (dated deferrals), at most one release, resurfacing and volume
course (focal techniques each treat their own lesion groups, so several may be in one plan).
Every gap comes from `planning.gaps`, the rule plan edits and the clinic calendar also use.
The patient's constraints are switched on by assumption literals so that, when they cannot
all hold, the solver names a subset that clashes: the budget, each avoid window, the horizon,
and treating each scar type present.

Every course has a price (the clinic's, else the upper end of the published estimate), and the
budget counts every course. Objectives, in order (each stage fixes the previous optimum): the
most valuable set of courses (recommendation scores), then the earliest last session, then the
lowest cost, then focal and release courses as early as possible. One worker and a fixed seed
make the result deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import combinations, pairwise

from ortools.sat.python import cp_model

from scarplan.domain.vocabulary import Modality, ScarType
from scarplan.knowledge.schema.modalities import PlanRole
from scarplan.knowledge.schema.rules import SequenceAnchor
from scarplan.planning.courses import CourseSpec
from scarplan.planning.gaps import GapRules

CENTS = Decimal(100)
EARLY_ROLES = frozenset({PlanRole.FOCAL, PlanRole.RELEASE})
"""Among equally short plans, deep and tethered scars are treated first; resurfacing then blends
(reference 5: TCA CROSS or punch, then resurfacing after healing; subcision first)."""
ONE_PER_PLAN = frozenset({PlanRole.RELEASE, PlanRole.RESURFACING, PlanRole.VOLUME})
SOLVER_SEED = 20261121
DETERMINISTIC_TIME_LIMIT = 20.0


@dataclass(frozen=True)
class Window:
    """Days (from the plan start, inclusive) when no session or its downtime may fall."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class ScheduleProblem:
    courses: Sequence[CourseSpec]
    earliest: Mapping[Modality, int]
    rules: GapRules
    """The one gap rule (planning.gaps) for the candidate courses."""
    avoid: Sequence[Window]
    budget_cents: int | None
    horizon_days: int
    cover: Mapping[ScarType, tuple[Modality, ...]]
    """Each scar type to treat, with the candidate courses that treat it."""


@dataclass(frozen=True)
class Solved:
    chosen: tuple[Modality, ...]
    days: Mapping[Modality, tuple[int, ...]]


@dataclass(frozen=True)
class Infeasible:
    """The named constraints clash (a sufficient subset, from the solver)."""

    clashing: tuple[str, ...]


@dataclass
class _Model:
    model: cp_model.CpModel
    selected: dict[Modality, cp_model.IntVar]
    days: dict[Modality, list[cp_model.IntVar]]
    end: cp_model.IntVar
    assumptions: dict[str, cp_model.IntVar] = field(default_factory=dict)
    deep_first: list[cp_model.IntVar] = field(default_factory=list)
    """First-session days of focal and release courses (0 when not chosen)."""


def cents(amount: Decimal) -> int:
    return int((amount * CENTS).to_integral_value())


def _build(problem: ScheduleProblem) -> _Model:
    model = cp_model.CpModel()
    far = 3 * problem.horizon_days + 365
    built = _Model(model, {}, {}, model.new_int_var(0, far, "end"))
    for course in problem.courses:
        built.selected[course.modality] = model.new_bool_var(f"x_{course.modality.value}")
    within = built.assumptions.setdefault("horizon", model.new_bool_var("horizon"))
    for course in problem.courses:
        _add_course(built, course, problem, far)
        last = built.days[course.modality][-1]
        model.add(last <= problem.horizon_days).only_enforce_if(
            [built.selected[course.modality], within]
        )
    for role_members in _by_role(problem.courses).values():
        model.add_at_most_one(built.selected[m] for m in role_members)
    _add_pairs(built, problem)
    _add_patient_constraints(built, problem)
    model.add_assumptions(list(built.assumptions.values()))
    return built


def _add_course(built: _Model, course: CourseSpec, problem: ScheduleProblem, far: int) -> None:
    """One course's sessions, their spacing, and its part in the end and ordering terms."""
    model, m, rules = built.model, course.modality, problem.rules
    x = built.selected[m]
    earliest = problem.earliest.get(m, 0)
    days = built.days[m] = [
        model.new_int_var(earliest, far, f"d_{m.value}_{k}") for k in range(course.sessions.value)
    ]
    gap, widened = rules.same(m), rules.same(m, alternating=True)
    partners = [
        built.selected[other]
        for other in built.selected
        if other != m and rules.turn(m, other) is not None
    ]
    for before, after in pairwise(days):
        model.add(after >= before + gap.min_days).only_enforce_if(x)
        if gap.max_days is None:
            continue
        model.add(after <= before + gap.max_days).only_enforce_if([x, *(~p for p in partners)])
        for partner in partners:
            model.add(after <= before + (widened.max_days or gap.max_days)).only_enforce_if(
                [x, partner]
            )
    model.add(built.end >= days[-1]).only_enforce_if(x)
    if course.role in EARLY_ROLES:
        first_day = model.new_int_var(0, far, f"first_{m.value}")
        model.add(first_day == days[0]).only_enforce_if(x)
        model.add(first_day == 0).only_enforce_if(~x)
        built.deep_first.append(first_day)


def _add_pairs(built: _Model, problem: ScheduleProblem) -> None:
    """Order rules and healing gaps between sessions of two different procedures."""
    model, days, rules = built.model, built.days, problem.rules
    for a, b in combinations(problem.courses, 2):
        both = [built.selected[a.modality], built.selected[b.modality]]
        earlier, later = (a, b) if rules.order(b.modality, a.modality) is None else (b, a)
        rule = rules.order(earlier.modality, later.modality)
        first_days, then_days = days[earlier.modality], days[later.modality]
        if rule is not None:
            gap = rules.between(earlier.modality, later.modality).min_days
            anchor = first_days[-1] if rule.after is SequenceAnchor.COURSE else first_days[0]
            model.add(then_days[0] >= anchor + gap).only_enforce_if(both)
            if rule.after is SequenceAnchor.COURSE:
                continue
            # Only the opening session must come first; the rest keep apart either way.
            pairs = [(d, e) for d in first_days[1:] for e in then_days]
            forward = rules.loose(earlier.modality, later.modality).min_days
        else:
            pairs = [(d, e) for d in first_days for e in then_days]
            forward = rules.between(earlier.modality, later.modality).min_days
        backward = rules.between(later.modality, earlier.modality).min_days
        for d, e in pairs:
            d_first = model.new_bool_var("")
            model.add(e >= d + forward).only_enforce_if([*both, d_first])
            model.add(d >= e + backward).only_enforce_if([*both, ~d_first])


def _add_patient_constraints(built: _Model, problem: ScheduleProblem) -> None:
    """Avoid windows, budget and scar types to treat, each behind an assumption literal."""
    model, selected = built.model, built.selected
    downtime = {course.modality: course.downtime.value for course in problem.courses}
    for index, window in enumerate(problem.avoid):
        free = built.assumptions.setdefault(f"avoid:{index}", model.new_bool_var(f"avoid{index}"))
        for m, session_days in built.days.items():
            for day in session_days:
                before = model.new_bool_var("")
                model.add(day + downtime[m] < window.start).only_enforce_if(
                    [selected[m], free, before]
                )
                model.add(day > window.end).only_enforce_if([selected[m], free, ~before])
    if problem.budget_cents is not None:
        within_budget = built.assumptions.setdefault("budget", model.new_bool_var("budget"))
        model.add(_cost(problem, selected) <= problem.budget_cents).only_enforce_if(within_budget)
    for scar_type, treating in problem.cover.items():
        treated = built.assumptions.setdefault(
            f"cover:{scar_type.value}", model.new_bool_var(f"cover_{scar_type.value}")
        )
        model.add(sum(selected[m] for m in treating) >= 1).only_enforce_if(treated)


def _by_role(courses: Sequence[CourseSpec]) -> dict[str, list[Modality]]:
    """Courses that compete for a role held once per plan (focal techniques do not compete:
    each treats its own lesion groups)."""
    roles: dict[str, list[Modality]] = {}
    for course in courses:
        if course.role in ONE_PER_PLAN:
            roles.setdefault(course.role.value, []).append(course.modality)
    return roles


def _cost(
    problem: ScheduleProblem, selected: Mapping[Modality, cp_model.IntVar]
) -> cp_model.LinearExpr:
    """The planned cost of the chosen courses, in cents: every course counts (a procedure is
    never free), each at its planned price per session times its sessions."""
    return cp_model.LinearExpr.weighted_sum(
        [selected[c.modality] for c in problem.courses],
        [course_cents(c) for c in problem.courses],
    )


def course_cents(course: CourseSpec) -> int:
    return cents(course.price.amount) * course.sessions.value


def _solver() -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SOLVER_SEED
    solver.parameters.max_deterministic_time = DETERMINISTIC_TIME_LIMIT
    return solver


def solve(problem: ScheduleProblem, cheapest: bool = False) -> Solved | Infeasible:
    """The best schedule, or the constraints that clash.

    `cheapest` asks only for the lowest cost that meets the constraints (to say how much budget
    a relaxation needs).
    """
    built = _build(problem)
    model, solver = built.model, _solver()
    value = sum(course.value * built.selected[course.modality] for course in problem.courses)
    stages: list[cp_model.LinearExprT] = (
        [_cost(problem, built.selected)]
        if cheapest
        else [
            -value,
            built.end,
            _cost(problem, built.selected),
            cp_model.LinearExpr.sum(built.deep_first),
        ]
    )
    status = cp_model.UNKNOWN
    for stage, objective in enumerate(stages):
        model.minimize(objective)
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE and stage == 0:
            return Infeasible(_clashing(built, solver))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(
                f"the plan solver stopped without an answer ({solver.status_name(status)})"
            )
        best = round(solver.objective_value)  # an integer model: the float is exact up to rounding
        _hint(built, solver)
        model.add(objective <= best)
    chosen = tuple(m for m, x in built.selected.items() if solver.boolean_value(x))
    return Solved(
        chosen,
        {m: tuple(solver.value(d) for d in built.days[m]) for m in chosen},
    )


def _hint(built: _Model, solver: cp_model.CpSolver) -> None:
    built.model.clear_hints()  # type: ignore[no-untyped-call]
    for m, x in built.selected.items():
        built.model.add_hint(x, solver.boolean_value(x))
        for day in built.days[m]:
            built.model.add_hint(day, solver.value(day))


def _clashing(built: _Model, solver: cp_model.CpSolver) -> tuple[str, ...]:
    """A minimal clashing set: the solver's sufficient subset, then each member dropped in
    turn while the rest still clash (so no constraint is named that relaxing would not help)."""
    names = {var.index: name for name, var in built.assumptions.items()}
    core = sorted(names[i] for i in solver.sufficient_assumptions_for_infeasibility())
    model = built.model
    model.clear_objective()  # type: ignore[no-untyped-call]
    for name in list(core):
        trial = [n for n in core if n != name]
        model.clear_assumptions()
        model.add_assumptions([built.assumptions[n] for n in trial])
        if _solver().solve(model) == cp_model.INFEASIBLE:
            core = trial
    return tuple(core)


def relaxed(problem: ScheduleProblem, drop: str, cheapest: bool = False) -> Solved | Infeasible:
    """Solve again without one patient constraint (to say what relaxing it would give)."""
    without = replace(
        problem,
        budget_cents=None if drop == "budget" else problem.budget_cents,
        avoid=[w for i, w in enumerate(problem.avoid) if drop != f"avoid:{i}"],
        cover={t: ms for t, ms in problem.cover.items() if drop != f"cover:{t.value}"},
        horizon_days=problem.horizon_days * (5 if drop == "horizon" else 1),
    )
    return solve(without, cheapest)
