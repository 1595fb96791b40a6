"""PostgreSQL's client side: connection settings, the client programs, and running them."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from scarplan.adapters.db.backup.problems import URL_FIELD, problem

PgConnection = psycopg.Connection[tuple[object, ...]]
TOOL_TIMEOUT_S = 6 * 3600


@dataclass(frozen=True)
class Server:
    """libpq settings without the password, which goes through PGPASSWORD: never on a
    command line, where any local user could read it in the process list."""

    conninfo: str
    password: str | None

    @classmethod
    def from_url(cls, database_url: str) -> Server:
        url = make_url(database_url)
        params = {key: value for key, value in url.query.items() if isinstance(value, str)}
        named = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
        params |= {key: str(value) for key, value in named.items() if value is not None}
        return cls(make_conninfo("", **params), url.password)

    def environment(self) -> dict[str, str]:
        password = {} if self.password is None else {"PGPASSWORD": self.password}
        return {**os.environ, **password}

    def connect(self) -> PgConnection:
        try:
            return psycopg.connect(make_conninfo(self.conninfo, password=self.password))
        except psycopg.OperationalError as error:
            fix = "check that the server runs and the URL's host, port, user and password"
            raise problem(URL_FIELD, f"cannot connect ({str(error).strip()})", fix) from None


def pg_tool(name: str) -> str:
    """A PostgreSQL client program: in pg_config's directory, else the newest Debian install
    (/usr/lib/postgresql/N/bin, not on PATH), else on PATH; as tests/support/postgres.py finds
    the server. pg_dump refuses a server newer than itself, so the newest is the one to use."""
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            bindir = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
            if bindir and (Path(bindir) / name).is_file():
                return str(Path(bindir) / name)
    installed = [Path(d) / name for d in glob.glob("/usr/lib/postgresql/*/bin")]
    installed = [path for path in installed if path.is_file()]
    if installed:
        newest = max(installed, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parts[-3])])
        return str(newest)
    found = shutil.which(name)
    if found is None:
        raise problem(name, "was not found", "install the PostgreSQL client (postgresql-client)")
    return found


def run(command: Sequence[str], server: Server, field: str, fix: str) -> str:
    program = Path(command[0]).name
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=server.environment(),
            stdin=subprocess.DEVNULL,
            timeout=TOOL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise problem(field, f"{program} failed ({error})", fix) from None
    if done.returncode != 0:
        message = " ".join(done.stderr.split())[-600:] or f"exit code {done.returncode}"
        raise problem(field, f"{program}: {message}", fix)
    return done.stdout


def pg_value(connection: PgConnection, query: sql.SQL | sql.Composed) -> object:
    row = connection.execute(query).fetchone()
    return None if row is None else row[0]


def pg_tables(connection: PgConnection) -> list[tuple[str, str]]:
    rows = connection.execute(
        "SELECT schemaname, tablename FROM pg_catalog.pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    ).fetchall()
    return [(str(schema), str(name)) for schema, name in rows]
