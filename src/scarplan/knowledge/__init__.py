"""The clinical knowledge base: cited YAML data, strict schemas, a loader that checks both."""

from scarplan.knowledge.base import KnowledgeBase
from scarplan.knowledge.loader import default_data_dir, load_knowledge_base

__all__ = ["KnowledgeBase", "default_data_dir", "load_knowledge_base"]
