"""The pre-procedure checklist: what the clinician confirms before a session is recorded.

The items come from the knowledge base (checklists.yaml). An item tied to rules of
conditions.yaml applies to the procedures those rules name and is red where a rule keeps the
procedure off the plan, amber where it only cautions; the patient's record answers it where the
intake says something (`planning.eligibility.active_conditions`, the planner's own reading of
the record, so the checklist and the plan never disagree about a patient).

The gate is `checklist_problems`: a red item not answered "yes" blocks the session unless the
clinician gives a reason (the reason is stored with the answers and audited); an amber item
only warns. `record_checklist`, called from `sessions.add_session`, runs the gate and stores
the answers with the session, where they are never changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from scarplan.adapters.casefile.reader import parse_patient_document
from scarplan.adapters.db.tables import ChecklistAnswerRecord, PatientRecord, TreatmentSessionRecord
from scarplan.domain.case import Assessment, Case, Patient
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Fitzpatrick, Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.checklists import ChecklistItem, ChecklistSeverity
from scarplan.knowledge.schema.rules import Action, ConditionId, Effect
from scarplan.planning.eligibility import active_conditions, effect_action
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import (
    ChecklistAnswer,
    ChecklistAnswerInput,
    SessionInput,
    TestSpotResult,
)
from scarplan.services.clinic.plans.consents import consent_problem
from scarplan.services.clinic.records.patients import load_patient
from scarplan.services.planning import clinic_policies

logger = logging.getLogger(__name__)

CONSENT_ITEM = "consent_signed"

# The intake fields that answer a rule's question; a rule whose field the intake left out (or
# that has none, such as the allergy lists) is asked, not assumed.
_INTAKE_FIELDS: dict[ConditionId, str] = {
    ConditionId.PREGNANCY: "pregnant",
    ConditionId.BREASTFEEDING: "breastfeeding",
    ConditionId.ISOTRETINOIN_CURRENT: "isotretinoin",
    ConditionId.ISOTRETINOIN_RECENT: "isotretinoin",
    ConditionId.KELOID_HISTORY: "keloid_history",
    ConditionId.HERPES_LABIALIS_HISTORY: "herpes_labialis_history",
    ConditionId.ANTICOAGULANTS: "anticoagulants",
    ConditionId.SKIN_INFECTION: "skin_infection",
    ConditionId.ACTIVE_ACNE: "active_acne",
}

TEST_SPOT_RESULT_WORDS = {
    TestSpotResult.NO_REACTION.value: "no reaction",
    TestSpotResult.PIH.value: "dark marks (PIH)",
    TestSpotResult.OTHER.value: "another reaction",
}


@dataclass(frozen=True)
class RecordAnswer:
    """What the patient's record says about an item, and so the answer it gives."""

    answer: ChecklistAnswer
    note: str
    """E.g. "From the intake: stopped oral isotretinoin on 2026-09-01"."""


@dataclass(frozen=True)
class ChecklistEntry:
    """One item of one procedure's checklist for one patient."""

    id: str
    text: str
    help: str
    severity: ChecklistSeverity
    rules: tuple[str, ...]
    """The names of the knowledge-base rules behind it, for the clinician to read."""
    sources: tuple[str, ...]
    from_record: RecordAnswer | None
    test_spot: bool


@dataclass(frozen=True)
class Checklist:
    modality: Modality
    entries: tuple[ChecklistEntry, ...]
    procedure_items: frozenset[str]
    """Every item of the procedure's checklist, those this patient does not need included (an
    answer to one of those is not an error, and not kept)."""

    def entry(self, item_id: str) -> ChecklistEntry | None:
        return next((e for e in self.entries if e.id == item_id), None)


@dataclass(frozen=True)
class TestSpotView:
    done_on: date
    read_on: date | None
    result: str | None
    notes: str

    @property
    def result_words(self) -> str:
        return TEST_SPOT_RESULT_WORDS.get(self.result or "", "not read yet")


@dataclass(frozen=True)
class ChecklistAnswerView:
    item_id: str
    text: str
    severity: str
    answer: str | None
    answered_from: str
    record_note: str
    reason: str
    test_spot: TestSpotView | None

    @property
    def safe(self) -> bool:
        return self.answer == ChecklistAnswer.YES.value


