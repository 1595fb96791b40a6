"""Who sent a request: the one place the web app decides a client's address.

Behind a reverse proxy every request's direct peer is the proxy, so the sign-in throttle and
the audit trail need the address the proxy saw. The proxy says so in `X-Forwarded-For`, but any
client can send that header too: it is believed only when the direct peer is one of the
configured trusted proxies (`SCARPLAN_TRUSTED_PROXIES`), and then only as far as the trusted
hops go. Each proxy appends the address it received the request from, so reading the list from
the right, the first address that is not a trusted proxy is the client; anything to its left
was written by the client and proves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import TypeAlias

from fastapi import Request

logger = logging.getLogger(__name__)

Network: TypeAlias = IPv4Network | IPv6Network
FORWARDED_FOR = "x-forwarded-for"


def _parsed(text: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen by a dual-stack proxy arrives as ::ffff:a.b.c.d; it is the same client.
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPv4Address | IPv6Address, proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies if network.version == address.version)


def resolve_client_address(
    peer: str, forwarded_for: Iterable[str], proxies: tuple[Network, ...]
) -> str:
    """The client's address from the direct `peer` and the `X-Forwarded-For` header values (in
    the order received). With no trusted `proxies`, or a peer that is not one, the peer."""
    current = _parsed(peer)
    if current is None or not _trusted(current, proxies):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = _parsed(hop)
        if address is None:
            # A trusted proxy writes addresses only: this came from the client side, so the
            # last trusted hop is the best we know.
            logger.warning("X-Forwarded-For entry %r is not an address; using %s", hop, current)
            return str(current)
        current = address
        if not _trusted(current, proxies):
            return str(current)
    return str(current)


def client_address(request: Request) -> str:
    """The address of the client behind `request` (see the module's doc)."""
    peer = request.client.host if request.client is not None else ""
    proxies: tuple[Network, ...] = request.app.state.container.settings.trusted_proxies
    if not proxies:
        return peer
    return resolve_client_address(peer, request.headers.getlist(FORWARDED_FOR), proxies)
