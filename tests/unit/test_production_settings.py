"""The app refuses to start with unsafe production settings, saying what to set."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from scarplan.domain.errors import InputError
from scarplan.services.clinic.accounts.setup import (
    demo_secret_key,
    production_problems,
    refuse_unsafe_production,
)
from scarplan.settings import Settings

GOOD_KEY = secrets.token_urlsafe(48)


def test_a_random_key_and_secure_cookies_pass(tmp_path: Path) -> None:
    assert production_problems(Settings(data_dir=tmp_path, secret_key=GOOD_KEY)) == []


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "is not set"),
        ("change-me-change-me-change-me-change-me", "looks like a placeholder"),
        ("a" * 40, "looks like a placeholder"),
    ],
)
def test_a_missing_or_placeholder_key_is_refused(
    tmp_path: Path, key: str | None, message: str
) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=key)
    with pytest.raises(InputError) as error:
        refuse_unsafe_production(settings)
    assert [(p.path, p.message) for p in error.value.problems] == [("SCARPLAN_SECRET_KEY", message)]
    assert "secrets.token_urlsafe" in error.value.problems[0].hint


def test_the_demo_key_is_refused_outside_demo_mode(tmp_path: Path) -> None:
    key = demo_secret_key(tmp_path)
    problems = production_problems(Settings(data_dir=tmp_path, secret_key=key))
    assert [p.message for p in problems] == ["is the demo key"]
    assert production_problems(Settings(data_dir=tmp_path, secret_key=key, demo=True)) == []


def test_cookies_without_tls_are_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=GOOD_KEY, secure_cookies=False)
    problems = production_problems(settings)
    assert [p.path for p in problems] == ["SCARPLAN_SECURE_COOKIES"]
    assert "HTTPS" in problems[0].hint


@pytest.mark.parametrize("everyone", ["0.0.0.0/0", "127.0.0.1,::/0"])
def test_trusting_every_address_as_a_proxy_is_refused(tmp_path: Path, everyone: str) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=GOOD_KEY, trusted_proxies=everyone)
    problems = production_problems(settings)
    assert [p.path for p in problems] == ["SCARPLAN_TRUSTED_PROXIES"]
    assert (
        production_problems(
            Settings(data_dir=tmp_path, secret_key=GOOD_KEY, trusted_proxies="127.0.0.1,::1")
        )
        == []
    )
