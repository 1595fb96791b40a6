"""Who an audit entry names: the fields of the acting user that the audit trail records.

A structural type, so the audit port (services/clinic/core/audit_port.py) and its SQL writer
(adapters/db/audit_trail.py) agree on it without either importing the other; the clinic's
`Actor` has these fields.
"""

from __future__ import annotations

from typing import Protocol


class AuditedActor(Protocol):
    """The acting user as an audit entry records them."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def route(self) -> str: ...

    @property
    def address(self) -> str: ...
