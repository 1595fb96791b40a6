"""Jinja2 templates with the labels and formats every page shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
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


# The plan page's sections drawn from its document alone, kept by the document's digest.
_FROM_DOCUMENTS: ContentCache[Markup] = ContentCache()


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES)
    env = templates.env
    env.auto_reload = False  # templates ship with the package; no stat() per render
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
            lambda: Markup(env.get_template(name).render(d=plan.document)),
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
