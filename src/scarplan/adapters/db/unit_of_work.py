"""Unit of work: one database transaction per use case; everything or nothing is saved."""

from __future__ import annotations

import logging
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from scarplan.adapters.db.engine import READ_OPTION, WRITE_OPTION
from scarplan.domain.errors import FieldProblem, StateError

logger = logging.getLogger(__name__)


class SqlUnitOfWork:
    """`with uow.write() as session:` commits on success and rolls back on any exception."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def read(self) -> _Transaction:
        """A unit that only reads (writes in it are refused). On PostgreSQL its statements run
        without a transaction around them: at the server's READ COMMITTED level each statement
        of a transaction sees its own snapshot anyway, so BEGIN and ROLLBACK would add two
        round trips to every page for nothing (a sixth of the patient page's time, measured).
        On SQLite a read is a transaction: one snapshot for all its statements."""
        return _Transaction(self._sessions(), write=False, read_options=self._read_options)

    @property
    def _read_options(self) -> dict[str, object]:
        if self.engine.dialect.name == "postgresql":
            return {READ_OPTION: True, "isolation_level": "AUTOCOMMIT"}
        return {READ_OPTION: True}

    def write(self) -> _Transaction:
        return _Transaction(self._sessions(), write=True)

    def purge_log(self) -> None:
        """Fold SQLite's write-ahead log into the database file and empty it.

        After an erasure the log still holds the erased rows' old pages until later writes
        reuse it; with secure_delete on, the database file's copies are zeroed already. A no-op
        on PostgreSQL, whose own log is the server's business (docs/privacy.md).
        """
        if self.engine.dialect.name != "sqlite":
            return
        # A raw connection: through SQLAlchemy the pragma would run inside a read transaction
        # of our own, which keeps the log from being emptied.
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            busy, pages, done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            cursor.close()
        finally:
            connection.close()
        if busy:
            logger.warning(
                "the write-ahead log could not be emptied (%s of %s pages copied; readers were "
                "busy): it is reused by the next writes",
                done,
                pages,
            )


class _Transaction:
    def __init__(
        self, session: Session, *, write: bool, read_options: dict[str, object] | None = None
    ) -> None:
        self.session = session
        self.write = write
        self.read_options = read_options or {}

    def __enter__(self) -> Session:
        if self.write:
            self.session.connection(execution_options={WRITE_OPTION: True})
        else:
            self.session.connection(execution_options=self.read_options)
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
