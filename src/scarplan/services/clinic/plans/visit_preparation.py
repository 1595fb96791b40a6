"""Before, between and after visits: what a patient needs to know, in plain words.

For the plan being followed (accepted or in progress): the next session (booked in the clinic
calendar, else as planned) and how to prepare for it, the aftercare for the last session carried
out, today's home routine and what changes in it over a week. The facts come from where they
already live: the plan's dated preparations (skin tests, test spots), the knowledge base's
aftercare statements, and the home routine built by `homecare` around the sessions' days as they
now stand (`plan_edits.document_routine`, with booked and performed days in place of planned
ones); nothing here makes a rule of its own.

Everything is read as `clinical.read`: a portal patient reads their own, and the reminder
e-mails read it as the clinic does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AppointmentRecord, TreatmentSessionRecord
from scarplan.adapters.presentation.wording import day as day_words
from scarplan.adapters.presentation.wording import label
from scarplan.domain.vocabulary import Modality
from scarplan.homecare.calendar import FREQUENCY_WORDS, routine_calendar
from scarplan.homecare.routine import Routine, Step
from scarplan.homecare.schedule import merged
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.agents import TimeOfDay
from scarplan.planning.lifecycle import ACTIVE, PlanStatus
from scarplan.scheduling.model import clock_time
from scarplan.services.clinic.calendar.appointments import BOOKED
from scarplan.services.clinic.calendar.schedule_instance import session_key
from scarplan.services.clinic.calendar.schedule_setup import ResourceKind, current_setup
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.plan_edits import document_routine
from scarplan.services.clinic.plans.plans import PlannedSessionView, PlanView
from scarplan.services.clinic.records.assessments import load_assessment, stored_case
from scarplan.services.clinic.records.patients import load_patient
from scarplan.services.clinic.records.progress import open_plan

WEEK_DAYS = 7


@dataclass(frozen=True)
class Advice:
    """One sentence of advice with the knowledge-base sources it comes from."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PreTest:
    """A test before the first session of a procedure (a skin test, a test spot)."""

    what: str
    on: date
    """The day it is done."""
    read_on: date
    """The day it is read (on or before the session)."""
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Priming:
    """Products used at home every day before the session, to prepare the skin."""

    agents: tuple[str, ...]
    names: tuple[str, ...]
    start: date
    until: date
    sources: tuple[str, ...]

    @property
    def text(self) -> str:
        return (
            f"Use {' and '.join(self.names)} every day from {day_words(self.start)} "
            f"until {day_words(self.until)} to prepare your skin."
        )


@dataclass(frozen=True)
class Pause:
    """A home-care product to stop before the session and when to start it again."""

    agent: str
    name: str
    stop_on: date
    """The first day without it."""
    resume_on: date | None
    """The first day it may be used again; None when it is not taken up again."""
    resume_when: str
    """The condition the knowledge base sets for starting again (e.g. once the skin healed)."""
    sources: tuple[str, ...]

    @property
    def text(self) -> str:
        then = (
            f"start again from {day_words(self.resume_on)}"
            + (f" ({self.resume_when.rstrip('.')})" if self.resume_when else "")
            if self.resume_on is not None
            else "do not start it again"
        )
        return f"Stop {self.name} from {day_words(self.stop_on)}; {then}."


@dataclass(frozen=True)
class NextVisit:
    day: date
    modality: str
    procedure: str
    """The procedure's name in people's words."""
    summary: str
    """What the procedure is and does (the knowledge base's plain-language summary)."""
    number: int
    of: int
    regions: tuple[str, ...]
    """Region labels in people's words."""
    downtime_days: int
    booked: bool
    """True when the clinic calendar holds a slot for it (time, room and practitioner given)."""
    start: str | None
    end: str | None
    room: str | None
    practitioner: str | None
    tests: tuple[PreTest, ...]
    primings: tuple[Priming, ...]
    pauses: tuple[Pause, ...]
    sources: tuple[str, ...]
    """The sources of the procedure's numbers (downtime)."""


@dataclass(frozen=True)
class Aftercare:
    performed_on: date
    modality: str
    procedure: str
    regions: tuple[str, ...]
    downtime_min_days: int | None
    downtime_max_days: int | None
    """The published downtime range of the procedure."""
    advice: tuple[Advice, ...]


@dataclass(frozen=True)
class RoutineItem:
    agent: str
    name: str
    strength: str
    dose: str
    how_often: str
    why: tuple[Advice, ...]


@dataclass(frozen=True)
class Resting:
    """A routine product not used on the day, and why."""

    agent: str
    name: str
    reason: str


@dataclass(frozen=True)
class DayRoutine:
    day: date
    morning: tuple[RoutineItem, ...]
    evening: tuple[RoutineItem, ...]
    resting: tuple[Resting, ...]


