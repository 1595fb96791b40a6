"""In CI a skipped test fails the run (tests/conftest.py); outside CI it does not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).parents[1] / "conftest.py"


@pytest.mark.parametrize(("ci", "expected"), [("true", 1), ("", 0)])
def test_skips_fail_only_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str, expected: int
) -> None:
    shutil.copy(CONFTEST, pytester.path / "conftest.py")
    pytester.makepyfile(
        test_sample="""
        import pytest

        def test_runs():
            assert True

        def test_skipped():
            pytest.skip("not here")
        """
    )
    monkeypatch.setenv("CI", ci)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    assert result.ret == expected
