"""`scarplan user add` through the real entry point applies the password policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scarplan.entrypoints.cli.app import main


def _usernames(capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["user", "list", "--json"]) == 0
    return [user["username"] for user in json.loads(capsys.readouterr().out)]


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "password123", "dr.kim is here", "short"])
def test_a_weak_password_is_refused_naming_the_field_and_adds_no_one(
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    password: str,
) -> None:
    monkeypatch.setenv("SCARPLAN_NEW_PASSWORD", password)

    assert main(["user", "add", "dr.kim", "--name", "Dr Kim"]) == 2

    error = capsys.readouterr().err
    assert "password:" in error
    assert "use at least 10 characters" in error
    assert _usernames(capsys) == []


def test_a_strong_password_adds_the_user(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCARPLAN_NEW_PASSWORD", "correct horse battery staple")

    assert main(["user", "add", "dr.kim", "--name", "Dr Kim"]) == 0
    assert _usernames(capsys) == ["dr.kim"]
