"""No input, however malformed, makes the case parser raise anything but InputError."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarplan.adapters.casefile import parse_case_text
from scarplan.domain.errors import InputError

TODAY = date(2026, 11, 21)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
    st.sampled_from(["ice_pick", "cheek_left", "III", "stopped", "sharp", "2026-11-21", "1"]),
)
keys = st.sampled_from(
    [
        "scarplan_case",
        "patient",
        "assessment",
        "preferences",
        "id",
        "lesions",
        "region",
        "type",
        "count",
        "width_mm",
        "depth_mm",
        "date",
        "fitzpatrick",
        "fitzpatrick_answers",
        "isotretinoin",
        "status",
        "stopped_on",
        "avoid",
        "from",
        "to",
        "budget",
        "amount",
        "currency",
    ]
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)
    ),
    max_leaves=25,
)


def _parse(text: str, *, json_format: bool = False) -> None:
    """Success or an InputError are both fine; any other exception fails the test."""
    with contextlib.suppress(InputError):
        parse_case_text(text, TODAY, json_format=json_format)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _parse(text)
    _parse(text, json_format=True)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(documents)
def test_structured_nonsense_never_crashes(document: Any) -> None:
    _parse(yaml.safe_dump(document))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    patient=st.dictionaries(keys, scalars, max_size=5),
    lesion=st.dictionaries(keys, scalars, max_size=6),
)
def test_nearly_valid_cases_never_crash(patient: dict[str, Any], lesion: dict[str, Any]) -> None:
    document = {
        "scarplan_case": 1,
        "patient": {"id": "P-1", **patient},
        "assessment": {"date": "2026-11-20", "lesions": [{"region": "chin", "count": 1, **lesion}]},
    }
    _parse(yaml.safe_dump(document))
