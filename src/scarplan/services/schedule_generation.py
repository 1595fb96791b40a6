"""Realistic scheduling instances from generated cases and the real planner.

Each patient is a random but plausible case (scar mix, skin type, history, start date, dates to
avoid); the planner plans it, and the plan's sessions become the patient's session requests:
ideal = the planned day, earliest = the plan's start, and each later session's minimum and
maximum days after the one before come from the plan. The clinic is a standard one (three
practitioners of whom two do punch techniques, one CO2 laser, one RF device, four rooms) over
six months. Plans that are empty or infeasible are skipped; sessions of procedures the clinic
has no device for are left out (such a clinic would refer them).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
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
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.plan import Plan
from scarplan.scheduling.model import (
    Availability,
    DateRange,
    Device,
    Horizon,
    Instance,
    PatientRequest,
    Practitioner,
    Resources,
    Room,
    SessionRequest,
    TimeRange,
)
from scarplan.services.plan_gaps import gap_limits
from scarplan.services.planning import plan_case, plan_document
from scarplan.settings import Settings

HORIZON_DAYS = 182
FIRST_START_DAYS = -28
LAST_START_DAYS = 98
"""Plans start from four weeks before the horizon to fourteen weeks into it: the clinic is
already running (sessions before the horizon count as done) and new patients keep coming."""
SAME_COURSE_SLACK_DAYS = 14
"""Latest next session of a course without a published maximum interval: minimum plus this."""
OTHER_COURSE_SLACK_DAYS = 28
MAX_ATTEMPTS_PER_PATIENT = 5
ATROPHIC = (ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING)
PUNCH = (Modality.PUNCH_EXCISION, Modality.PUNCH_ELEVATION, Modality.PUNCH_GRAFTING)
WEEKDAYS_ONLY = ["mon", "tue", "wed", "thu", "fri"]


def _hours(start: str, end: str) -> list[TimeRange]:
    return [TimeRange(start=start, end=end)]


def standard_resources(start: date, rng: random.Random) -> Resources:
    """Three practitioners (two do punch techniques; one works Saturday mornings), one CO2
    laser, one RF device, four rooms; each practitioner takes one or two weeks off."""
    everything = [m for m in Modality if m not in PUNCH]
    day = [TimeRange(start="09:00", end="13:00"), TimeRange(start="14:00", end="18:00")]
    weeks = {
        "dr-a": dict.fromkeys(WEEKDAYS_ONLY, day),
        "dr-b": {
            **{d: _hours("08:30", "16:30") for d in WEEKDAYS_ONLY[:4]},
            "sat": _hours("09:00", "13:00"),
        },
        "dr-c": {d: _hours("10:00", "18:00") for d in WEEKDAYS_ONLY[1:]},
    }
    practitioners = []
    for pid, hours in weeks.items():
        procedures = everything if pid == "dr-c" else [*everything, *PUNCH]
        off_start = start + timedelta(rng.randrange(14, HORIZON_DAYS - 21))
        days_off = [off_start + timedelta(d) for d in range(rng.choice([7, 14]))]
        practitioners.append(
            Practitioner(id=pid, procedures=procedures, hours=hours, days_off=days_off)
        )
    return Resources(
        practitioners=practitioners,
        devices=[Device(id="co2-1", kind="co2_laser"), Device(id="rf-1", kind="rf_device")],
        rooms=[Room(id=f"room-{n}") for n in range(1, 5)],
    )


def generated_case(rng: random.Random, number: int, today: date) -> Case:
    """A plausible patient assessed `today` and starting then: several scar groups, mostly no
    contraindication, now and then dates to avoid."""
    lesions = tuple(
        LesionGroup(rng.choice(list(Region)), rng.randint(3, 30), scar_type)
        for scar_type in rng.sample(ATROPHIC, rng.choice([1, 2, 2, 3, 3]))
        for _ in range(rng.randint(1, 2))
    )
    stopped = today - timedelta(days=rng.randint(30, 600))
    patient = Patient(
        id=f"P-{number:05d}",
        age_years=rng.randint(18, 65),
        fitzpatrick=rng.choices(list(Fitzpatrick), [2, 4, 4, 2, 1, 1])[0],
        herpes_labialis_history=rng.random() < 0.15,
        anticoagulants=rng.random() < 0.05,
        keloid_history=rng.random() < 0.05,
        active_acne=rng.choices([AcneSeverity.NONE, AcneSeverity.MILD], [4, 1])[0],
        isotretinoin=rng.choice(
            [IsotretinoinHistory(), IsotretinoinHistory(IsotretinoinStatus.STOPPED, stopped)]
        ),
    )
    start = today
    avoid = tuple(
        DateWindow(start + timedelta(d), start + timedelta(d + rng.randint(4, 13)), "away")
        for d in rng.sample(range(7, 160), rng.choices([0, 1], [3, 1])[0])
    )
    budget = rng.choice([None, None, 6000, 10000])
    preferences = Preferences(
        start_date=start,
        budget=Money(Decimal(budget), "USD") if budget else None,
        max_downtime_days=rng.choice([None, None, 14, 10, 7]),
        avoid=avoid,
    )
    return Case(patient, Assessment(today, lesions), preferences)


def _gaps(plan: Plan, index: int, settings: Settings) -> tuple[int, int]:
    """Minimum and maximum days between plan session `index` and the one before it: the
    clinic calendar's rule (`gap_limits`), with a generous maximum where it sets none."""
    before, after = plan.sessions[index - 1], plan.sessions[index]
    planned = (after.day - before.day).days
    low, high = gap_limits(
        before.modality.value,
        after.modality.value,
        planned,
        plan_document(plan),
        settings.default_gap_between_modalities_days,
    )
    if high is None:
        slack = (
            SAME_COURSE_SLACK_DAYS if before.modality is after.modality else OTHER_COURSE_SLACK_DAYS
        )
        high = max(low, planned) + slack
    return low, high


