"""The client's address behind proxies: X-Forwarded-For is believed only from trusted hops."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from scarplan.domain.errors import InputError
from scarplan.entrypoints.web.client_address import resolve_client_address
from scarplan.settings import Settings, load_settings

PROXIES = (ip_network("127.0.0.1"), ip_network("10.0.0.0/8"), ip_network("fd00::/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        # No header, or a peer we do not trust: the peer, whatever the header says.
        ("127.0.0.1", [], "127.0.0.1"),
        ("198.51.100.7", ["203.0.113.5"], "198.51.100.7"),
        # One trusted proxy: the address it appended.
        ("127.0.0.1", ["203.0.113.5"], "203.0.113.5"),
        # A client's own forged entry sits to the left of what the proxy appended.
        ("127.0.0.1", ["1.2.3.4, 203.0.113.5"], "203.0.113.5"),
        # Two trusted hops (a load balancer, then nginx), header lines in order.
        ("127.0.0.1", ["1.2.3.4, 203.0.113.5", "10.1.2.3"], "203.0.113.5"),
        # Only trusted addresses: the leftmost of them.
        ("127.0.0.1", ["10.1.2.3"], "10.1.2.3"),
        # Garbage where a proxy would write an address: the last hop we can vouch for.
        ("127.0.0.1", ["203.0.113.5, not-an-address"], "127.0.0.1"),
        ("127.0.0.1", ["203.0.113.5, not-an-address, 10.1.2.3"], "10.1.2.3"),
        # IPv6, and IPv4 clients as a dual-stack proxy writes them.
        ("fd00::1", ["2001:db8::42"], "2001:db8::42"),
        ("127.0.0.1", ["::ffff:203.0.113.5"], "203.0.113.5"),
        ("::ffff:127.0.0.1", ["203.0.113.5"], "203.0.113.5"),
    ],
)
def test_the_client_is_the_rightmost_address_that_is_not_a_trusted_proxy(
    peer: str, forwarded_for: list[str], expected: str
) -> None:
    assert resolve_client_address(peer, forwarded_for, PROXIES) == expected


def test_with_no_trusted_proxies_the_header_is_never_believed() -> None:
    assert resolve_client_address("127.0.0.1", ["203.0.113.5"], ()) == "127.0.0.1"
    assert resolve_client_address("testclient", ["203.0.113.5"], PROXIES) == "testclient"


def test_trusted_proxies_are_read_from_a_comma_separated_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCARPLAN_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/8 ,::1")
    assert Settings().trusted_proxies == (
        ip_network("127.0.0.1"),
        ip_network("10.0.0.0/8"),
        ip_network("::1"),
    )
    monkeypatch.setenv("SCARPLAN_TRUSTED_PROXIES", "")
    assert Settings().trusted_proxies == ()


@pytest.mark.parametrize("value", ["10.0.0.1/8", "proxy.local", "127.0.0.1;10.0.0.2"])
def test_a_bad_trusted_proxy_entry_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SCARPLAN_TRUSTED_PROXIES", value)

    with pytest.raises(InputError) as error:
        load_settings()

    [problem] = error.value.problems
    assert problem.path == "SCARPLAN_TRUSTED_PROXIES"
    assert "is not an IP address or a network" in problem.message
