"""The patient report's glossary (adapters/reports/glossary.yaml) says clinical words plainly."""

from __future__ import annotations

import pytest

from scarplan.adapters.reports.content import Cited, Discussion
from scarplan.adapters.reports.glossary import glossary, in_plain_words


@pytest.mark.parametrize(
    ("clinical", "plain"),
    [
        (
            "Bruising (ecchymosis) and oedema after subcision.",
            "Bruising and swelling after subcision.",
        ),
        ("Transient erythema.", "Short-lived redness."),
        (
            "Post-inflammatory hyperpigmentation is more likely in darker skin.",
            "Skin darkening after inflammation is more likely in darker skin.",
        ),
        (
            "Types III-V carry a higher risk of PIH.",
            "Types III-V carry a higher risk of skin darkening after inflammation.",
        ),
        (
            "Re-epithelialisation within about one day.",
            "New skin covering the wound within about one day.",
        ),
        (
            "greater reduction than TCA CROSS (p < .001), fewer pigment changes",
            "greater reduction than TCA CROSS, fewer pigment changes",
        ),
        ("score 11.73 ± 3.12 fell to 6.5 ± 2.71", "score 11.73 fell to 6.5"),
        (
            "Split-face RCT, 3 sessions",
            "Trial comparing the two halves of the face, assigned by chance, 3 sessions",
        ),
        (
            "In a 72-patient RCT, 15% gel",
            "In a 72-patient trial comparing treatments in groups chosen by chance, 15% gel",
        ),
        (
            "60% vs 28% (difference not significant).",
            "60% vs 28% (the difference may have been chance).",
        ),
    ],
)
def test_a_clinical_phrase_is_said_plainly(clinical: str, plain: str) -> None:
    assert glossary().plain(clinical) == plain


def test_every_term_is_gone_after_the_glossary() -> None:
    words = glossary()
    for term in words.terms:
        assert not words.remaining(words.plain(f"Before {term.term} after.")), term.term


def test_ids_and_procedure_lists_are_kept() -> None:
    content = (Discussion("oedema after it", ("Subcision",)), Cited("RCT", (1, 2)))
    assert in_plain_words(content) == (
        Discussion("swelling after it", ("Subcision",)),
        Cited("Trial comparing treatments in groups chosen by chance", (1, 2)),
    )
