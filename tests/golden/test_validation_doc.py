"""docs/clinical-validation.md lists every golden plan case as its header states it."""

from __future__ import annotations

from golden.validation_table import CASES, DOC, render


def test_the_validation_table_is_up_to_date() -> None:
    assert len(CASES) >= 50
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/clinical-validation.md is out of date: run "
        ".venv/bin/python tests/golden/validation_table.py"
    )


def test_every_case_says_what_it_pins_and_what_it_rests_on() -> None:
    """A source, or the knowledge-base rule, clinic policy or documented planner rule it
    exercises (safety rules with no source are clinic policies with defaults, by design)."""
    text = render()
    for path in CASES:
        row = next(line for line in text.splitlines() if f"`{path.stem}`" in line)
        pins, rules, sources = row.split(" | ")[1:4]
        assert pins.strip(), path.name
        rests_on = (".yaml", "policy", "planning.md", "issue 19")
        assert sources.strip(" |") or any(word in rules for word in rests_on), path.name
