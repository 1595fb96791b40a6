"""The CLI imports a command's modules only when that command runs (issue 23: fast CLI)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scarplan.entrypoints.cli.app import COMMANDS, main
from scarplan.services.demo_case import DEMO_CASE, demo_cases_dir

# What made `scarplan --version` take seconds: the planner, the 3D analysis, the PDF renderer and
# the database layer. None of them may load before a command that needs them runs.
HEAVY = ("ortools", "scipy", "pandas", "weasyprint", "sqlalchemy", "alembic", "skimage")


def _imported_after(args: list[str]) -> set[str]:
    probe = (
        "import sys\n"
        "from scarplan.entrypoints.cli.app import main\n"
        f"code = main({args!r})\n"
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return {name for name in last.split(",") if name and name in HEAVY}


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_nothing_heavy(args: list[str]) -> None:
    assert _imported_after(args) == set()


def test_assess_reads_a_case_without_the_database_or_the_planner() -> None:
    example = demo_cases_dir() / DEMO_CASE
    assert _imported_after(["assess", str(example)]) == set()


def test_every_command_summary_is_the_commands_own_help() -> None:
    for name, lazy in COMMANDS.items():
        command = lazy.load(name)
        first_line = (command.help or "").strip().split("\n\n")[0]
        assert " ".join(first_line.split()) == lazy.summary, name


def test_root_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    shown = capsys.readouterr().out
    for name in COMMANDS:
        assert f" {name} " in shown, name


def test_a_group_runs_under_its_own_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "--help"]) == 0
    assert "Usage: scarplan kb" in capsys.readouterr().out


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nonsense"]) == 2
    assert "nonsense" in capsys.readouterr().err