@dataclass(frozen=True)
class RoutineChange:
    day: date
    kind: str
    """priming | start | step up | pause | resume | stop | healing"""
    agent: str | None
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class _Followed:
    """The plan being followed with its routine around the sessions' days as they stand."""

    plan: PlanView
    routine: Routine
    days: tuple[date, ...]
    """Each session's day by position: performed, booked, else planned."""
    booked: dict[int, AppointmentRecord]
    """Position -> its booked appointment (from today on)."""


def _followed(
    session: Session, knowledge: KnowledgeBase, patient_id: int, today: date
) -> _Followed | None:
    patient = load_patient(session, patient_id)
    plan = open_plan(session, patient_id)
    if plan is None or PlanStatus(plan.status) not in ACTIVE:
        return None
    booked = {
        record.session_key: record
        for record in session.scalars(
            select(AppointmentRecord).where(
                AppointmentRecord.patient_id == patient_id,
                AppointmentRecord.plan_id == plan.id,
                AppointmentRecord.status == BOOKED,
                AppointmentRecord.day >= today,
            )
        )
    }
    rows = session.execute(
        select(TreatmentSessionRecord.id, TreatmentSessionRecord.performed_on).where(
            TreatmentSessionRecord.patient_id == patient_id
        )
    ).tuples()
    performed: dict[int, date] = dict(rows.all())
    days: list[date] = []
    slots: dict[int, AppointmentRecord] = {}
    for position, planned in enumerate(plan.sessions):
        appointment = booked.get(session_key(plan.id, planned.modality, planned.number))
        if planned.done_by_session_id is not None:
            days.append(performed.get(planned.done_by_session_id, planned.day))
        elif appointment is not None:
            slots[position] = appointment
            days.append(appointment.day)
        else:
            days.append(planned.day)
    case = stored_case(patient, load_assessment(session, plan.assessment_id), today)
    moved = {p: d for p, d in enumerate(days) if d != plan.sessions[p].day}
    routine = document_routine(case, plan.document, knowledge, moved)
    return _Followed(plan, routine, tuple(days), slots)


def _next(followed: _Followed, today: date) -> tuple[int, PlannedSessionView] | None:
    upcoming = [
        (followed.days[position], position, planned)
        for position, planned in enumerate(followed.plan.sessions)
        if planned.done_by_session_id is None and followed.days[position] >= today
    ]
    if not upcoming:
        return None
    _, position, planned = min(upcoming, key=lambda item: (item[0], item[1]))
    return position, planned


def _pauses(routine: Routine, knowledge: KnowledgeBase, visit_day: date) -> tuple[Pause, ...]:
    """The routine's pauses that cover the visit day, as the patient's calendar shows them."""
    steps = {step.agent: step for step in routine.steps}
    found = []
    for entry in routine_calendar(routine):
        if entry.event != "pause" or entry.agent is None or entry.until is None:
            continue
        if not entry.day <= visit_day <= entry.until:
            continue
        step = steps[entry.agent]
        resume = entry.until + timedelta(days=1)
        stopped = step.usage.stop is not None and resume >= step.usage.stop
        window = step.usage.paused_on(visit_day)
        found.append(
            Pause(
                agent=entry.agent.value,
                name=knowledge.agents[entry.agent].name,
                stop_on=entry.day,
                resume_on=None if stopped else resume,
                resume_when=window.resume_when if window is not None else "",
                sources=entry.sources,
            )
        )
    return tuple(found)


def _visit(followed: _Followed, knowledge: KnowledgeBase, today: date) -> NextVisit | None:
    found = _next(followed, today)
    if found is None:
        return None
    position, planned = found
    visit_day = followed.days[position]
    modality = Modality(planned.modality)
    entry = knowledge.modalities[modality]
    slot = followed.booked.get(position)
    first = planned.number == 1
    tests = tuple(
        PreTest(item.what, item.date, item.until, tuple(item.sources))
        for item in followed.plan.document.preparations
        if item.kind == "test" and modality in item.before and first and item.until >= today
    )
    primings = tuple(
        Priming(
            tuple(a.value for a in period.agents),
            tuple(knowledge.agents[a].name for a in period.agents),
            period.start,
            period.until,
            period.sources,
        )
        for period in followed.routine.primings
        if period.until == visit_day and modality in period.before
    )
    return NextVisit(
        day=visit_day,
        modality=modality.value,
        procedure=label(modality.value),
        summary=entry.summary,
        number=planned.number,
        of=planned.of,
        regions=tuple(label(r) for r in planned.regions),
        downtime_days=planned.downtime_days,
        booked=slot is not None,
        start=clock_time(slot.start_minute) if slot is not None else None,
        end=clock_time(slot.end_minute) if slot is not None else None,
        room=slot.room if slot is not None else None,
        practitioner=slot.practitioner if slot is not None else None,
        tests=tests,
        primings=primings,
        pauses=_pauses(followed.routine, knowledge, visit_day),
        sources=tuple(entry.downtime_days.sources) if entry.downtime_days else (),
    )


