"""The sign-in throttle, counted in the database: per (address, name), an address ceiling, a
window that forgets, and the same counts for every app process."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from scarplan.adapters.db import SqlUnitOfWork, make_engine
from scarplan.domain.errors import RateLimitedError
from scarplan.services.clinic.accounts.sign_in_throttle import SignInThrottle, address_key
from scarplan.services.clinic.core.context import Clinic
from support.clock import FrozenClock

pytestmark = pytest.mark.db
MINUTE = timedelta(minutes=1)


def test_failures_on_other_names_do_not_refuse_a_name_below_the_ceiling(clinic: Clinic) -> None:
    throttle = SignInThrottle(clinic, name_limit=3, address_limit=10, window=MINUTE)
    for number in range(9):
        throttle.failed("192.0.2.1", f"nobody{number}")

    throttle.check("192.0.2.1", "dr.lee")
    throttle.failed("192.0.2.1", "nobody9")
    with pytest.raises(RateLimitedError):
        throttle.check("192.0.2.1", "dr.lee")
    throttle.check("192.0.2.2", "dr.lee")  # another address is counted apart


def test_one_name_is_refused_after_its_limit_and_again_after_the_window(
    clinic: Clinic, clock: FrozenClock
) -> None:
    throttle = SignInThrottle(clinic, name_limit=3, address_limit=10, window=MINUTE)
    for _ in range(3):
        throttle.failed("192.0.2.1", " Dr.Lee")  # the name as accounts match it
    with pytest.raises(RateLimitedError):
        throttle.check("192.0.2.1", "dr.lee")

    clock.current += MINUTE + timedelta(seconds=1)
    throttle.check("192.0.2.1", "dr.lee")


def test_failures_that_left_the_window_are_deleted(clinic: Clinic, clock: FrozenClock) -> None:
    throttle = SignInThrottle(clinic, window=MINUTE)
    for number in range(20):
        throttle.failed(f"192.0.2.{number}", f"name{number}")
    assert throttle.held() == 40  # per address, and per address and name

    clock.current += MINUTE + timedelta(seconds=1)
    throttle.failed("198.51.100.1", "dr.lee")
    assert throttle.held() == 2


def test_a_very_long_name_is_counted_by_its_start(clinic: Clinic) -> None:
    throttle = SignInThrottle(clinic, name_limit=2, address_limit=10, window=MINUTE)
    throttle.failed("192.0.2.1", "x" * 1_000_000)
    throttle.failed("192.0.2.1", "x" * 500)
    with pytest.raises(RateLimitedError):
        throttle.check("192.0.2.1", "x" * 200)


def test_two_app_processes_count_the_same_failures(clinic: Clinic) -> None:
    # A second process: its own engine and connection pool on the same database.
    url = clinic.uow.engine.url.render_as_string(hide_password=False)
    other_engine = make_engine(url)
    try:
        other = replace(clinic, uow=SqlUnitOfWork(other_engine))
        first = SignInThrottle(clinic, name_limit=4, address_limit=50, window=MINUTE)
        second = SignInThrottle(other, name_limit=4, address_limit=50, window=MINUTE)
        for throttle in (first, second, first, second):
            throttle.failed("203.0.113.9", "dr.lee")
        for throttle in (first, second):
            with pytest.raises(RateLimitedError):
                throttle.check("203.0.113.9", "dr.lee")
    finally:
        other_engine.dispose()


def test_an_ipv6_client_is_counted_per_64_block() -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("203.0.113.5") == "203.0.113.5"
    assert address_key("testclient") == "testclient"


@pytest.mark.parametrize("name", ["dr.\udfff", "dr.\x00lee"])
def test_a_name_that_is_not_valid_text_is_counted_too(clinic: Clinic, name: str) -> None:
    throttle = SignInThrottle(clinic, name_limit=1, address_limit=10, window=MINUTE)
    throttle.failed("192.0.2.1", name)
    with pytest.raises(RateLimitedError):
        throttle.check("192.0.2.1", name)