def _effects(
    knowledge: KnowledgeBase, item: ChecklistItem, modality: Modality
) -> list[tuple[ConditionId, Effect]]:
    found = []
    for condition_id in item.conditions:
        for effect in knowledge.conditions[condition_id].effects:
            if modality not in effect.modalities:
                continue
            if item.test_spot and effect.action is not Action.TEST_FIRST:
                continue
            found.append((condition_id, effect))
    return found


def item_applies(knowledge: KnowledgeBase, item: ChecklistItem, modality: Modality) -> bool:
    if item.conditions:
        return bool(_effects(knowledge, item, modality))
    return not item.modalities or modality in item.modalities


def item_severity(
    knowledge: KnowledgeBase,
    item: ChecklistItem,
    modality: Modality,
    policies: Mapping[str, str],
) -> ChecklistSeverity:
    """The item's own severity if it names one, else red where a rule blocks the procedure
    under the clinic's policy settings (the planner's reading of the rule)."""
    if item.severity is not None:
        return item.severity
    effects = _effects(knowledge, item, modality)
    blocking = any(effect_action(effect, policies).blocks for _, effect in effects)
    return ChecklistSeverity.RED if blocking else ChecklistSeverity.AMBER


def build_checklist(
    knowledge: KnowledgeBase,
    policies: Mapping[str, str],
    modality: Modality,
    patient: Patient | None,
    fitzpatrick: Fitzpatrick | None,
    day: date,
) -> Checklist:
    """The checklist of `modality` for this patient on `day`, answered from the record where it
    can be. Without a patient, every item that applies to the procedure (the test spot too)."""
    found: dict[ConditionId, str] = {}
    if patient is not None:
        bare = Case(patient=patient, assessment=Assessment(date=day, lesions=()))
        found = active_conditions(bare, (), fitzpatrick, knowledge, day)
    entries = []
    for item in knowledge.checklist:
        if not item_applies(knowledge, item, modality):
            continue
        effects = _effects(knowledge, item, modality) if item.conditions else []
        active = [c for c, _ in effects if c in found]
        if item.test_spot and patient is not None and not active:
            continue  # no rule asks this patient for a test spot
        rules = tuple(dict.fromkeys(knowledge.conditions[c].name for c, _ in effects))
        sources = tuple(dict.fromkeys([*item.sources, *(s for _, e in effects for s in e.sources)]))
        entries.append(
            ChecklistEntry(
                id=item.id,
                text=item.text,
                help=item.help,
                severity=item_severity(knowledge, item, modality, policies),
                rules=rules,
                sources=sources,
                from_record=_from_record(item, patient, effects, found),
                test_spot=item.test_spot,
            )
        )
    procedure_items = frozenset(
        item.id for item in knowledge.checklist if item_applies(knowledge, item, modality)
    )
    return Checklist(modality, tuple(entries), procedure_items)


def _from_record(
    item: ChecklistItem,
    patient: Patient | None,
    effects: Sequence[tuple[ConditionId, Effect]],
    found: dict[ConditionId, str],
) -> RecordAnswer | None:
    if patient is None or not effects or item.test_spot:
        return None
    active = list(dict.fromkeys(found[c] for c, _ in effects if c in found))
    if active:
        return RecordAnswer(ChecklistAnswer.NO, f"From the intake: {'; '.join(active)}")
    fields = {_INTAKE_FIELDS.get(c) for c, _ in effects}
    if None in fields or fields & patient.unstated:
        return None  # the intake does not answer every rule the item checks
    return RecordAnswer(ChecklistAnswer.YES, "From the intake: nothing recorded that applies")


def patient_facts(record: PatientRecord) -> tuple[Patient, Fitzpatrick | None]:
    patient = parse_patient_document({"id": record.code, **record.intake})
    fitzpatrick = Fitzpatrick(record.fitzpatrick) if record.fitzpatrick else None
    return patient, fitzpatrick


def session_checklist(
    clinic: Clinic, actor: Actor, patient_id: int, modality: Modality, day: date
) -> Checklist:
    """The checklist a clinician sees before recording a session of `modality`."""
    authorize(actor, Permission.WRITE_CLINICAL, patient_id)
    policies = clinic_policies(clinic.settings)
    with clinic.uow.read() as session:
        patient, fitzpatrick = patient_facts(load_patient(session, patient_id))
        checklist = build_checklist(clinic.knowledge, policies, modality, patient, fitzpatrick, day)
        checklist = with_consent_record(checklist, session, clinic, patient_id)
    clinic.audit.read(actor, "checklist", None, patient_id, {"modality": modality.value})
    return checklist


