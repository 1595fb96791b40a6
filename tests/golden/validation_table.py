"""Writes docs/clinical-validation.md from the golden plan cases' hand-written headers.

Run: .venv/bin/python tests/golden/validation_table.py (test_validation_doc.py fails when the
document is out of date). Each row is one case: what it pins, the rules it covers and every
knowledge-base source its hand reasoning cites.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "tests" / "golden" / "plan").glob("p*.yaml"))
DOC = ROOT / "docs" / "clinical-validation.md"
SOURCES = ROOT / "src" / "scarplan" / "knowledge" / "data" / "sources.yaml"
LABELS = ("Pins", "Covers", "Rules", "Sources", "Hand reasoning", "Re-derived")

HEAD = """# Clinical validation: the golden plan cases

Every row is a golden case in `tests/golden/plan/`: a patient, written by hand from the sources,
with the plan a specialist would expect (the technique per lesion group, the course lengths, the
order, the exclusions, the cost); `tests/golden/test_plan_golden.py` fails when the planner
disagrees. The expectations were derived by hand from the knowledge base and the clinical
reference, never copied from the planner's output; each file's header holds the full reasoning
(thresholds, scores, day arithmetic). A clinician reviewing the planner reads this table, then
the file of any row they doubt.

Columns: **case** (file), **what the plan does** (the case's own summary), **rules** (the
planner rules and knowledge-base entries it exercises; "issue 19" rules are in
`docs/planning.md` sections 3-6), **sources** (every source the case's reasoning cites; resolve
them with `scarplan kb show ID`).

Generated from the case headers by `tests/golden/validation_table.py`; do not edit by hand.

| case | what the plan does | rules | sources |
|---|---|---|---|
"""


def header(path: Path) -> dict[str, str]:
    """The header comment's labelled paragraphs (Pins, Covers, Rules, Sources, ...)."""
    found: dict[str, list[str]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line[1:].strip()
        label = next((lb for lb in LABELS if text.startswith(f"{lb}")), None)
        if label is not None and ":" in text[: len(label) + 30]:
            current = label
            text = text.split(":", 1)[1].strip()
        if current:
            found.setdefault(current, []).append(text)
    return {label: " ".join(lines).strip() for label, lines in found.items()}


def cited(path: Path, known: set[str]) -> list[str]:
    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    )
    words = set(re.findall(r"[A-Z][A-Z0-9-]*[A-Z0-9]", text.upper()))
    return sorted(words & known)


def cell(text: str) -> str:
    return text.replace("|", "/").strip()


def render() -> str:
    known = {s["id"] for s in yaml.safe_load(SOURCES.read_text(encoding="utf-8"))["sources"]}
    rows = []
    for path in CASES:
        parts = header(path)
        rules = parts.get("Rules") or parts.get("Covers", "")
        rows.append(
            f"| `{path.stem}` | {cell(parts.get('Pins', ''))} | {cell(rules)} | "
            f"{', '.join(cited(path, known))} |"
        )
    return HEAD + "\n".join(rows) + "\n"


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC.relative_to(ROOT)} ({len(CASES)} cases)\n")