def next_visit(clinic: Clinic, actor: Actor, patient_id: int, today: date) -> NextVisit | None:
    """The next session of the plan being followed, from `today` on, and how to prepare for it;
    None without an accepted plan or with every session done."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        followed = _followed(session, clinic.knowledge, patient_id, today)
        visit = _visit(followed, clinic.knowledge, today) if followed is not None else None
        setup = current_setup(session)
        if visit is not None and setup is not None:
            # People read names: "Room 1, with Dr Okafor", never "room-1" or "dr-okafor".
            visit = replace(
                visit,
                room=setup.name_of(ResourceKind.ROOM, visit.room) if visit.room else None,
                practitioner=(
                    setup.name_of(ResourceKind.PRACTITIONER, visit.practitioner)
                    if visit.practitioner
                    else None
                ),
            )
    clinic.audit.read(actor, "next_visit", None, patient_id)
    return visit


def _last_session(session: Session, patient_id: int, today: date) -> TreatmentSessionRecord | None:
    return session.scalar(
        select(TreatmentSessionRecord)
        .where(
            TreatmentSessionRecord.patient_id == patient_id,
            TreatmentSessionRecord.performed_on <= today,
        )
        .order_by(TreatmentSessionRecord.performed_on.desc(), TreatmentSessionRecord.id.desc())
        .limit(1)
    )


def _aftercare(record: TreatmentSessionRecord, knowledge: KnowledgeBase) -> Aftercare:
    entry = knowledge.modalities[Modality(record.modality)]
    downtime = entry.downtime_days
    return Aftercare(
        performed_on=record.performed_on,
        modality=record.modality,
        procedure=label(record.modality),
        regions=tuple(label(r) for r in record.regions),
        downtime_min_days=int(downtime.min) if downtime and downtime.min is not None else None,
        downtime_max_days=int(downtime.max) if downtime and downtime.max is not None else None,
        advice=tuple(Advice(s.text, tuple(s.sources)) for s in entry.aftercare),
    )


def aftercare(clinic: Clinic, actor: Actor, patient_id: int, today: date) -> Aftercare | None:
    """The aftercare for the last session carried out on or before `today` (None if none)."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        record = _last_session(session, patient_id, today)
        found = _aftercare(record, clinic.knowledge) if record is not None else None
    clinic.audit.read(actor, "aftercare", None, patient_id)
    return found


def _how_often(step: Step, on: date) -> str:
    if step.as_needed:
        return "on spots, when needed"
    phase = step.usage.phase_on(on) or (step.usage.phases or (None,))[-1]
    return FREQUENCY_WORDS[phase.frequency] if phase is not None else ""


def _item(step: Step, on: date) -> RoutineItem:
    return RoutineItem(
        agent=step.agent.value,
        name=step.name,
        strength=step.strength,
        dose=step.dose,
        how_often=_how_often(step, on),
        why=tuple(Advice(s.text, tuple(s.sources)) for s in step.why),
    )


def _in_use(step: Step, on: date, routine: Routine) -> bool:
    """Used on day `on`: as the routine schedules it or, for a product the patient already
    uses, as now until the routine begins (its pauses still apply)."""
    if step.as_needed or step.usage.applied_on(on):
        return True
    before_start = bool(step.usage.phases) and on < step.usage.phases[0].start
    return (
        step.already_used
        and before_start
        and on < routine.start
        and step.usage.paused_on(on) is None
    )


def _resting(step: Step, on: date, routine: Routine) -> Resting | None:
    usage = step.usage
    if _in_use(step, on, routine) or (usage.stop is not None and on >= usage.stop):
        return None  # in use, or finished: no longer part of the routine
    # Back-to-back pauses are one (as the patient's calendar shows them): back after the last.
    pause = next((p for p in merged(usage.pauses) if p.start <= on <= p.end), None)
    if pause is not None:
        back = day_words(pause.end + timedelta(days=1))
        return Resting(
            step.agent.value,
            step.name,
            f"paused around your session; start again from {back}",
        )
    if not usage.phases or usage.phases[0].start > on:
        first = day_words(usage.phases[0].start) if usage.phases else day_words(routine.start)
        return Resting(step.agent.value, step.name, f"starts on {first}")
    return Resting(step.agent.value, step.name, f"not today: used {_how_often(step, on)}")