@dataclass(frozen=True)
class _Outcome:
    entry: ChecklistEntry
    given: ChecklistAnswerInput | None
    answer: ChecklistAnswer | None
    answered_from: str


def _consent_item(entry: ChecklistEntry, given: ChecklistAnswerInput | None) -> _Outcome:
    """Consent signed: answered yes by a valid signed consent on file (`with_consent_record`);
    without one, the clinician's tick (a consent on paper, say: the session's own consent gate
    then asks for its audited reason)."""
    if entry.from_record is not None and entry.from_record.answer is ChecklistAnswer.YES:
        return _Outcome(entry, given, ChecklistAnswer.YES, "record")
    answer = given.answer if given is not None else None
    return _Outcome(entry, given, answer, "clinician")


def with_consent_record(
    checklist: Checklist, session: Session, clinic: Clinic, patient_id: int
) -> Checklist:
    """The checklist with its consent item answered from the patient's procedure consents."""
    problem = consent_problem(
        session, patient_id, checklist.modality.value, knowledge=clinic.knowledge
    )
    said = (
        RecordAnswer(ChecklistAnswer.YES, "Signed and countersigned consent on file")
        if problem is None
        else RecordAnswer(ChecklistAnswer.NO, problem)
    )
    entries = tuple(
        replace(entry, from_record=said) if entry.id == CONSENT_ITEM else entry
        for entry in checklist.entries
    )
    return replace(checklist, entries=entries)


def _test_spot_item(entry: ChecklistEntry, given: ChecklistAnswerInput | None) -> _Outcome:
    """A test spot is safe to go on from only once read without a reaction."""
    answer = given.answer if given is not None else None
    reading = given.test_spot if given is not None else None
    if answer is ChecklistAnswer.YES and (
        reading is None or reading.result is not TestSpotResult.NO_REACTION
    ):
        answer = ChecklistAnswer.NO
    return _Outcome(entry, given, answer, "clinician")


def _outcome(entry: ChecklistEntry, given: ChecklistAnswerInput | None) -> _Outcome:
    if entry.id == CONSENT_ITEM:
        return _consent_item(entry, given)
    if entry.test_spot:
        return _test_spot_item(entry, given)
    if given is not None and given.answer is not None:
        return _Outcome(entry, given, given.answer, "clinician")
    if entry.from_record is not None:
        return _Outcome(entry, given, entry.from_record.answer, "record")
    return _Outcome(entry, given, None, "clinician")


def _outcomes(
    checklist: Checklist, answers: Sequence[ChecklistAnswerInput]
) -> tuple[list[_Outcome], list[FieldProblem]]:
    problems: list[FieldProblem] = []
    given: dict[str, ChecklistAnswerInput] = {}
    for index, answer in enumerate(answers):
        if answer.item not in checklist.procedure_items:
            problems.append(
                FieldProblem(
                    f"checklist[{index}].item",
                    f"{answer.item!r} is not on the checklist of this procedure",
                    "answer the items the checklist of this procedure lists",
                )
            )
        elif answer.item in given:
            problems.append(
                FieldProblem(f"checklist[{index}].item", "is answered twice", "answer it once")
            )
        given[answer.item] = answer
    return [_outcome(entry, given.get(entry.id)) for entry in checklist.entries], problems


def checklist_problems(
    checklist: Checklist, answers: Sequence[ChecklistAnswerInput], day: date
) -> list[FieldProblem]:
    """The gate: each red item not answered yes without a reason, each answer that names no
    item, and each test-spot reading that does not fit the session's day."""
    outcomes, problems = _outcomes(checklist, answers)
    for outcome in outcomes:
        entry, given = outcome.entry, outcome.given
        reading = given.test_spot if given is not None else None
        if reading is not None:
            problems.extend(_reading_problems(entry.id, reading.done_on, reading.read_on, day))
        if _passed_red(outcome) and not (given is not None and given.reason.strip()):
            problems.append(
                FieldProblem(
                    f"checklist.{entry.id}",
                    f"{entry.text}: {_not_safe_words(outcome)}",
                    "confirm it, or give the reason for going ahead",
                )
            )
    return problems


def _passed_red(outcome: _Outcome) -> bool:
    """A red item not answered yes: it stops the session unless a reason is given."""
    red = outcome.entry.severity is ChecklistSeverity.RED
    return red and outcome.answer is not ChecklistAnswer.YES


