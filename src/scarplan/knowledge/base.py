"""The loaded, cross-checked knowledge base: entries by id, ready for the pure-logic layers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from scarplan.domain.errors import NotFoundError
from scarplan.domain.vocabulary import Agent, Modality, ScarType
from scarplan.knowledge.schema.agents import AgentConflict, AgentEntry
from scarplan.knowledge.schema.checklists import ChecklistItem
from scarplan.knowledge.schema.follow_up import FollowUpFile
from scarplan.knowledge.schema.homecare import HomeCareFile
from scarplan.knowledge.schema.modalities import ModalityEntry, PriceEstimate
from scarplan.knowledge.schema.rules import ConditionEntry, ConditionId, SequencingFile
from scarplan.knowledge.schema.scales import ScalesFile
from scarplan.knowledge.schema.scar_types import ScarTypeEntry
from scarplan.knowledge.schema.sources import Source
from scarplan.knowledge.schema.techniques import TechniquesFile


@dataclass(frozen=True)
class KnowledgeBase:
    sources: Mapping[str, Source]
    scar_types: Mapping[ScarType, ScarTypeEntry]
    modalities: Mapping[Modality, ModalityEntry]
    prices: Mapping[Modality, PriceEstimate]
    agents: Mapping[Agent, AgentEntry]
    conflicts: tuple[AgentConflict, ...]
    conditions: Mapping[ConditionId, ConditionEntry]
    sequencing: SequencingFile
    scales: ScalesFile
    homecare: HomeCareFile
    techniques: TechniquesFile
    follow_up: FollowUpFile
    """The check after a procedure and the outcome review after a course (follow_up.yaml)."""
    reviewed_on: date | None = None
    """When the evidence was last reviewed (sources.yaml `reviewed_on`); None if not recorded."""
    checklist: tuple[ChecklistItem, ...] = ()
    """The pre-procedure checklist items (checklists.yaml), in the order they are asked."""

    def entry(self, entry_id: str) -> BaseModel:
        """Any scar type, modality, agent, condition or source by its id."""
        for table in (self.scar_types, self.modalities, self.agents, self.conditions):
            for key, value in table.items():
                if key == entry_id:
                    return value
        if entry_id in self.sources:
            return self.sources[entry_id]
        raise NotFoundError(
            f"no knowledge-base entry has the id {entry_id!r}",
        )

    def all_ids(self) -> list[str]:
        ids: list[str] = []
        for table in (self.scar_types, self.modalities, self.agents, self.conditions):
            ids.extend(str(key) for key in table)
        ids.extend(self.sources)
        return ids
