"""A page render leaves no reference cycles: its data is freed by reference counting when the
response is made, not by the garbage collector's next full pass (templating.render_template).

Jinja's macros close over the context that holds them, so a plain `Template.render` left every
page's data in a cycle; under load those cycles made the collector's passes the costliest work
outside the pages themselves (docs/web.md, "Garbage")."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from jinja2 import ChoiceLoader, DictLoader, Template

from scarplan.entrypoints.web.templating import make_templates, render_template

# A macro of the page's own, a macro imported with the page's context, and an include whose
# own macro reads the page's data: each kind of context a render makes.
PAGE = """{% from "partials/macros.html" import field_error with context %}
{% macro named(p) %}<b>{{ p.name }}</b>{% endmacro %}
{{ named(patient) }}{{ field_error("name") }}
{% include "partial.html" %}"""
PARTIAL = """{% macro again() %}<i>{{ patient.name }}</i>{% endmacro %}{{ again() }}"""


class Patient:
    """Stands for a page's data: anything a weak reference can follow."""

    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _page() -> Template:
    env = make_templates().env
    assert env.loader is not None
    env.loader = ChoiceLoader([DictLoader({"partial.html": PARTIAL}), env.loader])
    return env.from_string(PAGE)


def test_the_page_data_is_freed_when_the_render_ends(collector_off: None) -> None:
    page = _page()
    patient = Patient("Ana Silva")
    gone = weakref.ref(patient)
    html = render_template(page, {"patient": patient, "field_errors": {"name": "is missing"}})
    assert html.count("Ana Silva") == 2
    assert "is missing" in html
    del patient
    assert gone() is None, "the render kept the page's data in a reference cycle"


def test_a_plain_render_would_keep_it(collector_off: None) -> None:
    """The cycles are real: without render_template the data outlives the render."""
    page = _page()
    patient = Patient("Ana Silva")
    gone = weakref.ref(patient)
    page.render(patient=patient, field_errors={})
    del patient
    assert gone() is not None
    gc.collect()
    assert gone() is None


def test_an_error_in_a_template_is_raised_as_itself() -> None:
    env = make_templates().env
    broken = env.from_string("{% macro m(p) %}{{ p.name }}{% endmacro %}{{ m(patient) }}{{ 1/0 }}")
    with pytest.raises(ZeroDivisionError):
        render_template(broken, {"patient": Patient("Ana Silva")})
