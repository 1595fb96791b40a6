"""A throwaway PostgreSQL server for the storage tests: initdb, start, create a database, stop.

PostgreSQL refuses to run as root, and CI runs as root: there the server binaries run as the
`postgres` system user (which Debian's package creates) through `runuser`, in a directory under
/tmp that user can reach. A missing server is an error, never a skip: `make test` installs it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

DATABASE = "scarplan_test"
SUPERUSER = "postgres"
SERVER_USER = "postgres"
COMMAND_TIMEOUT_S = 120
START_ATTEMPTS = 3
MAX_BASE_DIR_CHARS = 60
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Run `make test`, which installs "
    "the `postgresql` package, or install it yourself (apt-get install postgresql)."
)


def _version_key(bindir: str) -> tuple[int, ...]:
    version = Path(bindir).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def find_bindir() -> Path:
    """The directory holding initdb and pg_ctl: pg_config's, else the newest Debian install."""
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        try:
            found = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and (Path(found) / "initdb").is_file():
            return Path(found)
    candidates = [
        path for path in glob.glob("/usr/lib/postgresql/*/bin") if (Path(path) / "initdb").is_file()
    ]
    if not candidates:
        raise RuntimeError(INSTALL_HINT)
    return Path(max(candidates, key=_version_key))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_root() -> bool:
    return os.geteuid() == 0


def _prefix() -> list[str]:
    """What to put before a server command: `runuser -u postgres --` when running as root."""
    if not _as_root():
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root needs `runuser` (util-linux) to start PostgreSQL")
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root needs the {SERVER_USER!r} system user; {INSTALL_HINT}"
        ) from None
    return [runuser, "-u", SERVER_USER, "--"]


def _run(command: Sequence[str], what: str, log: Path | None = None) -> None:
    try:
        subprocess.run(
            [*_prefix(), *command],
            capture_output=True,
            text=True,
            check=True,
            timeout=COMMAND_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.CalledProcessError as error:
        details = (error.stdout or "") + (error.stderr or "")
        if log is not None and log.is_file():
            details += f"\n--- {log} ---\n" + log.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"PostgreSQL test server: {what} failed:\n{details}") from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"PostgreSQL test server: {what} timed out") from None


def _work_dir(base_dir: Path) -> tuple[Path, bool]:
    """Where the cluster lives, and whether it is ours to delete afterwards."""
    short = len(str(base_dir)) <= MAX_BASE_DIR_CHARS  # a Unix socket path has ~100 bytes
    if short and not _as_root():
        work, owned = base_dir / "postgres", False
        work.mkdir(parents=True, exist_ok=True)
    else:
        # pytest's own temporary directories are private to root; the server user needs its own.
        tmp = "/tmp" if Path("/tmp").is_dir() else None
        work, owned = Path(tempfile.mkdtemp(prefix="scarplan-pg-", dir=tmp)), True
    (work / "sockets").mkdir(exist_ok=True)
    if _as_root():
        account = pwd.getpwnam(SERVER_USER)
        for path in (work, work / "sockets"):
            path.chmod(0o755)
            os.chown(path, account.pw_uid, account.pw_gid)
    return work, owned


def _start(bindir: Path, data: Path, sockets: Path, log: Path) -> int:
    """Start the server on a free port; try another port if that one was taken meanwhile."""
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        command = [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(log)]
        try:
            _run([*command, "start"], "pg_ctl start", log)
        except RuntimeError as error:
            if attempt == START_ATTEMPTS or "already in use" not in str(error):
                raise
            continue
        return port
    raise AssertionError("unreachable")


def server_conninfo(url: str, database: str = "postgres") -> str:
    """A libpq connection string for `database` on the server that `url` points at."""
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


def create_database(url: str, name: str) -> str:
    """Create database `name` on `url`'s server; return its SQLAlchemy URL."""
    with psycopg.connect(server_conninfo(url), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    """Drop database `name` on `url`'s server, closing any connection still open to it."""
    with psycopg.connect(server_conninfo(url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextlib.contextmanager
def temporary_postgres(base_dir: Path) -> Iterator[str]:
    """Run a private PostgreSQL server; yield the SQLAlchemy URL of its empty test database."""
    bindir = find_bindir()
    _prefix()  # fail early when root cannot switch to the server user
    work, owned = _work_dir(base_dir)
    data, sockets, log = work / "data", work / "sockets", work / "server.log"
    started = False
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            "initdb",
        )
        started = True  # from here on, always try to stop it
        port = _start(bindir, data, sockets, log)
        url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
        create_database(url, DATABASE)
        yield url
    finally:
        if started:
            with contextlib.suppress(RuntimeError):
                _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], "stop")
        shutil.rmtree(work if owned else data, ignore_errors=True)
