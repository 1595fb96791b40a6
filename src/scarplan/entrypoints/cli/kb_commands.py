"""`scarplan kb validate|list|show`."""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.table import Table

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out, print_json
from scarplan.entrypoints.cli.kb_render import render_entry
from scarplan.services.knowledge import (
    EntryKind,
    list_entries,
    show_entry,
    validate_knowledge_base,
)

app = typer.Typer(help="Validate and browse the clinical knowledge base.", no_args_is_help=True)


@app.command("validate")
def validate(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Check every file: schema, ids, citations. Exit 2 with every problem found."""
    summary = validate_knowledge_base(bootstrap().settings.knowledge_dir)
    if as_json:
        print_json({"valid": True, **asdict(summary)})
        return
    counts = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
    out.print(f"[green]knowledge base valid[/]: {counts}")
    out.print(f"{summary.unverified_values} values are marked unverified (see docs).")
    if summary.gaps:
        out.print(f"[yellow]{len(summary.gaps)} gaps[/] (the sources give no figure):")
        for gap in summary.gaps:
            out.print(f"  - {gap}", markup=False)


@app.command("list")
def list_(
    kind: EntryKind | None = typer.Argument(None, help="Which entries; all kinds if omitted."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List entries of one kind (scar-types, modalities, agents, conditions, sources)."""
    knowledge = bootstrap().knowledge
    kinds = [kind] if kind else list(EntryKind)
    listing = {k.value: list_entries(knowledge, k) for k in kinds}
    if as_json:
        print_json({k: [asdict(row) for row in rows] for k, rows in listing.items()})
        return
    for name, rows in listing.items():
        table = Table(title=name, title_justify="left")
        table.add_column("id", no_wrap=True)
        table.add_column("name", overflow="fold")
        table.add_column("", overflow="fold")
        for row in rows:
            table.add_row(row.id, row.name, row.detail)
        out.print(table)


@app.command("show")
def show(
    entry_id: str = typer.Argument(..., metavar="ID", help="A scar type, procedure, agent, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one entry as a readable page with its sources."""
    knowledge = bootstrap().knowledge
    page = show_entry(knowledge, entry_id)
    if as_json:
        print_json(
            {
                "kind": page.kind,
                "entry": page.entry.model_dump(mode="json"),
                "sources": [source.model_dump(mode="json") for source in page.sources],
            }
        )
        return
    render_entry(out, page)
