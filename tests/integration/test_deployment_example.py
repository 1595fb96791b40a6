"""The deployment example in deploy/ works as written: the units' own commands and environment,
run as systemd would run them (with this test's database, data directory and secret key put in
the example's places), give N app processes on one database that share sessions, sign-in
lockouts and the throttle's view of clients behind the proxy; and they start together without
racing on the schema.

The nginx site passes `nginx -t`, and then runs in front of the two apps (on test ports, with a
throwaway certificate in place of the host's): TLS ends there, and the client it names in
X-Forwarded-For, from loopback, a trusted proxy, is the one the throttle counts.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from scarplan.adapters.db import current_revision, head_revision, make_engine
from scarplan.bootstrap import Container
from scarplan.domain.errors import InputError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.setup import production_problems
from scarplan.services.clinic.accounts.sign_in_throttle import NAME_FAILURES
from scarplan.services.clinic.accounts.users import MAX_FAILED_LOGINS
from scarplan.services.clinic.core import jobs
from scarplan.settings import Settings, load_settings
from support.server import free_port, server_environment

pytestmark = [pytest.mark.db, pytest.mark.slow]

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "etc" / "systemd" / "system"
ENV_EXAMPLE = DEPLOY / "etc" / "scarplan" / "scarplan.env.example"
NGINX_SITE = DEPLOY / "etc" / "nginx" / "sites-available" / "scarplan.conf"
ENV_FILE = "/etc/scarplan/scarplan.env"
INSTALLED = "/opt/scarplan/bin/scarplan"
CLI = [sys.executable, "-m", "scarplan.entrypoints.cli.app"]
SERVICES = ("scarplan-web@.service", "scarplan-worker@.service", "scarplan-migrate.service")
READY_S = 120
PASSWORD = "zebra glass harbour"
NGINX = "/usr/sbin/nginx"
CERTIFICATE_DIR = "/etc/letsencrypt/live/scarplan.clinic.example"
PACKAGES_HINT = "scripts/system-packages.sh installs it (`make test` runs that)"
SETTING = re.compile(r"^#?\s*(SCARPLAN_[A-Z0-9_]+)=(.*)$")


# --- reading the example as systemd does ------------------------------------------------------


def read_unit(path: Path) -> dict[str, list[str]]:
    """A unit file's directives as "Section.Key" -> values in order (a key may repeat)."""
    directives: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"{path.name}: line continuations are not parsed here"
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        directives.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return directives


def read_environment_file(path: Path) -> dict[str, str]:
    """NAME=value lines as systemd's EnvironmentFile= reads them; comments skipped."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, separator, value = line.partition("=")
        assert separator, f"{path.name}: {line!r} is not NAME=value"
        values[name.strip()] = value.strip()
    return values


@dataclass(frozen=True)
class Substitutes:
    """What this test puts in place of the host's paths, database and secret."""

    database_url: str
    data_dir: Path
    cache_root: Path
    secret_key: str


def unit_process(unit: str, instance: str, put: Substitutes) -> tuple[list[str], dict[str, str]]:
    """The argv and environment systemd would give `unit`'s instance `instance`."""
    directives = read_unit(UNITS / unit)
    specifiers = {"%i": instance, "%C": str(put.cache_root)}

    def expand(text: str) -> str:
        for specifier, value in specifiers.items():
            text = text.replace(specifier, value)
        assert "%" not in text, f"{unit}: a specifier this test does not expand in {text!r}"
        return text

    (exec_start,) = directives["Service.ExecStart"]
    argv = shlex.split(expand(exec_start))
    assert argv[0] == INSTALLED
    assert directives["Service.EnvironmentFile"] == [ENV_FILE]
    example = read_environment_file(ENV_EXAMPLE)
    replaced = {
        "SCARPLAN_DATABASE_URL": put.database_url,
        "SCARPLAN_DATA_DIR": str(put.data_dir),
        "SCARPLAN_SECRET_KEY": put.secret_key,
    }
    assert set(replaced) <= set(example), "the example must name what is put in its place"
    environment = {**example, **replaced}
    for assignment in directives.get("Service.Environment", []):
        name, _, value = expand(assignment).partition("=")
        environment[name] = value
    # The process's own basics (PATH, PYTHONPATH for this checkout), none of this host's
    # SCARPLAN_ settings: `server_environment` drops those, and ours replace its own.
    base = {
        name: value
        for name, value in server_environment("", put.data_dir).items()
        if not name.startswith("SCARPLAN_")
    }
    return [*CLI, *argv[1:]], {**base, **environment}


