"""Jinja2 templates with the labels and formats every page shares."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Template
from jinja2.runtime import Context
from markupsafe import Markup, escape

from scarplan.adapters.content_cache import ContentCache
from scarplan.adapters.presentation.face_map import (
    EYES,
    FACE_ORDER,
    FACE_SHAPES,
    HEAD_OUTLINE,
    count_band,
)
from scarplan.adapters.presentation.medical_history import (
    HISTORY_LISTS,
    PRIOR_PROCEDURE_KINDS,
    history_label,
)
from scarplan.adapters.presentation.wording import day, label, money, plan_note
from scarplan.adapters.presentation.words import NOWHERE, Where, said, said_warning
from scarplan.domain.errors import FieldProblem
from scarplan.domain.vocabulary import Modality, Region, ScarType
from scarplan.entrypoints.web.forms import PARAMETER_FIELDS
from scarplan.services.clinic.core.access import Permission, can
from scarplan.services.clinic.core.context import Actor
from scarplan.services.clinic.plans.plans import PlanView

TEMPLATES = Path(__file__).parent / "templates"


def may(actor: Actor | None, permission: str) -> bool:
    """Whether the page shows a link or button: the services enforce the same rule anyway."""
    return isinstance(actor, Actor) and can(actor, Permission(permission))


def refs(numbers: Iterable[int], prefix: str = "ref") -> Markup:
    """Superscript links to numbered sources ('1,2'), for a cited sentence."""
    links = ",".join(f'<a href="#{prefix}-{n}">{n}</a>' for n in numbers)
    return Markup(f'<sup class="refs">{links}</sup>') if links else Markup("")


def _where(where: object = None, lesions: Iterable[Any] | None = None) -> Where:
    base = where if isinstance(where, Where) else NOWHERE
    return replace(base, lesions=tuple(lesions)) if lesions else base


def said_filter(problem: FieldProblem, where: object = None) -> str:
    """A problem in words for a page (`where`: the page's `Where`, when it set one)."""
    return said(problem, _where(where))


def warning_filter(text: str, lesions: Iterable[Any] | None = None, where: object = None) -> str:
    """An assessment warning in words, naming scar groups by the lesions it was scored from."""
    return said_warning(text, _where(where, lesions))


def source_links(ids: Iterable[str] | None) -> Markup:
    """The knowledge base's sources as links, comma-separated (`sources(ids)` in templates)."""
    if not ids:
        return Markup("")
    links = ", ".join(f'<a href="/kb/{escape(s)}">{escape(s)}</a>' for s in ids)
    return Markup(f'<span class="sources">{links}</span>')


def data_label(text: str | None) -> Markup:
    """A table cell's column name for the narrow-screen cards (`label(text)` in templates;
    partials/macros.html, "Tables that become cards")."""
    return Markup(f'data-label="{escape(text)}"') if text else Markup("")


# The contexts a render makes (the page's own, and one per include, import and macro call),
# collected while it runs so that it can empty them when it ends.
_RENDER_CONTEXTS: ContextVar[list[Context] | None] = ContextVar("render_contexts", default=None)


class _CollectedContext(Context):
    """A Jinja context that joins the running render's list of contexts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        collected = _RENDER_CONTEXTS.get()
        if collected is not None:
            collected.append(self)


def render_template(template: Template, variables: dict[str, Any]) -> str:
    """`template.render(variables)`, leaving no reference cycles behind.

    A template's macros close over its context, which holds the macros: each render left a
    cycle that held the whole page's data (a plan page: about 450 objects) until a garbage
    collector pass found it, and those passes grew with it (in process a full pass took 14 ms,
    3.6 ms without the cycles; docs/web.md, "Garbage"). Emptying the render's contexts when it
    ends breaks the cycles, so reference counting frees the page at once."""
    collected: list[Context] = []
    token = _RENDER_CONTEXTS.set(collected)
    try:
        context = template.new_context(variables)
        try:
            return template.environment.concat(template.root_render_func(context))
        except Exception:
            template.environment.handle_exception()
    finally:
        _RENDER_CONTEXTS.reset(token)
        for made in collected:
            made.vars.clear()
            made.exported_vars.clear()


def page_response(
    request: Request, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """The page `name` rendered with `context` (and the request, as Starlette's templates
    give it), rendered by `render_template`."""
    templates: Jinja2Templates = request.app.state.templates
    variables = {**context, "request": request}
    return HTMLResponse(render_template(templates.get_template(name), variables), status)


# The plan page's sections drawn from its document alone, kept by the document's digest.
_FROM_DOCUMENTS: ContentCache[Markup] = ContentCache()


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES)
    env = templates.env
    env.auto_reload = False  # templates ship with the package; no stat() per render
    env.context_class = _CollectedContext  # see render_template
    env.filters.update(label=label, money=money, day=day, may=may, history_label=history_label)
    env.filters["refs"] = refs
    env.filters.update(said=said_filter, said_warning=warning_filter)
    env.filters["plan_note"] = plan_note
    env.globals.update(sources=source_links, label=data_label)

    def from_document(name: str, plan: PlanView) -> Markup:
        """Template `name` drawn from `plan`'s document alone (as `d`): rendered once per
        document, then kept (a plan version is never edited; adapters/content_cache.py)."""
        return _FROM_DOCUMENTS.get_or_make(
            f"{name}:{plan.document_digest}",
            lambda: Markup(render_template(env.get_template(name), {"d": plan.document})),
        )

    env.globals["from_document"] = from_document
    env.globals.update(
        regions=list(Region),
        scar_types=[ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING],
        modalities=list(Modality),
        face_shapes=FACE_SHAPES,
        face_order=FACE_ORDER,
        face_head=HEAD_OUTLINE,
        face_eyes=EYES,
        face_band=count_band,
        history_lists=HISTORY_LISTS,
        prior_procedure_kinds=PRIOR_PROCEDURE_KINDS,
        session_parameters=PARAMETER_FIELDS,
    )
    return templates
