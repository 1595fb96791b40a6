"""The pre-procedure checklist: items per procedure, severity from the rules, answers from the
intake, and the gate. Each expectation below was read by hand from conditions.yaml and the
clinical reference it cites (section 4 and the procedure sections), not from the code."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from scarplan.adapters.casefile.reader import parse_patient_document
from scarplan.domain.errors import KnowledgeBaseError
from scarplan.domain.vocabulary import Fitzpatrick, Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.loader import load_knowledge_base
from scarplan.knowledge.schema.checklists import ChecklistSeverity
from scarplan.services.clinic.core.inputs import ChecklistAnswerInput
from scarplan.services.clinic.plans.checklists import (
    Checklist,
    build_checklist,
    checklist_problems,
    cleared_answers,
)

DAY = date(2026, 12, 7)
SCREENED: dict[str, Any] = {
    "id": "P-1",
    "pregnant": False,
    "breastfeeding": False,
    "keloid_history": False,
    "herpes_labialis_history": False,
    "anticoagulants": False,
    "skin_infection": False,
    "active_acne": "none",
    "isotretinoin": {"status": "none"},
}
CONSENSUS = {"isotretinoin_wait_policy": "consensus"}


def checklist(
    knowledge: KnowledgeBase,
    modality: Modality,
    fitzpatrick: Fitzpatrick | None = Fitzpatrick.II,
    policies: dict[str, str] | None = None,
    **intake: Any,
) -> Checklist:
    patient = parse_patient_document({**SCREENED, **intake})
    return build_checklist(knowledge, policies or CONSENSUS, modality, patient, fitzpatrick, DAY)


def severities(found: Checklist) -> dict[str, ChecklistSeverity]:
    return {entry.id: entry.severity for entry in found.entries}


def answers(*items: dict[str, Any]) -> list[ChecklistAnswerInput]:
    return [ChecklistAnswerInput.model_validate(item) for item in items]


def paths(found: Checklist, given: list[ChecklistAnswerInput]) -> list[str]:
    return [problem.path for problem in checklist_problems(found, given, DAY)]


# --- items per procedure ------------------------------------------------------------------


def test_rf_microneedling_asks_about_a_pacemaker_and_it_is_red(knowledge: KnowledgeBase) -> None:
    # Reference: electrosurgery interference with pacemakers/ICDs; RF devices list implanted
    # electronic devices as a contraindication -> the rule excludes RF microneedling.
    found = checklist(knowledge, Modality.RF_MICRONEEDLING)
    device = found.entry("implanted_device")
    assert device is not None
    assert device.severity is ChecklistSeverity.RED
    assert "EMI-DERM1998" in device.sources
    # Plain microneedling passes no current: no device question at all.
    assert checklist(knowledge, Modality.MICRONEEDLING).entry("implanted_device") is None


def test_fractional_co2_asks_about_isotretinoin_as_a_warning_under_the_consensus(
    knowledge: KnowledgeBase,
) -> None:
    # Reference section 4: the 2017 consensus found no evidence to delay fractional ablative
    # laser (SPRING2017); only clinics following the older six-month label hold it.
    found = checklist(knowledge, Modality.FRACTIONAL_CO2)
    isotretinoin = found.entry("isotretinoin")
    assert isotretinoin is not None
    assert isotretinoin.severity is ChecklistSeverity.AMBER
    assert "SPRING2017" in isotretinoin.sources
    strict = checklist(
        knowledge, Modality.FRACTIONAL_CO2, policies={"isotretinoin_wait_policy": "six_months"}
    )
    assert severities(strict)["isotretinoin"] is ChecklistSeverity.RED


def test_fully_ablative_resurfacing_asks_about_isotretinoin_and_cold_sores(
    knowledge: KnowledgeBase,
) -> None:
    # The consensus does not recommend fully ablative laser on or recently off isotretinoin
    # (red); antiviral prophylaxis before resurfacing rests on GILBERT2000 (a warning to act on).
    found = checklist(knowledge, Modality.ABLATIVE_RESURFACING)
    assert severities(found)["isotretinoin"] is ChecklistSeverity.RED
    cold_sores = found.entry("cold_sores")
    assert cold_sores is not None
    assert cold_sores.severity is ChecklistSeverity.AMBER
    assert "GILBERT2000" in cold_sores.sources


def test_every_procedure_asks_goals_photos_consent_pregnancy_and_the_site(
    knowledge: KnowledgeBase,
) -> None:
    for modality in Modality:
        found = severities(checklist(knowledge, modality))
        assert found["goals_agreed"] is ChecklistSeverity.AMBER, modality
        assert found["photos_taken"] is ChecklistSeverity.AMBER, modality
        assert found["consent_signed"] is ChecklistSeverity.RED, modality
        assert found["pregnancy"] is ChecklistSeverity.RED, modality
        assert found["site_clear"] is ChecklistSeverity.RED, modality


def test_a_test_spot_is_asked_only_where_a_rule_wants_one_for_this_patient(
    knowledge: KnowledgeBase,
) -> None:
    # Darker skin: test spot before lasers, TCA CROSS and medium peels (conditions.yaml
    # darker_skin, test_first effects; PMC4570086-T1, KE2009). Not for fair skin, nor for
    # microneedling, which the rule does not ask it for.
    dark = checklist(knowledge, Modality.FRACTIONAL_CO2, Fitzpatrick.V)
    spot = dark.entry("test_spot")
    assert spot is not None
    assert spot.test_spot
    assert spot.severity is ChecklistSeverity.RED
    assert "KE2009" in spot.sources
    assert checklist(knowledge, Modality.FRACTIONAL_CO2, Fitzpatrick.II).entry("test_spot") is None
    assert checklist(knowledge, Modality.MICRONEEDLING, Fitzpatrick.V).entry("test_spot") is None


# --- answers from the intake ------------------------------------------------------------


def test_the_intake_answers_what_it_records(knowledge: KnowledgeBase) -> None:
    found = checklist(
        knowledge,
        Modality.FRACTIONAL_CO2,
        isotretinoin={"status": "stopped", "stopped_on": "2026-10-01"},
        keloid_history=True,
    )
    isotretinoin = found.entry("isotretinoin")
    keloids = found.entry("keloids")
    pregnancy = found.entry("pregnancy")
    assert isotretinoin is not None
    assert isotretinoin.from_record is not None
    assert isotretinoin.from_record.answer.value == "no"
    assert "stopped oral isotretinoin on 2026-10-01" in isotretinoin.from_record.note
    assert keloids is not None
    assert keloids.from_record is not None
    assert keloids.from_record.answer.value == "no"
    assert pregnancy is not None
    assert pregnancy.from_record is not None
    assert pregnancy.from_record.answer.value == "yes"
    assert pregnancy.from_record.note == "From the intake: nothing recorded that applies"
    # The medicine and allergy lists say nothing when empty: those are asked.
    allergies = found.entry("allergies")
    assert allergies is not None
    assert allergies.from_record is None


def test_an_intake_that_left_a_question_out_does_not_answer_it(
    knowledge: KnowledgeBase,
) -> None:
    patient = parse_patient_document({"id": "P-2"})  # nothing screened
    found = build_checklist(knowledge, CONSENSUS, Modality.SUBCISION, patient, Fitzpatrick.II, DAY)
    for item in ("pregnancy", "isotretinoin", "keloids", "site_clear"):
        entry = found.entry(item)
        assert entry is not None, item
        assert entry.from_record is None, item


def test_an_isotretinoin_course_ended_long_ago_is_no_longer_a_concern(
    knowledge: KnowledgeBase,
) -> None:
    found = checklist(
        knowledge,
        Modality.ABLATIVE_RESURFACING,
        isotretinoin={"status": "stopped", "stopped_on": "2025-01-01"},
    )
    entry = found.entry("isotretinoin")
    assert entry is not None
    assert entry.from_record is not None
    assert entry.from_record.answer.value == "yes"


# --- the gate ------------------------------------------------------------------------------


def test_a_red_item_not_confirmed_blocks_and_a_reason_lets_it_through(
    knowledge: KnowledgeBase,
) -> None:
    found = checklist(knowledge, Modality.SUBCISION)
    everything = cleared_answers(found, DAY)
    assert paths(found, answers(*everything)) == []
    without_consent = [a for a in everything if a["item"] != "consent_signed"]
    assert paths(found, answers(*without_consent)) == ["checklist.consent_signed"]
    said_no = [*without_consent, {"item": "consent_signed", "answer": "no"}]
    assert paths(found, answers(*said_no)) == ["checklist.consent_signed"]
    with_reason = [*without_consent, {"item": "consent_signed", "reason": "  "}]
    assert paths(found, answers(*with_reason)) == ["checklist.consent_signed"]
    reasoned = [*without_consent, {"item": "consent_signed", "reason": "signed on paper"}]
    assert paths(found, answers(*reasoned)) == []


def test_an_amber_item_answered_no_only_warns(knowledge: KnowledgeBase) -> None:
    found = checklist(knowledge, Modality.SUBCISION)
    given = [a for a in cleared_answers(found, DAY) if a["item"] != "photos_taken"]
    assert paths(found, answers(*given, {"item": "photos_taken", "answer": "no"})) == []


def test_the_record_answers_a_red_item_the_clinician_left_open(
    knowledge: KnowledgeBase,
) -> None:
    pregnant = checklist(knowledge, Modality.SUBCISION, pregnant=True)
    given = [a for a in cleared_answers(pregnant, DAY) if a["item"] != "pregnancy"]
    problems = checklist_problems(pregnant, answers(*given), DAY)
    assert [p.path for p in problems] == ["checklist.pregnancy"]
    assert "the intake says" in problems[0].message
    # The clinician who has checked again overrides the record with an answer.
    assert paths(pregnant, answers(*given, {"item": "pregnancy", "answer": "yes"})) == []


def test_a_test_spot_counts_only_once_read_without_a_reaction(
    knowledge: KnowledgeBase,
) -> None:
    found = checklist(knowledge, Modality.FRACTIONAL_CO2, Fitzpatrick.V)
    others = [a for a in cleared_answers(found, DAY) if a["item"] != "test_spot"]

    def spot(result: str | None, read_on: str | None = "2026-12-01") -> dict[str, Any]:
        reading: dict[str, Any] = {"done_on": "2026-11-02", "read_on": read_on}
        if result:
            reading["result"] = result
        return {"item": "test_spot", "answer": "yes", "test_spot": reading}

    assert paths(found, answers(*others, spot("no_reaction"))) == []
    assert paths(found, answers(*others, spot("pih"))) == ["checklist.test_spot"]
    assert paths(found, answers(*others, spot(None, None))) == ["checklist.test_spot"]
    assert paths(found, answers(*others, {"item": "test_spot", "answer": "yes"})) == [
        "checklist.test_spot"
    ]
    late = spot("no_reaction", "2026-12-09")
    assert paths(found, answers(*others, late)) == ["checklist.test_spot.test_spot.read_on"]


def test_answers_that_name_no_item_of_the_procedure_are_refused(
    knowledge: KnowledgeBase,
) -> None:
    found = checklist(knowledge, Modality.MICRONEEDLING)
    given = cleared_answers(found, DAY)
    wrong = [*given, {"item": "implanted_device", "answer": "yes"}]  # not asked for needling
    assert paths(found, answers(*wrong)) == [f"checklist[{len(given)}].item"]
    twice = [*given, given[0]]
    assert paths(found, answers(*twice)) == [f"checklist[{len(given)}].item"]


def test_an_answer_to_an_item_this_patient_does_not_need_is_not_an_error(
    knowledge: KnowledgeBase,
) -> None:
    # The test spot is on the procedure's list but not needed in fair skin.
    fair = checklist(knowledge, Modality.FRACTIONAL_CO2, Fitzpatrick.II)
    every = build_checklist(knowledge, CONSENSUS, Modality.FRACTIONAL_CO2, None, None, DAY)
    assert paths(fair, answers(*cleared_answers(every, DAY))) == []


def test_the_shipped_checklist_cites_a_source_for_every_clinical_item() -> None:
    knowledge = load_knowledge_base()
    for item in knowledge.checklist:
        if item.practice:
            continue
        cited = set(item.sources)
        for condition in item.conditions:
            for effect in knowledge.conditions[condition].effects:
                cited |= set(effect.sources)
        assert cited, item.id
        assert cited <= set(knowledge.sources), item.id


@pytest.mark.parametrize(
    "broken",
    [
        "  - id: x\n    text: T\n    severity: amber\n",  # a clinical item without a source
        "  - id: x\n    text: T\n",  # no rules and no severity
        "  - id: x\n    text: T\n    conditions: [pregnancy]\n    modalities: [prp]\n",
    ],
)
def test_a_checklist_item_without_support_is_a_knowledge_base_error(
    kb_copy: Path, broken: str
) -> None:
    path = kb_copy / "checklists.yaml"
    path.write_text(path.read_text(encoding="utf-8") + broken, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(kb_copy)
    assert any("checklists.yaml" in problem.path for problem in error.value.problems)
