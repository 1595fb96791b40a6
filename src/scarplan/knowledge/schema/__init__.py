"""Strict pydantic schemas for the knowledge-base YAML files."""

from scarplan.knowledge.schema.agents import AgentConflict, AgentEntry, AgentsFile
from scarplan.knowledge.schema.common import Cited, CitedRange, Statement
from scarplan.knowledge.schema.modalities import ModalitiesFile, ModalityEntry, PricesFile
from scarplan.knowledge.schema.rules import ConditionEntry, ConditionsFile, SequencingFile
from scarplan.knowledge.schema.scales import ScalesFile
from scarplan.knowledge.schema.scar_types import ScarTypeEntry, ScarTypesFile
from scarplan.knowledge.schema.sources import Source, SourcesFile

__all__ = [
    "AgentConflict",
    "AgentEntry",
    "AgentsFile",
    "Cited",
    "CitedRange",
    "ConditionEntry",
    "ConditionsFile",
    "ModalitiesFile",
    "ModalityEntry",
    "PricesFile",
    "ScalesFile",
    "ScarTypeEntry",
    "ScarTypesFile",
    "SequencingFile",
    "Source",
    "SourcesFile",
    "Statement",
]
