"""Secrets the clinic keeps in its database (today the research salt).

In the database, not in a host's data directory, so every app process on every host uses the
same secret and a backup of the database holds it. A secret is made once and never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scarplan.adapters.db.secret_store import insert_secret_if_absent, stored_secret
from scarplan.services.clinic.core.context import Clinic


@dataclass(frozen=True)
class ClinicSecret:
    value: str
    offered: str | None
    """What this call made with `make` and offered (None: the secret was there already). It
    differs from `value` when another process stored its own first."""


def clinic_secret(clinic: Clinic, name: str, make: Callable[[], str]) -> ClinicSecret:
    """The secret called `name`; the first time, `make()`'s value is stored.

    Processes racing for the first time each insert if absent and then read: all of them get
    the one row that was committed first.
    """
    with clinic.uow.read() as session:
        value = stored_secret(session, name)
    if value is not None:
        return ClinicSecret(value, None)
    offered = make()
    with clinic.uow.write() as session:
        insert_secret_if_absent(session, name, offered, clinic.now())
    # Read in a transaction of its own: one that began before a rival's commit may not see it.
    with clinic.uow.read() as session:
        value = stored_secret(session, name)
    if value is None:  # a row is never deleted: only a hand-edited database gets here
        raise RuntimeError(f"the clinic secret {name!r} vanished right after it was stored")
    return ClinicSecret(value, offered)