# --- processes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class App:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def started(argv: list[str], env: Mapping[str, str], log: Path) -> Iterator[App]:
    port = argv[argv.index("--port") + 1] if "--port" in argv else "0"
    with log.open("wb") as output:
        process = subprocess.Popen(argv, env=dict(env), stdout=output, stderr=subprocess.STDOUT)
    try:
        yield App(f"http://127.0.0.1:{port}", process, log)
    finally:
        if process.poll() is None:
            process.terminate()  # systemd's stop: SIGTERM, then SIGKILL after TimeoutStopSec
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(app: App) -> httpx.Response:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise AssertionError(f"{app.url} exited:\n{app.log.read_text(errors='replace')}")
        try:
            answer = httpx.get(f"{app.url}/readyz", timeout=5)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if answer.status_code == 200:
            return answer
        time.sleep(0.2)
    raise AssertionError(f"{app.url} was not ready in {READY_S} s")


def run(argv: list[str], env: Mapping[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env={**env, **extra}, capture_output=True, text=True, timeout=300, check=False
    )


def sign_in(app: App, username: str, password: str, client: str) -> httpx.Response:
    """As nginx forwards it: from loopback, the client's address in X-Forwarded-For."""
    return httpx.post(
        f"{app.url}/api/v1/session",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": client},
        timeout=30,
    )


# --- the tests ------------------------------------------------------------------------------


def test_the_env_example_names_real_settings_needs_only_its_secret_and_is_safe(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    named = {match[1] for line in text.splitlines() if (match := SETTING.match(line.strip()))}
    fields = {f"SCARPLAN_{name.upper()}" for name in Settings.model_fields}
    assert named
    assert named <= fields, f"not settings: {sorted(named - fields)}"

    example = read_environment_file(ENV_EXAMPLE)
    secrets_named = {
        f"SCARPLAN_{name.upper()}"
        for name, field in Settings.model_fields.items()
        if field.annotation in (SecretStr, SecretStr | None)
    }
    assert all(example.get(name, "") == "" for name in secrets_named), "a secret in the example"
    assert not re.search(r"^#?\s*SCARPLAN_\w*(KEY|TOKEN|PASSWORD)=\S", text, re.MULTILINE)

    for name in [name for name in os.environ if name.startswith("SCARPLAN_")]:
        monkeypatch.delenv(name)
    for name, value in example.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InputError) as refused:
        load_settings()
    assert [problem.path for problem in refused.value.problems] == ["SCARPLAN_SECRET_KEY"]

    monkeypatch.setenv("SCARPLAN_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("SCARPLAN_DATA_DIR", str(tmp_path))
    assert production_problems(load_settings()) == []


def test_the_units_run_as_a_dedicated_user_writing_only_the_data_directory() -> None:
    data_dir = read_environment_file(ENV_EXAMPLE)["SCARPLAN_DATA_DIR"]
    for name in SERVICES:
        unit = read_unit(UNITS / name)
        assert unit["Service.User"] == ["scarplan"], name
        assert unit["Service.ReadWritePaths"] == [data_dir], name
        assert unit["Service.StateDirectory"] == [Path(data_dir).name], name
        for hardening in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
            assert unit[f"Service.{hardening}"] == ["yes"], (name, hardening)
        assert unit["Service.ProtectSystem"] == ["strict"], name
        assert unit["Service.CapabilityBoundingSet"] == [""], name
    for name in ("scarplan-web@.service", "scarplan-worker@.service"):
        unit = read_unit(UNITS / name)
        assert "scarplan-migrate.service" in unit["Unit.Requires"], name
        assert "scarplan-migrate.service" in " ".join(unit["Unit.After"]), name
    (web,) = read_unit(UNITS / "scarplan-web@.service")["Service.ExecStart"]
    assert "--no-migrate" in shlex.split(web)
    assert "--port %i" in web


def test_nginx_forwards_the_client_from_an_address_the_apps_trust() -> None:
    site = NGINX_SITE.read_text(encoding="utf-8")
    upstreams = re.findall(r"^\s*server\s+([\d.]+):(\d+)\b", site, re.MULTILINE)
    assert len(upstreams) >= 2
    trusted = read_environment_file(ENV_EXAMPLE)["SCARPLAN_TRUSTED_PROXIES"].split(",")
    # nginx connects to an upstream on loopback from loopback: that peer must be trusted, and
    # the web unit must listen there.
    assert all(host == "127.0.0.1" for host, _ in upstreams)
    assert "127.0.0.1" in trusted
    (web,) = read_unit(UNITS / "scarplan-web@.service")["Service.ExecStart"]
    assert "--host 127.0.0.1" in web
    # The edge proxy overwrites the header; appending to what a client sent would also be read
    # correctly (the rightmost untrusted address counts), but overwriting leaves no doubt.
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", site)


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or NGINX
    assert Path(nginx).is_file(), f"nginx is missing: {PACKAGES_HINT}"
    return nginx


def nginx_config(directory: Path, site: str) -> list[str]:
    """Write `site` into an nginx configuration under `directory` as Debian's nginx.conf
    includes a site (the main context's own paths moved there, so nothing is written outside
    it), with a throwaway certificate in place of the host's; return nginx's arguments."""
    openssl = shutil.which("openssl")
    assert openssl is not None, f"openssl is missing: {PACKAGES_HINT}"
    files = ["-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem")]
    subject = ["-subj", "/CN=scarplan.clinic.example"]
    made = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", *files, *subject],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert CERTIFICATE_DIR in site
    (directory / "scarplan.conf").write_text(site.replace(CERTIFICATE_DIR, str(directory)))
    (directory / "nginx.conf").write_text(
        f"pid {directory}/nginx.pid;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {directory}/scarplan.conf;\n}}\n"
    )
    configuration = ["-p", str(directory), "-c", str(directory / "nginx.conf")]
    return [*configuration, "-e", str(directory / "error.log")]


def test_the_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    site = NGINX_SITE.read_text(encoding="utf-8")
    checked = subprocess.run(
        [nginx_binary(), "-t", *nginx_config(tmp_path, site)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def site_on_ports(site: str, http: int, https: int, apps: list[str]) -> str:
    """The example site listening on loopback test ports, balancing over the test's apps."""
    replacements = [
        (r"listen 80;", f"listen 127.0.0.1:{http};"),
        (r"listen \[::\]:80;", ""),
        (r"listen 443 ssl", f"listen 127.0.0.1:{https} ssl"),
        (r"listen \[::\]:443 ssl http2;", ""),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement, site)
        assert count == 1, pattern
    upstreams = re.findall(r"server 127\.0\.0\.1:(\d+)", site)
    assert len(upstreams) == len(apps)
    for example, port in zip(upstreams, apps, strict=True):
        site = site.replace(f"server 127.0.0.1:{example} ", f"server 127.0.0.1:{port} ")
    return site


@contextmanager
def running_nginx(directory: Path, site: str, https: int) -> Iterator[str]:
    directory.mkdir()
    arguments = nginx_config(directory, site)
    with (directory / "nginx.out").open("wb") as output:
        process = subprocess.Popen(
            [nginx_binary(), *arguments, "-g", "daemon off;"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"https://127.0.0.1:{https}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (directory / "error.log").read_text(errors="replace")
            try:
                httpx.get(f"{url}/healthz", verify=False, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_app_processes_from_the_units_share_sessions_and_lockouts(
    fresh_database_url: str, tmp_path: Path
) -> None:
    put = Substitutes(
        fresh_database_url, tmp_path / "data", tmp_path / "cache", secrets.token_urlsafe(48)
    )
    ports = [str(free_port()), str(free_port())]
    web = [unit_process("scarplan-web@.service", port, put) for port in ports]

    # An app started before the migrations refuses, and says what to run.
    refused = run(*web[0])
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "scarplan migrate" in refused.stderr

    # Two hosts' migration units at once on the empty database: they take turns.
    migrate_argv, migrate_env = unit_process("scarplan-migrate.service", "", put)
    with ExitStack() as stack:
        both = [
            subprocess.Popen(
                migrate_argv,
                env=migrate_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        for process in both:
            stack.callback(process.kill)  # only if the wait below gave up; a no-op after exit
        outputs = [process.communicate(timeout=300)[0] for process in both]
    assert [process.returncode for process in both] == [0, 0], outputs
    engine = make_engine(fresh_database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()

    cli_env = web[0][1]
    for username in ("dr.ada", "dr.bea"):
        made = run(
            [*CLI, "user", "add", username, "--role", "clinician", "--name", username],
            cli_env,
            SCARPLAN_NEW_PASSWORD=PASSWORD,
        )
        assert made.returncode == 0, made.stdout + made.stderr

    with ExitStack() as stack:
        first, second = (
            stack.enter_context(started(argv, env, tmp_path / f"web-{port}.log"))
            for (argv, env), port in zip(web, ports, strict=True)
        )
        for app in (first, second):
            assert wait_ready(app).json()["status"] == "ready"

        # A session opened on one process is good on the other (one secret key, one database).
        opened = sign_in(first, "dr.ada", PASSWORD, "203.0.113.1")
        assert opened.status_code == 200, opened.text
        cookie = opened.headers["set-cookie"].split(";", 1)[0]
        assert "secure" in opened.headers["set-cookie"].lower()  # behind TLS only
        whoami = httpx.get(f"{second.url}/api/v1/session", headers={"Cookie": cookie}, timeout=30)
        assert whoami.status_code == 200
        assert whoami.json()["username"] == "dr.ada"

        # The account lock counted on one process holds on the other.
        for _ in range(MAX_FAILED_LOGINS):
            assert sign_in(first, "dr.bea", "wrong password!", "203.0.113.2").status_code == 401
        assert sign_in(second, "dr.bea", PASSWORD, "203.0.113.2").status_code == 401

        # The throttle counts the client nginx names, the same on both processes: failures
        # spread over the two refuse that client on either, and not another client.
        apps = (first, second)
        for attempt in range(NAME_FAILURES):
            answer = sign_in(apps[attempt % 2], "nobody", "wrong password!", "198.51.100.7")
            assert answer.status_code == 401, answer.text
        assert sign_in(second, "nobody", "wrong password!", "198.51.100.7").status_code == 429
        assert sign_in(first, "nobody", "wrong password!", "198.51.100.7").status_code == 429
        assert sign_in(first, "nobody", "wrong password!", "198.51.100.8").status_code == 401

        # Through nginx as configured (on test ports): TLS, both apps behind it, and the
        # client's own X-Forwarded-For replaced, so spoofing a new address on each attempt
        # does not get past the throttle (nginx names the client, loopback here).
        site = site_on_ports(
            NGINX_SITE.read_text(encoding="utf-8"), free_port(), (https := free_port()), ports
        )
        with running_nginx(tmp_path / "nginx", site, https) as proxy:
            assert httpx.get(f"{proxy}/readyz", verify=False, timeout=30).status_code == 200
            via_proxy = httpx.post(
                f"{proxy}/api/v1/session",
                json={"username": "dr.ada", "password": PASSWORD},
                verify=False,
                timeout=30,
            )
            assert via_proxy.status_code == 200, via_proxy.text
            assert httpx.get(f"{proxy}/metrics", verify=False, timeout=30).status_code == 404
            for attempt in range(NAME_FAILURES):
                spoofed = httpx.post(
                    f"{proxy}/api/v1/session",
                    json={"username": "nobody", "password": "wrong password!"},
                    headers={"X-Forwarded-For": f"192.0.2.{attempt + 1}"},
                    verify=False,
                    timeout=30,
                )
                assert spoofed.status_code == 401, spoofed.text
            last = httpx.post(
                f"{proxy}/api/v1/session",
                json={"username": "nobody", "password": "wrong password!"},
                headers={"X-Forwarded-For": "192.0.2.200"},
                verify=False,
                timeout=30,
            )
            assert last.status_code == 429, last.text


def test_the_worker_unit_runs_queued_jobs_and_stops_on_sigterm(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """`scarplan-worker@.service` as systemd runs it: on PostgreSQL it takes jobs from the queue
    (the app's /readyz counts it) and SIGTERM stops it cleanly; on SQLite it refuses, saying
    that the app runs the jobs itself."""
    put = Substitutes(
        fresh_database_url, tmp_path / "data", tmp_path / "cache", secrets.token_urlsafe(48)
    )
    migrate_argv, migrate_env = unit_process("scarplan-migrate.service", "", put)
    assert run(migrate_argv, migrate_env).returncode == 0
    worker_argv, worker_env = unit_process("scarplan-worker@.service", "1", put)
    assert worker_argv[-3:] == ["worker", "--concurrency", "2"]
    if not fresh_database_url.startswith("postgresql"):
        refused = run(worker_argv, worker_env)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "no worker is needed" in refused.stderr
        return

    port = str(free_port())
    with ExitStack() as stack:
        web = stack.enter_context(
            started(*unit_process("scarplan-web@.service", port, put), tmp_path / "web.log")
        )
        worker = stack.enter_context(started(worker_argv, worker_env, tmp_path / "worker.log"))
        wait_ready(web)
        deadline = time.monotonic() + READY_S
        detail = ""
        while time.monotonic() < deadline and not detail.endswith("1 worker alive"):
            detail = httpx.get(f"{web.url}/readyz", timeout=5).json()["checks"]["queue"]["detail"]
            time.sleep(0.2)
        assert detail.endswith("on the queue; 1 worker alive"), detail

        settings = Settings(
            data_dir=put.data_dir, database_url=fresh_database_url, job_runner="queue"
        )
        container = Container(settings=settings)
        stack.callback(container.clinic.jobs.shutdown)
        actor = users.create_user(container.clinic, "dr.unit", "Dr Unit", PASSWORD, "clinician")
        job_id = jobs.start_job(container.clinic, actor, "probe", {})
        while time.monotonic() < deadline:
            job = jobs.read_job(container.clinic, job_id, "probe")
            if job.finished:
                break
            time.sleep(0.1)
        assert job.status == "done", job
        assert job.result is not None
        assert job.result["pid"] == worker.process.pid  # run by the unit's process

        worker.process.terminate()  # systemd's stop
        assert worker.process.wait(timeout=90) == 0
