"""`scarplan report CASE -o FILE`: writes the file by its suffix; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from scarplan.entrypoints.cli.app import main
from scarplan.services.demo_case import demo_cases_dir

MIXED = demo_cases_dir() / "mixed.yaml"


def test_report_writes_self_contained_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "nested" / "mixed.html"
    assert main(["report", str(MIXED), "-o", str(output)]) == 0
    html = output.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "Your acne scar treatment plan" in html
    assert "Wrote the patient report (HTML" in capsys.readouterr().out


def test_report_writes_a_clinician_pdf(tmp_path: Path) -> None:
    output = tmp_path / "mixed.pdf"
    assert main(["report", str(MIXED), "--variant", "clinician", "-o", str(output)]) == 0
    assert output.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["-o", "out.docx"], "output"),
        (["-o", "out.pdf", "--variant", "doctor"], "variant"),
    ],
)
def test_bad_options_exit_2_naming_the_field_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], field: str
) -> None:
    arguments = [a if not a.startswith("out.") else str(tmp_path / a) for a in arguments]
    assert main(["report", str(MIXED), *arguments]) == 2
    assert field in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_bad_case_file_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(MIXED.read_text().replace("count: 14", "count: -1"), encoding="utf-8")
    assert main(["report", str(case), "-o", str(tmp_path / "out.pdf")]) == 2
    assert "count" in capsys.readouterr().err
    assert not (tmp_path / "out.pdf").exists()