def _not_safe_words(outcome: _Outcome) -> str:
    if outcome.entry.test_spot and outcome.answer is not None:
        reading = outcome.given.test_spot if outcome.given is not None else None
        if reading is None:
            return "no test spot recorded"
        result = reading.result
        words = TEST_SPOT_RESULT_WORDS.get(result.value if result else "", "not read yet")
        return f"the test spot shows {words}"
    if outcome.answer is None:
        return "not answered"
    if outcome.answered_from == "record" and outcome.entry.from_record is not None:
        return outcome.entry.from_record.note.replace("From the intake", "the intake says")
    return "answered no"


def _reading_problems(
    item_id: str, done_on: date, read_on: date | None, day: date
) -> Iterable[FieldProblem]:
    if done_on > day:
        yield FieldProblem(
            f"checklist.{item_id}.test_spot.done_on",
            "the test spot was done after the session",
            "give the day it was done",
        )
    if read_on is not None and not done_on <= read_on <= day:
        yield FieldProblem(
            f"checklist.{item_id}.test_spot.read_on",
            "the reading is before the test spot or after the session",
            "give the day it was read",
        )


def record_checklist(
    session: Session,
    clinic: Clinic,
    actor: Actor,
    record: TreatmentSessionRecord,
    entered: SessionInput,
) -> None:
    """Check the session's checklist (InputError naming each red item that blocks) and keep
    its answers with the session; a red item passed with a reason is audited."""
    patient, fitzpatrick = patient_facts(load_patient(session, record.patient_id))
    checklist = build_checklist(
        clinic.knowledge,
        clinic_policies(clinic.settings),
        entered.modality,
        patient,
        fitzpatrick,
        entered.performed_on,
    )
    checklist = with_consent_record(checklist, session, clinic, record.patient_id)
    problems = checklist_problems(checklist, entered.checklist, entered.performed_on)
    if problems:
        raise InputError("the pre-procedure checklist stops this session", problems)
    outcomes, _ = _outcomes(checklist, entered.checklist)
    overridden = []
    for position, outcome in enumerate(outcomes):
        entry, given = outcome.entry, outcome.given
        reading = given.test_spot if given is not None else None
        reason = given.reason.strip() if given is not None else ""
        if _passed_red(outcome):
            overridden.append({"item": entry.id, "reason": reason})
        record.checklist_answers.append(
            ChecklistAnswerRecord(
                position=position,
                item_id=entry.id,
                text=entry.text,
                severity=entry.severity.value,
                answer=outcome.answer.value if outcome.answer is not None else None,
                answered_from=outcome.answered_from,
                record_note=entry.from_record.note if entry.from_record else "",
                reason=reason,
                test_spot_done_on=reading.done_on if reading else None,
                test_spot_read_on=reading.read_on if reading else None,
                test_spot_result=reading.result.value if reading and reading.result else None,
                test_spot_notes=reading.notes if reading else "",
            )
        )
    session.flush()
    if overridden:
        logger.info("session %s recorded past %d red checklist items", record.id, len(overridden))
        clinic.audit.changed(
            session,
            actor,
            "checklist_override",
            "session",
            record.id,
            record.patient_id,
            {"items": overridden},
        )


def answer_views(record: TreatmentSessionRecord) -> list[ChecklistAnswerView]:
    return [
        ChecklistAnswerView(
            item_id=row.item_id,
            text=row.text,
            severity=row.severity,
            answer=row.answer,
            answered_from=row.answered_from,
            record_note=row.record_note,
            reason=row.reason,
            test_spot=_test_spot_view(row),
        )
        for row in record.checklist_answers
    ]


def _test_spot_view(row: ChecklistAnswerRecord) -> TestSpotView | None:
    if row.test_spot_done_on is None:
        return None
    return TestSpotView(
        row.test_spot_done_on, row.test_spot_read_on, row.test_spot_result, row.test_spot_notes
    )


def cleared_answers(checklist: Checklist, day: date) -> list[dict[str, Any]]:
    """Every item answered yes (a test spot read without a reaction the day before): what the
    demo clinic and the tests send for a patient with nothing to stop the session."""
    answers: list[dict[str, Any]] = []
    for entry in checklist.entries:
        answer: dict[str, Any] = {"item": entry.id, "answer": "yes"}
        if entry.test_spot:
            answer["test_spot"] = {
                "done_on": day.isoformat(),
                "read_on": day.isoformat(),
                "result": TestSpotResult.NO_REACTION.value,
            }
        answers.append(answer)
    return answers