def _day_routine(routine: Routine, on: date) -> DayRoutine:
    def used(slot: TimeOfDay) -> tuple[RoutineItem, ...]:
        return tuple(_item(s, on) for s in routine.slot(slot) if _in_use(s, on, routine))

    resting = tuple(r for s in routine.steps if (r := _resting(s, on, routine)) is not None)
    return DayRoutine(on, used(TimeOfDay.AM), used(TimeOfDay.PM), resting)


def day_routine(clinic: Clinic, actor: Actor, patient_id: int, on: date) -> DayRoutine | None:
    """The morning and evening routine of day `on` (None without an accepted plan)."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        followed = _followed(session, clinic.knowledge, patient_id, on)
    clinic.audit.read(actor, "routine", None, patient_id)
    return _day_routine(followed.routine, on) if followed is not None else None


def _changes(routine: Routine, knowledge: KnowledgeBase, first: date) -> tuple[RoutineChange, ...]:
    last = first + timedelta(days=WEEK_DAYS - 1)
    names = {step.agent: step.name for step in routine.steps}
    changes: list[RoutineChange] = []
    for entry in routine_calendar(routine):
        agent = entry.agent.value if entry.agent is not None else None
        name = names.get(entry.agent, "") if entry.agent is not None else ""
        if entry.event == "pause" and entry.until is not None:
            resume = entry.until + timedelta(days=1)
            step_stop = next((s.usage.stop for s in routine.steps if s.agent is entry.agent), None)
            if first <= resume <= last and (step_stop is None or resume < step_stop):
                changes.append(
                    RoutineChange(resume, "resume", agent, f"Start {name} again.", entry.sources)
                )
        if not first <= entry.day <= last:
            continue
        text = _change_text(entry.event, name, entry.day, entry.until, routine, knowledge)
        changes.append(RoutineChange(entry.day, entry.event, agent, text, entry.sources))
    # An agent's first phase waits for a pause to end (homecare.schedule.phases_from): for a
    # product in use already, that "start" is the restart, said once.
    restarts = {(c.day, c.agent) for c in changes if c.kind == "resume"}
    kept = [c for c in changes if c.kind != "start" or (c.day, c.agent) not in restarts]
    return tuple(sorted(kept, key=lambda c: (c.day, c.kind, c.agent or "")))


def _change_text(
    event: str, name: str, on: date, until: date | None, routine: Routine, knowledge: KnowledgeBase
) -> str:
    if event == "priming":
        period = next(p for p in routine.primings if p.start == on)
        names = " and ".join(knowledge.agents[a].name for a in period.agents)
        return f"Start {names} every day to prepare your skin for the session."
    if event == "start":
        return f"Start {name}."
    if event == "step up":
        return f"Use {name} more often, as your skin is used to it now."
    if event == "pause":
        back = f" until {day_words(until)}" if until is not None else ""
        return f"Stop {name}{back}: it is paused around your session."
    if event == "stop":
        return f"Stop {name}: you no longer need it."
    procedure = next((p for p in routine.procedures if p.day == on), None)
    what = label(procedure.modality.value) if procedure is not None else "your session"
    healed = f" until {day_words(until)}" if until is not None and until != on else ""
    return f"{what}: gentle care and extra sun protection{healed} while your skin heals."


def routine_changes(
    clinic: Clinic, actor: Actor, patient_id: int, week_of: date
) -> tuple[RoutineChange, ...]:
    """What changes in the home routine in the seven days from `week_of`: products to start,
    use more often, pause, start again or stop, and healing weeks after a session."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        followed = _followed(session, clinic.knowledge, patient_id, week_of)
    clinic.audit.read(actor, "routine_changes", None, patient_id)
    if followed is None:
        return ()
    return _changes(followed.routine, clinic.knowledge, week_of)


@dataclass(frozen=True)
class Preparation:
    """All of the above at once, read in one transaction (the portal home, a reminder)."""

    next_visit: NextVisit | None
    aftercare: Aftercare | None
    today: DayRoutine | None
    changes: tuple[RoutineChange, ...]
    following_plan: bool
    """False when no plan is accepted yet: the clinic has not agreed one with the patient."""


def preparation(clinic: Clinic, actor: Actor, patient_id: int, today: date) -> Preparation:
    """The next visit and its preparation, the last session's aftercare, today's routine and
    this week's changes (the seven days from `today`)."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    knowledge = clinic.knowledge
    with clinic.uow.read() as session:
        followed = _followed(session, knowledge, patient_id, today)
        last = _last_session(session, patient_id, today)
        found = Preparation(
            next_visit=_visit(followed, knowledge, today) if followed is not None else None,
            aftercare=_aftercare(last, knowledge) if last is not None else None,
            today=_day_routine(followed.routine, today) if followed else None,
            changes=_changes(followed.routine, knowledge, today) if followed else (),
            following_plan=followed is not None,
        )
    clinic.audit.read(actor, "visit_preparation", None, patient_id)
    return found
