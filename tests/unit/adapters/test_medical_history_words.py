"""The intake's medical history in words: every id of the history's closed lists is offered once
on the form, and every id and earlier-procedure kind reads as words, never as the raw id."""

from __future__ import annotations

from collections import Counter

import pytest
from starlette.datastructures import FormData

from scarplan.adapters.casefile.schema import PRIOR_PROCEDURE_KINDS as CASE_FILE_KINDS
from scarplan.adapters.casefile.schema import PatientIn
from scarplan.adapters.presentation.medical_history import (
    HISTORY_LISTS,
    PRIOR_PROCEDURE_KINDS,
    history_label,
)
from scarplan.domain.vocabulary import Allergy, Implant, MedicalCondition, Medication
from scarplan.entrypoints.web.forms import patient_intake

LISTS = {
    "conditions": MedicalCondition,
    "allergies": Allergy,
    "implants": Implant,
    "medications": Medication,
}


def test_the_form_offers_each_case_file_list_with_every_id_once() -> None:
    assert [part.field for part in HISTORY_LISTS] == list(LISTS)
    for part in HISTORY_LISTS:
        assert part.field in PatientIn.model_fields
        offered = Counter(part.ids)
        assert set(offered) == {item.value for item in LISTS[part.field]}, part.field
        assert max(offered.values()) == 1, part.field


@pytest.mark.parametrize(
    "value",
    [item.value for ids in LISTS.values() for item in ids] + list(CASE_FILE_KINDS),
)
def test_every_id_reads_as_words(value: str) -> None:
    words = history_label(value)
    assert words != value
    assert "_" not in words


def test_an_earlier_procedure_may_be_every_kind_the_case_file_accepts() -> None:
    assert [kind for kind, _ in PRIOR_PROCEDURE_KINDS] == list(CASE_FILE_KINDS)
    assert dict(PRIOR_PROCEDURE_KINDS)["permanent_filler"] == "Permanent filler (silicone, PMMA)"


def test_the_form_fields_become_the_case_files_history() -> None:
    form = FormData(
        [
            ("code", "P-1"),
            ("conditions", "vitiligo"),
            ("conditions", "lupus"),
            ("implants", "facial_metal_implant"),
            ("prior_kind_0", "ha_filler"),
            ("prior_regions_0", "cheek_left"),
            ("prior_regions_0", "chin"),
            ("prior_kind_1", "prp"),
            ("prior_remove_1", "yes"),
            ("prior_kind_2", ""),
            ("prior_product_2", ""),
            ("prior_kind_10", "permanent_filler"),
            ("prior_product_10", "PMMA"),
            ("prior_date_10", "2012-03-04"),
        ]
    )
    patient = patient_intake(form)["patient"]
    assert patient["conditions"] == ["vitiligo", "lupus"]
    assert patient["implants"] == ["facial_metal_implant"]
    assert "allergies" not in patient  # nothing ticked: left out
    assert patient["prior_procedures"] == [
        {"kind": "ha_filler", "regions": ["cheek_left", "chin"]},
        {"kind": "permanent_filler", "product": "PMMA", "date": "2012-03-04"},  # row 10 after 2
    ]
