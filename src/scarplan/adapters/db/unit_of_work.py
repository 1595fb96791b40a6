"""Unit of work: one database transaction per use case; everything or nothing is saved."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from scarplan.adapters.db.engine import WRITE_OPTION
from scarplan.domain.errors import FieldProblem, StateError


class SqlUnitOfWork:
    """`with uow.write() as session:` commits on success and rolls back on any exception."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def read(self) -> _Transaction:
        return _Transaction(self._sessions(), write=False)

    def write(self) -> _Transaction:
        return _Transaction(self._sessions(), write=True)


class _Transaction:
    def __init__(self, session: Session, *, write: bool) -> None:
        self.session = session
        self.write = write

    def __enter__(self) -> Session:
        if self.write:
            self.session.connection(execution_options={WRITE_OPTION: True})
        return self.session

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # close() ends a read without expiring what it loaded, so views built from the records
        # stay usable after the transaction; a failed write is rolled back first.
        try:
            if self.write:
                if kind is None:
                    self.session.commit()
                else:
                    self.session.rollback()
        except StaleDataError as stale:
            self.session.rollback()
            raise _concurrent_change() from stale
        finally:
            self.session.close()
        if isinstance(error, StaleDataError):
            raise _concurrent_change() from error


def _concurrent_change() -> StateError:
    # A versioned row (a plan) was changed by another writer between our read and our update.
    return StateError(
        "someone else changed this record at the same time",
        [FieldProblem("row_version", "changed since it was read", "reload and try again")],
    )
