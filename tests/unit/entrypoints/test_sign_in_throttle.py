"""The sign-in throttle: per (address, name), an address ceiling, and a table that shrinks."""

from __future__ import annotations

import pytest

from scarplan.domain.errors import RateLimitedError
from scarplan.entrypoints.web import signin
from scarplan.entrypoints.web.signin import SignInThrottle, address_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_failures_on_other_names_do_not_refuse_a_name_below_the_ceiling(clock: Clock) -> None:
    throttle = SignInThrottle(name_limit=3, address_limit=10, window=60, clock=clock)
    for number in range(9):
        throttle.failed("192.0.2.1", f"nobody{number}")

    throttle.check("192.0.2.1", "dr.lee")
    throttle.failed("192.0.2.1", "nobody9")
    with pytest.raises(RateLimitedError):
        throttle.check("192.0.2.1", "dr.lee")
    throttle.check("192.0.2.2", "dr.lee")  # another address is counted apart


def test_one_name_is_refused_after_its_limit_and_again_after_the_window(clock: Clock) -> None:
    throttle = SignInThrottle(name_limit=3, address_limit=10, window=60, clock=clock)
    for _ in range(3):
        throttle.failed("192.0.2.1", " Dr.Lee")
    with pytest.raises(RateLimitedError):
        throttle.check("192.0.2.1", "dr.lee")

    clock.now += 61
    throttle.check("192.0.2.1", "dr.lee")


def test_entries_whose_failures_left_the_window_are_dropped(clock: Clock) -> None:
    throttle = SignInThrottle(window=60, clock=clock)
    for number in range(200):
        throttle.failed(f"192.0.2.{number % 250}", f"name{number}")
    assert len(throttle) > 200

    clock.now += 61 + signin.SWEEP_SECONDS
    throttle.check("198.51.100.1", "dr.lee")

    assert len(throttle) == 0


def test_the_table_never_holds_more_than_its_bound(clock: Clock) -> None:
    throttle = SignInThrottle(window=3600, max_keys=100, clock=clock)
    for number in range(1000):
        throttle.failed("192.0.2.1", f"name{number}")
        clock.now += 0.001
        assert len(throttle) <= 100 + 2
    with pytest.raises(RateLimitedError):  # the flooding address's own count was kept
        throttle.check("192.0.2.1", "dr.lee")


def test_an_ipv6_client_is_counted_per_64_block() -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("203.0.113.5") == "203.0.113.5"
    assert address_key("testclient") == "testclient"
