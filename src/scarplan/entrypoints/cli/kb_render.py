"""Readable knowledge-base pages for the terminal."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.tree import Tree

from scarplan.knowledge.schema.common import CitedRange
from scarplan.knowledge.schema.modalities import ModalityEntry
from scarplan.services.knowledge import EntryPage


def _cite(sources: tuple[str, ...]) -> str:
    return f"[dim][{', '.join(sources)}][/]" if sources else ""


def _range(value: CitedRange | None, unit: str = "") -> str:
    if value is None:
        return "[yellow]no published figure[/]"
    text = value.describe(unit)
    if value.note:
        text += f" ({value.note})"
    flag = " [yellow](unverified)[/]" if not value.verified else ""
    return f"{text}{flag} {_cite(value.sources)}"


def render_entry(console: Console, page: EntryPage) -> None:
    if isinstance(page.entry, ModalityEntry):
        _render_modality(console, page)
    else:
        console.print(_tree(page.entry, Tree(f"[bold]{page.kind}[/]")))
    _render_sources(console, page)


def _render_modality(console: Console, page: EntryPage) -> None:
    entry = page.entry
    assert isinstance(entry, ModalityEntry)
    console.print(
        Panel(
            entry.summary,
            title=f"[bold]{entry.name}[/] ({entry.id.value})",
            subtitle=entry.category.value,
        )
    )
    table = Table(title="Suitability by scar type", title_justify="left")
    for column in ("scar type", "rating", "why", "sources"):
        table.add_column(column, overflow="fold")
    for scar_type, suitability in entry.suitability.items():
        table.add_row(
            scar_type.value,
            suitability.rating.value,
            suitability.note,
            ", ".join(suitability.sources),
        )
    console.print(table)
    course = Table(title="Course and parameters", title_justify="left", show_header=False)
    course.add_column("what")
    course.add_column("value", overflow="fold")
    course.add_row("sessions", _range(entry.sessions))
    course.add_row("interval", _range(entry.interval_weeks, "weeks"))
    course.add_row("downtime", _range(entry.downtime_days, "days"))
    for parameter in entry.parameters:
        course.add_row(parameter.name, _range(parameter, parameter.unit))
    if page.price is not None:
        price = page.price
        course.add_row(
            "price (estimate)",
            f"{price.min:g}{f'-{price.max:g}' if price.max is not None else '+'} "
            f"{price.currency} per {price.per.value} ({price.year})"
            f"{_units(price.units_per_session, price.per.value)}"
            f" {price.note} {_cite(price.sources)}",
        )
    console.print(course)
    risks = Table(title="Risk by Fitzpatrick skin type", title_justify="left")
    for column in ("types", "level", "note"):
        risks.add_column(column, overflow="fold")
    for risk in entry.skin_type_risks:
        risks.add_row(
            ", ".join(t.value for t in risk.types),
            risk.level.value,
            f"{risk.note} {_cite(risk.sources)}",
        )
    console.print(risks)
    for title, statements in (
        (
            "Published outcomes",
            [
                (f"{o.summary} In short: {o.in_short()}." if o.in_short() else o.summary, o.sources)
                for o in entry.outcomes
            ],
        ),
        ("Risks", [(s.text, s.sources) for s in entry.risks]),
        ("Aftercare", [(s.text, s.sources) for s in entry.aftercare]),
        ("Notes", [(s.text, s.sources) for s in entry.notes]),
    ):
        if statements:
            console.print(f"[bold]{title}[/]")
            for text, sources in statements:
                console.print(f"  - {text} {_cite(sources)}")
    console.print(
        f"[bold]Evidence[/]: {entry.evidence.level.value}. {entry.evidence.note} "
        f"{_cite(entry.evidence.sources)}"
    )


def _label(name: object, value: object) -> str:
    shown = getattr(name, "value", name)
    return f"{shown} {_cite(getattr(value, 'sources', ()))}"


def _tree(value: Any, tree: Tree) -> Tree:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            field_value = getattr(value, name)
            if name == "sources":
                continue
            if isinstance(field_value, BaseModel | dict | tuple | list) and field_value:
                _tree(
                    field_value,
                    tree.add(f"[bold]{name}[/] {_cite(getattr(field_value, 'sources', ()))}"),
                )
            elif field_value not in (None, "", ()):
                shown = getattr(field_value, "value", field_value)
                tree.add(f"[bold]{name}[/]: {shown}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _tree(
                item,
                tree.add(f"{getattr(key, 'value', key)} {_cite(getattr(item, 'sources', ()))}"),
            )
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value, 1):
            label = getattr(item, "id", None) or getattr(item, "text", None) or f"#{index}"
            _tree(
                item,
                tree.add(f"{getattr(label, 'value', label)} {_cite(getattr(item, 'sources', ()))}"),
            )
    return tree


def _render_sources(console: Console, page: EntryPage) -> None:
    table = Table(title="Sources", title_justify="left")
    for column in ("id", "citation", "tier", "link"):
        table.add_column(column, overflow="fold")
    for source in page.sources:
        table.add_row(source.id, source.citation, source.tier.value, "\n".join(source.links))
    console.print(table)


def _units(units: CitedRange | None, per: str) -> str:
    """How many syringes or vials a session uses, for a price per syringe or vial."""
    if units is None:
        return ""
    return f", {_range(units, per + 's')} a session {_cite(units.sources)}"
