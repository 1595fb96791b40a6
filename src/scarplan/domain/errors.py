"""One exception hierarchy. Adapters translate it once: CLI exit 2, HTTP 422/409."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field: where, what, and how to fix it."""

    path: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        return f"{text} ({self.hint})" if self.hint else text


class ScarplanError(Exception):
    """Base of every error scarplan raises on purpose.

    `retryable` tells a caller whether trying the same thing again can help.
    """

    retryable: bool = False

    def __init__(self, message: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[FieldProblem, ...] = tuple(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        count = len(self.problems)
        header = f"{self.message} ({count} problem{'s' if count != 1 else ''})"
        lines = [header, *(f"  - {problem}" for problem in self.problems)]
        return "\n".join(lines)


class InputError(ScarplanError):
    """The user's input is wrong; nothing was changed."""


class KnowledgeBaseError(ScarplanError):
    """The knowledge base files are invalid (wrong type, unknown id, missing citation)."""


class NotFoundError(ScarplanError):
    """An id that names nothing (a knowledge-base entry, a patient, a file)."""


@dataclass(frozen=True)
class Conflict:
    """One constraint that takes part in a contradiction, and what would relax it."""

    constraint: str
    detail: str
    relax: str

    def __str__(self) -> str:
        return f"{self.constraint}: {self.detail} (to relax: {self.relax})"


class InfeasibleError(ScarplanError):
    """The constraints cannot all hold together; `conflicts` names the ones that clash."""

    def __init__(self, message: str, conflicts: Sequence[Conflict]) -> None:
        super().__init__(
            message, [FieldProblem(c.constraint, c.detail, c.relax) for c in conflicts]
        )
        self.conflicts: tuple[Conflict, ...] = tuple(conflicts)


class StateError(ScarplanError):
    """The action does not fit the record's current state (e.g. accepting a completed plan)."""


class AuthenticationError(ScarplanError):
    """Wrong or missing credentials."""


class PermissionDeniedError(ScarplanError):
    """The signed-in user's role does not allow this action."""


class RateLimitedError(ScarplanError):
    """Too many attempts in a short time (sign-in throttling)."""
