"""Consoles and the one place where scarplan errors become exit codes and messages."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

from scarplan.domain.errors import ScarplanError

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def print_json(data: Any) -> None:
    """JSON goes to stdout unstyled so scripts can parse it."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def report_error(error: ScarplanError) -> int:
    count = len(error.problems)
    suffix = f" ({count} problem{'s' if count != 1 else ''})" if count else ""
    err.print(f"[bold red]error:[/] {error.message}{suffix}", markup=True)
    for problem in error.problems:
        err.print(f"  - {problem}", markup=False)
    return EXIT_BAD_INPUT
