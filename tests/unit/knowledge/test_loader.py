"""The shipped knowledge base loads, and each kind of broken entry fails with a precise message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scarplan.domain.errors import KnowledgeBaseError
from scarplan.domain.vocabulary import Agent, Modality, ScarType
from scarplan.knowledge import KnowledgeBase, load_knowledge_base
from scarplan.knowledge.schema.common import cited_source_ids
from scarplan.knowledge.schema.rules import ConditionId


def _edit(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text())
    assert callable(change)
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _problems(kb_dir: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_dir)
    return [str(problem) for problem in caught.value.problems]


def test_shipped_knowledge_base_covers_the_shared_vocabulary(knowledge: KnowledgeBase) -> None:
    assert set(knowledge.scar_types) == set(ScarType)
    assert set(knowledge.modalities) == set(Modality)
    assert set(knowledge.agents) == set(Agent)
    assert set(knowledge.conditions) == set(ConditionId)


def test_every_source_is_cited_and_every_citation_resolves(knowledge: KnowledgeBase) -> None:
    cited = cited_source_ids(
        (
            knowledge.scar_types,
            knowledge.modalities,
            knowledge.prices,
            knowledge.agents,
            knowledge.conflicts,
            knowledge.conditions,
            knowledge.sequencing,
            knowledge.scales,
            knowledge.homecare,
        )
    )
    assert cited == set(knowledge.sources)


def test_wrong_type_names_file_entry_and_field(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        tca = next(m for m in data["modalities"] if m["id"] == "tca_cross")
        tca["sessions"]["min"] = "three"

    _edit(kb_copy / "modalities.yaml", change)
    problems = _problems(kb_copy)
    assert any(
        "modalities.yaml" in p and "'tca_cross'" in p and "sessions.min" in p and "number" in p
        for p in problems
    ), problems


def test_unknown_vocabulary_id_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        tca = next(m for m in data["modalities"] if m["id"] == "tca_cross")
        tca["suitability"]["icepick"] = tca["suitability"]["ice_pick"]

    _edit(kb_copy / "modalities.yaml", change)
    problems = _problems(kb_copy)
    assert any("suitability.icepick" in p and "'tca_cross'" in p for p in problems), problems


def test_unknown_source_id_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        tca = next(m for m in data["modalities"] if m["id"] == "tca_cross")
        tca["interval_weeks"]["sources"] = ["NO-SUCH-PAPER"]

    _edit(kb_copy / "modalities.yaml", change)
    problems = _problems(kb_copy)
    assert any(
        "unknown source id 'NO-SUCH-PAPER'" in p and "interval_weeks.sources.0" in p
        for p in problems
    ), problems


def test_missing_citation_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        tca = next(m for m in data["modalities"] if m["id"] == "tca_cross")
        del tca["downtime_days"]["sources"]

    _edit(kb_copy / "modalities.yaml", change)
    problems = _problems(kb_copy)
    assert any("'tca_cross'" in p and "downtime_days" in p for p in problems), problems


def test_uncited_number_in_prose_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["scar_types"][0]["morphology"]["sources"] = []

    _edit(kb_copy / "scar_types.yaml", change)
    problems = _problems(kb_copy)
    assert any("scar_types.yaml" in p and "morphology" in p for p in problems), problems


def test_unused_source_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["sources"].append(
            {
                "id": "ORPHAN2020",
                "citation": "An orphan paper",
                "tier": "study",
                "read": "abstract",
                "pmid": "1",
            }
        )

    _edit(kb_copy / "sources.yaml", change)
    problems = _problems(kb_copy)
    assert any("'ORPHAN2020'" in p and "never cited" in p for p in problems), problems


def test_source_without_locator_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        for key in ("doi", "pmid", "pmcid", "url"):
            data["sources"][0].pop(key, None)

    _edit(kb_copy / "sources.yaml", change)
    problems = _problems(kb_copy)
    assert any("doi, pmid, pmcid or url" in p for p in problems), problems


def test_missing_vocabulary_entry_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["scar_types"] = [s for s in data["scar_types"] if s["id"] != "keloid"]

    _edit(kb_copy / "scar_types.yaml", change)
    problems = _problems(kb_copy)
    assert any("'keloid'" in p for p in problems), problems


def test_duplicate_id_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["scar_types"].append(data["scar_types"][0])

    _edit(kb_copy / "scar_types.yaml", change)
    assert any("duplicate id 'ice_pick'" in p for p in _problems(kb_copy))


def test_reversed_range_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        tca = next(m for m in data["modalities"] if m["id"] == "tca_cross")
        tca["interval_weeks"]["min"], tca["interval_weeks"]["max"] = 9, 1

    _edit(kb_copy / "modalities.yaml", change)
    assert any("greater than max" in p for p in _problems(kb_copy))


def test_syntax_error_names_the_file(kb_copy: Path) -> None:
    (kb_copy / "agents.yaml").write_text("agents: [unclosed\n")
    assert any(p.startswith("agents.yaml") and "YAML" in p for p in _problems(kb_copy))


def test_safety_rule_on_low_tier_sources_only_is_rejected(kb_copy: Path) -> None:
    sources = yaml.safe_load((kb_copy / "sources.yaml").read_text())["sources"]
    low = next(s["id"] for s in sources if s["tier"] == "low")

    def change(data: dict) -> None:  # type: ignore[type-arg]
        # An exclusion with sources and no policy: only the low-tier rule can reject it.
        effect = next(
            e
            for condition in data["conditions"]
            for e in condition["effects"]
            if e["action"] == "exclude" and e.get("sources") and not e.get("policy")
        )
        effect["sources"] = [low]

    _edit(kb_copy / "conditions.yaml", change)
    assert any("low-tier" in p for p in _problems(kb_copy))


def test_all_problems_are_reported_together(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["scar_types"][0]["atrophic"] = "yes"
        data["scar_types"][1]["refer"] = "no"

    _edit(kb_copy / "scar_types.yaml", change)
    problems = _problems(kb_copy)
    assert sum("scar_types.yaml" in p for p in problems) >= 2, problems


def test_scar_type_scale_mapping_must_name_real_scale_items(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["scar_types"][0]["scales"]["ecca_item"] = "w_shaped"

    _edit(kb_copy / "scar_types.yaml", change)
    assert any("scales.ecca_item" in p and "'w_shaped'" in p for p in _problems(kb_copy))


def test_every_procedure_has_a_dated_price_range(knowledge: KnowledgeBase) -> None:
    assert set(knowledge.prices) == set(Modality)
    for modality, price in knowledge.prices.items():
        assert price.currency == "USD", modality
        assert price.max is not None, modality
        assert price.min <= price.max, modality
        assert 2000 <= price.year <= 2026, modality
        assert price.note, modality
        assert price.sources, modality


def test_a_procedure_without_a_price_is_rejected_by_name(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["prices"] = [p for p in data["prices"] if p["modality"] != "subcision"]

    _edit(kb_copy / "prices.yaml", change)
    problems = _problems(kb_copy)
    assert any(
        "prices.yaml" in p and "no price for the procedure 'subcision'" in p for p in problems
    ), problems


def test_a_second_price_for_one_procedure_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["prices"].append(dict(data["prices"][0]))

    _edit(kb_copy / "prices.yaml", change)
    problems = _problems(kb_copy)
    assert any("a second price for the procedure" in p for p in problems), problems


def test_a_price_per_syringe_needs_the_syringes_per_session(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        filler = next(p for p in data["prices"] if p["modality"] == "ha_filler")
        filler["per"] = "syringe"

    _edit(kb_copy / "prices.yaml", change)
    problems = _problems(kb_copy)
    assert any("ha_filler" in p and "units_per_session" in p for p in problems), problems


def test_every_procedure_has_a_course_length_a_downtime_and_a_course_interval(
    knowledge: KnowledgeBase,
) -> None:
    for modality, entry in knowledge.modalities.items():
        assert entry.sessions is not None, modality
        assert entry.downtime_days is not None, modality
        if (entry.sessions.usual or entry.sessions.min or 0) >= 2:
            assert entry.interval_weeks is not None, modality


def test_a_procedure_without_a_downtime_or_a_course_interval_is_rejected(kb_copy: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        for entry in data["modalities"]:
            if entry["id"] == "prp":
                del entry["downtime_days"]
            if entry["id"] == "tca_cross":
                del entry["interval_weeks"]

    _edit(kb_copy / "modalities.yaml", change)
    problems = _problems(kb_copy)
    assert any("'prp'" in p and "no downtime" in p for p in problems), problems
    assert any("'tca_cross'" in p and "without an interval" in p for p in problems), problems
