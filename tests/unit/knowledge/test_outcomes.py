"""Published outcomes say improvement honestly (issue 20 item 5): a range is the improvement a
study reports (a mean, a span, or the band most patients reached), the other bands are
responders, and a range never runs from 0 % or to 100 % without complete clearance."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from scarplan.domain.errors import KnowledgeBaseError
from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase, load_knowledge_base
from scarplan.knowledge.schema.outcomes import (
    ImprovementRange,
    ResponderBand,
    in_short,
    plain_share,
)


def improvement(**values: object) -> ImprovementRange:
    return ImprovementRange.model_validate({"sources": ["KHUNGER2011"], **values})


def band(share: float, low: float | None = None, high: float | None = None) -> ResponderBand:
    return ResponderBand.model_validate(
        {"share_pct": share, "min_pct": low, "max_pct": high, "sources": ["KHUNGER2011"]}
    )


def test_a_range_from_zero_or_to_one_hundred_is_refused() -> None:
    with pytest.raises(ValidationError, match="starting at 0 %"):
        improvement(min=0, max=75)
    with pytest.raises(ValidationError, match="complete clearance"):
        improvement(min=30, max=100)
    with pytest.raises(ValidationError, match="complete clearance"):
        improvement(min=100)
    assert improvement(min=60, max=100, complete_clearance=True).max == 100


def test_a_mean_lies_inside_its_range() -> None:
    with pytest.raises(ValidationError, match="outside the range"):
        improvement(min=60, max=90, mean=95)
    assert improvement(min=60, max=90, mean=71.7).plain() == "improvement 60-90 % (mean 71.7 %)"


def test_the_basis_says_what_the_range_stands_for() -> None:
    assert improvement(min=50, max=75, basis="most").plain() == "most patients improved 50-75 %"
    assert improvement(min=80, max=80).plain() == "improvement 80 %"
    assert improvement(min=47.06, max=47.06, basis="mean").plain() == "mean improvement 47.06 %"


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (20, "1 in 5"),
        (73.3, "about 3 in 4"),
        (6.7, "1 in 15"),
        (41.7, "about 2 in 5"),
        (77.8, "7 in 9"),
        (3.4, "1 in 29"),
        (92, "92 %"),
        (100, "all"),
    ],
)
def test_a_share_of_patients_in_words(share: float, words: str) -> None:
    assert plain_share(share) == words


def test_bands_read_most_patients_first_then_by_improvement() -> None:
    # KHUNGER2011: over 70 % in 73.3 %, 50-70 % in 20 %, 30-49 % in 6.7 %.
    bands = (band(6.7, 30, 49), band(73.3, 70), band(20, 50, 70))
    assert in_short(None, bands) == (
        "most patients (about 3 in 4) improved more than 70 %; 1 in 5 50-70 %; 1 in 15 30-49 %"
    )
    # AMIN2014: no band holds a majority.
    bands = (band(41.7, 70), band(45, 51, 70), band(13.3, 30, 50))
    assert in_short(None, bands).startswith("the largest group (about 3 in 7) improved 51-70 %")


def test_no_shipped_outcome_claims_an_improvement_of_0_to_100(knowledge: KnowledgeBase) -> None:
    for entry in knowledge.modalities.values():
        for outcome in entry.outcomes:
            value = outcome.improvement_pct
            if value is not None:
                assert value.min is None or value.min > 0, (entry.id, outcome.summary)
                assert value.max is None or value.max < 100 or value.complete_clearance
            assert "30-100" not in outcome.in_short()
    tca = knowledge.modalities[Modality.TCA_CROSS]
    shorts = [o.in_short() for o in tca.outcomes if o.in_short()]
    assert shorts[0] == (
        "most patients (about 3 in 4) improved more than 70 %; 1 in 5 50-70 %; 1 in 15 30-49 %"
    )


def test_kb_validate_refuses_a_0_to_100_range_by_its_path(kb_copy: Path) -> None:
    path = kb_copy / "modalities.yaml"
    data = yaml.safe_load(path.read_text())
    peel = next(m for m in data["modalities"] if m["id"] == "chemical_peel_medium")
    peel["outcomes"][0]["improvement_pct"] = {"min": 0, "max": 100, "sources": ["ALWAIZ2002"]}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_copy)
    found = [str(p) for p in caught.value.problems]
    assert any(
        "'chemical_peel_medium'" in p and "outcomes.0.improvement_pct" in p and "0 %" in p
        for p in found
    ), found