def patient_request(
    case: Case,
    plan: Plan,
    offered: set[Modality],
    horizon: Horizon,
    settings: Settings,
    rng: random.Random,
) -> PatientRequest | None:
    """The plan's sessions within the horizon that the clinic offers, or None if none.

    Sessions before the horizon count as done; the first one left keeps its distance from the
    last one done.
    """
    end = horizon.start + timedelta(horizon.days - 1)
    indexes = [
        i
        for i, s in enumerate(plan.sessions)
        if horizon.start <= s.day <= end and s.modality in offered
    ]
    if not indexes:
        return None
    sessions = []
    for position, index in enumerate(indexes):
        session = plan.sessions[index]
        low: int | None = None
        high: int | None = None
        earliest = max(plan.start, horizon.start)
        if position and indexes[position - 1] == index - 1:
            low, high = _gaps(plan, index, settings)
        elif position:
            low = settings.default_gap_between_modalities_days
        elif index:
            done = plan.sessions[index - 1].day
            earliest = max(earliest, done + timedelta(_gaps(plan, index, settings)[0]))
        sessions.append(
            SessionRequest(
                id=f"{case.patient.id}/{position + 1}-{session.modality.value}",
                procedure=session.modality,
                earliest=earliest,
                ideal=session.day,
                min_days_after_previous=low,
                max_days_after_previous=high,
            )
        )
    return PatientRequest(
        id=case.patient.id, availability=_availability(case, rng), sessions=sessions
    )


def _availability(case: Case, rng: random.Random) -> Availability:
    away = [DateRange(start=w.start, end=w.end) for w in case.preferences.avoid]
    pattern = rng.choices(["any", "weekdays", "mornings", "late"], [11, 5, 3, 1])[0]
    if pattern == "weekdays":
        return Availability(weekdays=WEEKDAYS_ONLY, unavailable=away)
    if pattern == "mornings":
        return Availability(hours=_hours("08:00", "13:00"), unavailable=away)
    if pattern == "late":
        return Availability(hours=_hours("14:00", "20:00"), unavailable=away)
    return Availability(unavailable=away)


def _offered(resources: Resources, knowledge: KnowledgeBase) -> set[Modality]:
    kinds = {d.kind for d in resources.devices}
    return {
        m
        for m, entry in knowledge.modalities.items()
        if entry.device is None or entry.device in kinds
    }


def _patients(
    count: int,
    rng: random.Random,
    knowledge: KnowledgeBase,
    settings: Settings,
    horizon: Horizon,
    offered: set[Modality],
) -> Iterator[PatientRequest]:
    made = 0
    for number in range(count * MAX_ATTEMPTS_PER_PATIENT):
        if made == count:
            return
        start = horizon.start + timedelta(rng.randint(FIRST_START_DAYS, LAST_START_DAYS))
        case = generated_case(rng, number, start)
        try:
            plan = plan_case(case, knowledge, settings, start)
        except InfeasibleError:
            continue
        request = patient_request(case, plan, offered, horizon, settings, rng)
        if request is not None:
            made += 1
            yield request


def generate_instance(
    patients: int, seed: int, knowledge: KnowledgeBase, settings: Settings, today: date
) -> Instance:
    rng = random.Random(seed)
    resources = standard_resources(today, rng)
    horizon = Horizon(start=today, days=HORIZON_DAYS)
    requests = _patients(
        patients, rng, knowledge, settings, horizon, _offered(resources, knowledge)
    )
    return Instance(
        version=1,
        horizon=horizon,
        slot_minutes=15,
        resources=resources,
        patients=list(requests),
    )
