"""Questionnaire instruments: the shipped ones, a licensed one from the clinic's directory, and
files that are wrong, named by file and field. The licensed instrument here is made up."""

from __future__ import annotations

from pathlib import Path

import pytest

from scarplan.domain.errors import InputError, KnowledgeBaseError
from scarplan.knowledge.instrument_catalogue import load_instruments, score, score_range

FAKE = """\
scarplan_instrument: 1
id: made_up_scar_scale
version: "2.1"
title: Made-up Scar Scale (test only)
patient_title: A pretend questionnaire
kind: condition_specific
instructions: Pick anything; this instrument does not exist.
items:
  - id: pretend_one
    text: How purple is the moon today?
    options:
      - {value: 0, label: Not at all purple}
      - {value: 2, label: Somewhat purple}
      - {value: 4, label: Entirely purple}
  - id: pretend_two
    text: How many teaspoons tall is your umbrella?
    options:
      - {value: 1, label: One}
      - {value: 3, label: Three}
scoring: {rule: mean, higher_is_better: true}
sources:
  - citation: Nobody N. An instrument invented for a test. Journal of Nothing. 2026.
licence: Made up for scarplan's tests; not a real instrument.
"""


def test_the_shipped_instruments_load_with_their_sources() -> None:
    catalogue = load_instruments(None)
    assert [i.id for i in catalogue.instruments] == ["pgi_i", "satisfaction"]
    assert catalogue.licensed == frozenset()
    pgi = catalogue.get("pgi_i")
    assert pgi is not None
    assert [o.value for o in pgi.items[0].options] == [1, 2, 3, 4, 5, 6, 7]
    assert pgi.sources[0].doi == "10.1067/mob.2003.379"
    assert score_range(pgi) == (1.0, 7.0)


def test_a_licensed_instrument_is_read_from_the_clinics_directory(tmp_path: Path) -> None:
    (tmp_path / "made_up.yaml").write_text(FAKE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an instrument", encoding="utf-8")
    catalogue = load_instruments(tmp_path)
    assert [i.id for i in catalogue.instruments] == ["pgi_i", "satisfaction", "made_up_scar_scale"]
    assert catalogue.licensed == frozenset({"made_up_scar_scale"})
    fake = catalogue.get("made_up_scar_scale")
    assert fake is not None
    # mean of 4 and 1, by hand: 2.5; the range is the mean of the lowest (0, 1) and highest (4, 3)
    assert score(fake, {"pretend_one": 4, "pretend_two": 1}) == 2.5
    assert score_range(fake) == (0.5, 3.5)


def test_a_bad_file_is_refused_naming_the_file_and_the_field(tmp_path: Path) -> None:
    broken = FAKE.replace("{value: 3, label: Three}", "{value: 1, label: Three}").replace(
        "rule: mean", "rule: median"
    )
    (tmp_path / "broken.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as raised:
        load_instruments(tmp_path)
    paths = [p.path for p in raised.value.problems]
    assert "broken.yaml: items entry 'pretend_two': field options" in paths
    assert "broken.yaml: field scoring.rule" in paths
    hints = {p.path: p.hint for p in raised.value.problems}
    # The rule's message lists the rules; a problem with no fix of its own points at the docs.
    assert hints["broken.yaml: field scoring.rule"] == "use one of the values listed"
    assert "docs/operations.md" in hints["broken.yaml: items entry 'pretend_two': field options"]


def test_invalid_yaml_and_a_clashing_id_are_named(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: [unclosed", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(FAKE.replace("made_up_scar_scale", "pgi_i"), "utf-8")
    with pytest.raises(KnowledgeBaseError) as raised:
        load_instruments(tmp_path)
    messages = [str(p) for p in raised.value.problems]
    assert any(m.startswith("a.yaml: is not valid YAML") for m in messages)
    assert any("instrument 'pgi_i': is defined twice" in m for m in messages)


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="questionnaires"):
        load_instruments(tmp_path / "absent")


def test_scoring_sums_and_refuses_answers_it_does_not_offer() -> None:
    catalogue = load_instruments(None)
    pgi = catalogue.get("pgi_i")
    assert pgi is not None
    assert score(pgi, {"improvement": 2}) == 2.0
    with pytest.raises(InputError) as raised:
        score(pgi, {"improvement": 9, "extra": 1})
    assert [p.path for p in raised.value.problems] == ["answers.improvement", "answers.extra"]
    with pytest.raises(InputError) as missing:
        score(pgi, {})
    assert missing.value.problems[0].message == "is not answered"
