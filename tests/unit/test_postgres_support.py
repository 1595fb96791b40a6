"""The PostgreSQL test server: a machine without it fails loudly instead of skipping."""

from __future__ import annotations

import glob
import shutil
from pathlib import Path

import pytest

from support import postgres


def test_missing_server_binaries_are_an_error_that_says_how_to_install_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(glob, "glob", lambda _pattern: [])

    with pytest.raises(RuntimeError, match="make test"):
        postgres.find_bindir()


def test_the_newest_installed_server_is_chosen_without_pg_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for version, has_initdb in [("9.6", True), ("13", True), ("15", True), ("16", False)]:
        bindir = tmp_path / version / "bin"
        bindir.mkdir(parents=True)
        if has_initdb:
            (bindir / "initdb").touch()
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    installed = [str(path) for path in tmp_path.glob("*/bin")]
    monkeypatch.setattr(glob, "glob", lambda _pattern: installed)

    assert postgres.find_bindir() == tmp_path / "15" / "bin"
