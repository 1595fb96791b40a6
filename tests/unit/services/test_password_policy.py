"""The password policy (NIST SP 800-63B): length, common passwords, patterns, names."""

from __future__ import annotations

import pytest

from scarplan.domain.errors import InputError
from scarplan.services.clinic.accounts.password_policy import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    check_password_policy,
    common_passwords,
    password_weakness,
)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short one", "shorter than"),
        ("x" * (MAX_PASSWORD + 1), "longer than"),
        ("aaaaaaaaaa", "repeated"),
        ("ZZZZZZZZZZZZ", "repeated"),
        ("abababababab", "repeated"),
        ("123123123123", "repeated"),
        ("1234567890", "sequential"),
        ("12345678901234", "sequential"),
        ("0987654321", "sequential"),
        ("abcdefghijkl", "sequential"),
        ("qwertyuiop", "sequential"),
        ("password123", "common"),
        ("Password2026!", "common"),
        ("iloveyou1234", "common"),
        ("qwerty123456", "common"),
        ("aaaaaa123456", "common"),
        ("hijklm######", "pattern"),
        ("dr.lee.rocks", "user name"),
        ("Dr.Lee2026!!", "user name"),
        ("scarplan2026", "app's name"),
        ("My ScarPlan key", "app's name"),
        ("\ud800 a lone surrogate", "not text"),
        ("nul \x00 inside it", "not text"),
    ],
)
def test_weak_passwords_are_refused_saying_why(password: str, why: str) -> None:
    weakness = password_weakness(password, "dr.lee")
    assert weakness is not None
    assert why in weakness


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "a long test password",
        "Tr0ub4dor&3x",
        "zebra glass 92",
        "ß" * 3 + "ünïcödé ok",
        "x" * 9 + "y",  # ten characters, not one repeated
    ],
)
def test_passwords_that_are_long_and_not_guessable_pass(password: str) -> None:
    assert password_weakness(password, "dr.lee") is None
    check_password_policy(password, username="dr.lee")


def test_the_refusal_names_the_field_and_says_how_to_fix_it() -> None:
    with pytest.raises(InputError) as error:
        check_password_policy("aaaaaaaaaa", username="dr.lee", field="new_password")

    [problem] = error.value.problems
    assert problem.path == "new_password"
    assert f"at least {MIN_PASSWORD} characters" in problem.hint
    assert "common passwords" in problem.hint


def test_a_short_user_name_is_refused_only_as_the_whole_password() -> None:
    assert password_weakness("ann ate a big pie", "ann") is None
    assert password_weakness("ann1234567", "ann") is not None


def test_the_shipped_list_holds_thousands_of_lower_case_common_passwords() -> None:
    listed = common_passwords()
    assert len(listed) > 10_000
    assert {"password", "iloveyou", "qwerty123", "1qaz2wsx"} <= listed
    assert all(entry == entry.lower() for entry in listed)
