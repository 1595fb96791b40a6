"""Clinic policies named by knowledge-base rules must exist as settings."""

from __future__ import annotations

from scarplan.knowledge import KnowledgeBase
from scarplan.settings import Settings


def test_every_policy_id_in_the_knowledge_base_is_a_setting(knowledge: KnowledgeBase) -> None:
    settings_fields = set(Settings.model_fields)
    policies = {
        effect.policy
        for condition in knowledge.conditions.values()
        for effect in condition.effects
        if effect.policy is not None
    } | {rule.policy for rule in knowledge.sequencing.sequence if rule.policy is not None}
    assert policies, "expected at least one clinic policy in the rules"
    assert policies <= settings_fields, policies - settings_fields


def test_policy_settings_say_they_are_policies() -> None:
    for name, field in Settings.model_fields.items():
        if name.endswith("_policy"):
            assert field.description, name
            assert "policy" in field.description.lower(), name
