"""The raw-YAML walkers that find uncited numbers and every cited source id."""

from __future__ import annotations

from scarplan.knowledge.citations import source_references, uncited_numbers


def test_number_beside_sources_is_cited() -> None:
    assert list(uncited_numbers({"x": {"min": 1, "sources": ["A"]}})) == []


def test_number_without_sources_is_reported_with_its_path() -> None:
    found = list(uncited_numbers({"items": [{"id": "a", "weight": 15}]}))
    assert found == [(("items", 0, "weight"), "weight")]


def test_list_of_numbers_counts_as_a_number() -> None:
    assert list(uncited_numbers({"percent": [0.1, 0.3]}))


def test_digits_in_prose_need_a_source_but_names_do_not() -> None:
    assert list(uncited_numbers({"note": "lasts 6 months"}))
    assert not list(uncited_numbers({"name": "Fractional CO2", "note": "no digits here"}))


def test_booleans_are_not_numbers() -> None:
    assert not list(uncited_numbers({"atrophic": True}))


def test_empty_sources_list_does_not_cite() -> None:
    assert list(uncited_numbers({"min": 1, "sources": []}))


def test_source_references_yield_every_id_with_its_path() -> None:
    document = {"a": [{"sources": ["X", "Y"]}], "b": {"c": {"sources": ["Z"]}}}
    assert list(source_references(document)) == [
        (("a", 0, "sources", 0), "X"),
        (("a", 0, "sources", 1), "Y"),
        (("b", "c", "sources", 0), "Z"),
    ]
