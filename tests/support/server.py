"""A real scarplan server in a subprocess, for browser and crash tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

READY_SECONDS = 120
"""The demo clinic starts in about 6 s on an idle 2-core machine; a loaded one (a bench and
another test run beside this one) once took over 60 s."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def demo_password(self) -> str:
        return (self.data_dir / "demo-login.txt").read_text(encoding="utf-8").strip()


def server_environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCARPLAN_")}
    env.update(
        SCARPLAN_DATA_DIR=str(data_dir),
        SCARPLAN_DATABASE_URL=database_url,
        SCARPLAN_SECRET_KEY=secrets.token_urlsafe(48),
        SCARPLAN_SECURE_COOKIES="false",
        # Loopback without TLS: the production checks would (rightly) refuse these cookies.
        SCARPLAN_DEMO="true",
        # Jobs on a thread of the app, on PostgreSQL too: the queue needs `scarplan worker`
        # processes, which tests/integration/test_job_queue.py starts itself.
        SCARPLAN_JOB_RUNNER="in_process",
    )
    env.update(extra)
    return env


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base_url}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start in {READY_SECONDS} s")


@contextmanager
def running_server(
    database_url: str,
    data_dir: Path,
    *,
    demo: bool = True,
    workers: int | None = None,
    command: list[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """`scarplan serve` (or `command`) on a free loopback port; stopped on exit. `workers=1`
    for one worker process: on a loaded machine two workers importing the app at once miss
    uvicorn's start-up health check and are restarted again and again."""
    port = free_port()
    log = data_dir / "server.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = command or [
        sys.executable,
        "-m",
        "scarplan.entrypoints.cli.app",
        "serve",
        "--port",
        str(port),
        *(["--demo"] if demo else []),
        *(["--workers", str(workers)] if workers is not None else []),
    ]
    argv = [part.replace("{port}", str(port)) for part in argv]
    extra = {name: value.replace("{port}", str(port)) for name, value in (env or {}).items()}
    environment = {**server_environment(database_url, data_dir), **extra}
    with log.open("wb") as output:
        process = subprocess.Popen(argv, env=environment, stdout=output, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base_url, process, log)
        yield Server(base_url, data_dir, process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
