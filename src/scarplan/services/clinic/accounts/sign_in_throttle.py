"""Failed sign-ins by client address, counted in the database so every app process sees them.

Besides the per-account lock (users.sign_in), failures are counted in a sliding window:

- per address and user name as typed: NAME_FAILURES, so one address cannot keep guessing one
  name (the account lock covers real accounts; this covers every name alike);
- per address, whatever the names: ADDRESS_FAILURES, a ceiling on spraying guesses over many
  names, set well above what a handful of mistyped names produces.

Names are counted the same whether an account exists or not, so the answers reveal nothing
about which accounts exist. IPv6 clients are counted per /64, the block one subscriber usually
holds. A failure's row is deleted once it has left the window, so the table holds one window's
failures at most (and an address at its ceiling adds none: it is refused before it can fail).
Two processes checking at the same moment may each let one more attempt through: a
throttle's tolerance, not a lock's.
"""

from __future__ import annotations

from datetime import timedelta
from ipaddress import IPv6Address, ip_address, ip_network

from sqlalchemy import delete, func, insert, select

from scarplan.adapters.db.tables import SignInFailureRecord
from scarplan.domain.errors import RateLimitedError
from scarplan.services.clinic.accounts.users import normalized_username
from scarplan.services.clinic.core.context import Clinic

NAME_FAILURES = 10
ADDRESS_FAILURES = 50
WINDOW = timedelta(minutes=15)
_NAME_CHARS = 100  # longer than any valid user name; a megabyte of name is not kept whole
_FAILURES = SignInFailureRecord


def address_key(address: str) -> str:
    """What the throttle counts an address as: itself, or its /64 for IPv6."""
    try:
        parsed = ip_address(address)
    except ValueError:
        return address[:_NAME_CHARS]
    if isinstance(parsed, IPv6Address):
        return str(ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _counters(address: str, username: str) -> tuple[str, str]:
    where = address_key(address)
    # A typed name may hold anything: lone surrogates (no database stores them) and NUL
    # (PostgreSQL's text refuses it) are written as escapes.
    typed = normalized_username(username)[:_NAME_CHARS].replace("\x00", "\\x00")
    name = typed.encode("utf-8", "backslashreplace").decode("utf-8")
    return where, f"{where} {name}"


class SignInThrottle:
    def __init__(
        self,
        clinic: Clinic,
        name_limit: int = NAME_FAILURES,
        address_limit: int = ADDRESS_FAILURES,
        window: timedelta = WINDOW,
    ) -> None:
        self._clinic = clinic
        self._name_limit = name_limit
        self._address_limit = address_limit
        self._window = window

    def check(self, address: str, username: str) -> None:
        """Refuse (RateLimitedError) an address or name at its limit within the window."""
        whole, named = _counters(address, username)
        since = self._clinic.now() - self._window
        with self._clinic.uow.read() as session:
            rows = session.execute(
                select(_FAILURES.counter, func.count())
                .where(_FAILURES.counter.in_((whole, named)), _FAILURES.failed_at > since)
                .group_by(_FAILURES.counter)
            ).all()
        counts: dict[str, int] = {str(counter): int(count) for counter, count in rows}
        if counts.get(whole, 0) >= self._address_limit or counts.get(named, 0) >= self._name_limit:
            raise RateLimitedError("too many failed sign-ins from this address: wait a few minutes")

    def failed(self, address: str, username: str) -> None:
        """Count one failure, and forget every failure that has left the window."""
        now = self._clinic.now()
        rows = [{"counter": counter, "failed_at": now} for counter in _counters(address, username)]
        with self._clinic.uow.write() as session:
            session.execute(delete(_FAILURES).where(_FAILURES.failed_at <= now - self._window))
            session.execute(insert(_FAILURES), rows)

    def held(self) -> int:
        """Failures the table holds (for tests and the operator)."""
        with self._clinic.uow.read() as session:
            return session.scalar(select(func.count()).select_from(_FAILURES)) or 0
