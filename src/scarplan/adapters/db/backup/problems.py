"""The errors of a backup or restore: which file or setting is at fault, and the fix."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from scarplan.domain.errors import FieldProblem, InputError

URL_FIELD = "SCARPLAN_DATABASE_URL"
FROM_BACKUP = "give a file written by `scarplan backup`"
STOP_APP = "stop `scarplan serve` and any other scarplan process using the database, then retry"


def problem(field: str, message: str, fix: str) -> InputError:
    return InputError("the backup or restore failed", [FieldProblem(field, message, fix)])


@contextlib.contextmanager
def headline(message: str) -> Iterator[None]:
    """Say which of the two failed, above the problems."""
    try:
        yield
    except InputError as error:
        raise InputError(message, error.problems) from None
