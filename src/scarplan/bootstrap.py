"""The composition root: settings -> knowledge base -> services. No work at import time."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from scarplan.knowledge import KnowledgeBase, load_knowledge_base
from scarplan.settings import Settings, load_settings


@dataclass
class Container:
    """What a CLI command or web request needs, built lazily once per process."""

    settings: Settings

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        return load_knowledge_base(self.settings.knowledge_dir)


def bootstrap(settings: Settings | None = None) -> Container:
    return Container(settings=settings if settings is not None else load_settings())
