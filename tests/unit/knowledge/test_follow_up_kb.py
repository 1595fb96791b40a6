"""follow_up.yaml is checked like every knowledge-base file: cited, closed windows, known ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scarplan.domain.errors import KnowledgeBaseError
from scarplan.knowledge import load_knowledge_base


def _broken(kb_copy: Path, change: Any) -> list[str]:
    path = kb_copy / "follow_up.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_copy)
    return [str(p) for p in caught.value.problems]


def test_an_uncited_window_is_refused(kb_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["checks"][0]["after_days"]["sources"]

    found = _broken(kb_copy, change)
    assert any("follow_up.yaml" in p and "after_days" in p for p in found), found


def test_an_unknown_source_is_refused(kb_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["outcome_review"]["sources"] = ["NO-SUCH-SOURCE"]

    found = _broken(kb_copy, change)
    assert any("NO-SUCH-SOURCE" in p for p in found), found


def test_an_open_window_is_refused(kb_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["outcome_review"]["after_months"]["max"]

    assert any("both min and max" in p for p in _broken(kb_copy, change))


def test_a_second_check_for_a_procedure_is_refused(kb_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["checks"].append(data["checks"][0])

    found = _broken(kb_copy, change)
    assert any("more than one check for punch_excision" in p for p in found), found
