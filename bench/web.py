"""Benchmark: the web app under load (issue 6).

Run: .venv/bin/python bench/web.py [--patients 10000] [--requests 2000] [--clients 20]
[--workers 1] [--apps 2] [--database postgresql | --database-url URL]. Builds a database of N
patients (each with an assessment and a plan of several sessions): SQLite by default, or a
throwaway PostgreSQL server started the way the tests start one, or the empty database at
--database-url. Starts `scarplan serve` on loopback (--apps A: A processes on A ports with one
secret key, as deploy/ runs them; each request goes to the app with the fewest requests in
progress, as the deployment's nginx balances them with `least_conn`), signs in, and sends a
bounded number of requests to the patient overview and to the plan page from C concurrent
clients.
Prints the median over --rounds runs of requests per second and p50/p99 latency per page, both
as the clients see it (queueing in the socket and the load generator's own share of the two
cores included) and as the server's time on each request (its Server-Timing header: the server
runs with SCARPLAN_SERVER_TIMING on, and production's JSON log format), and the CPU each request
cost the app processes, the database server and the load generator (from /proc, Linux).
Target: p99 under 100 ms at 20 concurrent clients on SQLite, and with 2 app processes on
PostgreSQL (issue 23; docs/operations.md, "Deployment").

The public decision aid (issue 21) is measured too, without a session cookie as a visitor has
none: its start page, "what might suit me" and the printable summary with a full set of answers,
and the option grid. Target (issue 21): p99 under 50 ms server time at 20 clients.
`--pages guide --patients 1` measures only those (they read no records).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from copy import deepcopy
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import insert, make_url, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scarplan.adapters.db import make_engine, sqlite_url, upgrade
from scarplan.adapters.db.tables import (
    AssessmentRecord,
    HomeRoutineRecord,
    LesionRecord,
    PatientRecord,
    PlannedSessionRecord,
    PlanRecord,
    PlanVersionRecord,
)
from scarplan.bootstrap import bootstrap
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients
from scarplan.settings import Settings
from support.postgres import temporary_postgres
from support.server import Server, running_server

PASSWORD = "zebra glass harbour"  # passes the password policy (not the user name)
BATCH = 1000
GUIDE_ANSWERS = (
    "scars=ice_pick&scars=rolling&width=narrow&edges=sharp&stretch=stays&skin=V&pregnant=no"
    "&isotretinoin=stopped&isotretinoin_months=2&keloid=yes&cold_sores=yes&acne=mild&age=31"
    "&budget=2500&downtime=5&matters=cost&matters=dark_marks"
    + "".join(f"&q{i}=3" for i in range(10))
)


def _template(data_dir: Path, database_url: str) -> tuple[int, int]:
    """One real patient, assessment and plan made by the services: the rows to copy."""
    settings = Settings(data_dir=data_dir, database_url=database_url)
    now = datetime(2026, 11, 21, 9, tzinfo=UTC)
    container = bootstrap(settings, clock=lambda: now)
    upgrade(container.engine)
    clinic = container.clinic
    actor = users.create_user(clinic, "bench", "Bench User", PASSWORD, "clinician")
    patient = patients.create_patient(
        clinic,
        actor,
        {
            "full_name": "Template Patient",
            "patient": {"id": "B-0", "birth_date": "1990-01-01", "fitzpatrick": "III"},
            "preferences": {"budget": {"amount": 12000.0, "currency": "USD"}},
        },
    )
    lesions = [
        {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.2},
        {"region": "cheek_right", "type": "boxcar", "count": 5, "width_mm": 2.6},
        {"region": "temple_left", "type": "rolling", "count": 4, "distensible": True},
    ]
    assessments.record_assessment(
        clinic, actor, patient.id, {"date": "2026-11-20", "lesions": lesions}
    )
    plan = plans.propose_plan(clinic, actor, patient.id)
    plans.accept_plan(clinic, actor, plan.id)
    container.engine.dispose()
    return patient.id, plan.id


def build_database(data_dir: Path, database_url: str, count: int) -> list[tuple[int, int]]:
    """N patients, each with the template's assessment and plan; returns (patient, plan) ids."""
    template_patient, template_plan = _template(data_dir, database_url)
    engine = make_engine(database_url)
    ids = [(template_patient, template_plan)]
    with engine.begin() as connection:
        patient = connection.execute(
            select(PatientRecord.__table__).where(PatientRecord.id == template_patient)
        ).one()
        assessment = connection.execute(
            select(AssessmentRecord.__table__).where(
                AssessmentRecord.patient_id == template_patient
            )
        ).one()
        lesions = connection.execute(
            select(LesionRecord.__table__).where(LesionRecord.assessment_id == assessment.id)
        ).all()
        plan = connection.execute(
            select(PlanRecord.__table__).where(PlanRecord.id == template_plan)
        ).one()
        version = connection.execute(
            select(PlanVersionRecord.__table__).where(PlanVersionRecord.plan_id == template_plan)
        ).one()
        sessions = connection.execute(
            select(PlannedSessionRecord.__table__).where(
                PlannedSessionRecord.plan_version_id == version.id
            )
        ).all()
        routine = connection.execute(
            select(HomeRoutineRecord.__table__).where(
                HomeRoutineRecord.plan_version_id == version.id
            )
        ).one()
        rng = random.Random(6)
        first_names = ["Ana", "Ben", "Chloe", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jia"]
        for start in range(1, count, BATCH):
            stop = min(start + BATCH, count)
            for n in range(start, stop):
                name = f"{rng.choice(first_names)} Bench{n:05d}"
                patient_id = connection.execute(
                    insert(PatientRecord).values(
                        {
                            **_row(patient),
                            "code": f"B-{n}",
                            "full_name": name,
                            "search_name": name.casefold(),
                        }
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                assessment_id = connection.execute(
                    insert(AssessmentRecord).values({**_row(assessment), "patient_id": patient_id})
                ).inserted_primary_key[0]  # type: ignore[index]
                connection.execute(
                    insert(LesionRecord),
                    [{**_row(lesion), "assessment_id": assessment_id} for lesion in lesions],
                )
                plan_id = connection.execute(
                    insert(PlanRecord).values(
                        {**_row(plan), "patient_id": patient_id, "assessment_id": assessment_id}
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                version_id = connection.execute(
                    insert(PlanVersionRecord).values(
                        {
                            **_row(version),
                            "plan_id": plan_id,
                            "document": deepcopy(version.document),
                        }
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                connection.execute(
                    insert(PlannedSessionRecord),
                    [{**_row(s), "plan_version_id": version_id} for s in sessions],
                )
                connection.execute(
                    insert(HomeRoutineRecord).values(
                        {**_row(routine), "plan_version_id": version_id}
                    )
                )
                ids.append((patient_id, plan_id))
    engine.dispose()
    return ids


def _row(record: object) -> dict[str, object]:
    values = dict(record._mapping)  # type: ignore[attr-defined]
    values.pop("id", None)
    return values


class LeastConnections:
    """The deployment's balancer: nginx's `least_conn` (deploy/etc/nginx/sites-available/
    scarplan.conf) sends each request to the app with the fewest requests in progress, ties
    in turn, over connections it keeps open to each app."""

    def __init__(self, apps: int) -> None:
        self.active = [0] * apps
        self.turn = 0

    def pick(self) -> int:
        fewest = min(self.active)
        tied = [app for app, active in enumerate(self.active) if active == fewest]
        self.turn += 1
        chosen = tied[self.turn % len(tied)]
        self.active[chosen] += 1
        return chosen

    def done(self, app: int) -> None:
        self.active[app] -= 1


async def _client(
    apps: list[tuple[str, int]],
    balancer: LeastConnections,
    cookie: str,
    urls: list[str],
    results: list[float],
    server_times: list[float],
    reuse: int,
) -> None:
    """One client sending its share of `urls` one after another.

    With one app, on a keep-alive connection that it opens anew every `reuse` requests, as a
    browser does between page visits. (Twenty connections held for the whole run pin each
    client to the worker process that accepted it, and an uneven split then measures the
    split, not the server.)

    With several apps (`apps`), as through the deployment's nginx: each request goes to the
    app `balancer` picks, on a connection kept open to that app. (Sending each client's next
    ten requests to one app in turn, as this bench did before, let the split drift anywhere
    from 1 to 20 clients on one app, and the latency followed that split: docs/operations.md,
    "Measured: two app processes on PostgreSQL".)

    Raw HTTP/1.1 on asyncio streams rather than an HTTP client library: the generator shares
    the machine's two cores with the server, so it must cost far less per request than the
    server does, or the figures measure the generator.
    """
    opened: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
    sent_cookie = f"Cookie: {cookie}\r\n" if cookie else ""
    try:
        for n, url in enumerate(urls):
            app = balancer.pick()
            if len(apps) == 1 and n and n % reuse == 0:
                opened.pop(app)[1].close()
            if app not in opened:
                opened[app] = await asyncio.open_connection(*apps[app])
            reader, writer = opened[app]
            host, port = apps[app]
            request = f"GET {url} HTTP/1.1\r\nHost: {host}:{port}\r\n{sent_cookie}\r\n".encode()
            started = time.perf_counter()
            writer.write(request)
            status, body_length, server_ms = await _read_head(reader)
            await reader.readexactly(body_length)
            balancer.done(app)
            results.append(time.perf_counter() - started)
            server_times.append(server_ms / 1000)
            if status != 200:
                raise RuntimeError(f"{url}: HTTP {status}")
    finally:
        for _, writer in opened.values():
            writer.close()


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, int, float]:
    """Status, body length and the app's own time in ms (its Server-Timing header)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, server_ms = 0, float("nan")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        elif name.strip().lower() == "server-timing":
            server_ms = float(value.split("dur=", 1)[1])
        elif name.strip().lower() == "transfer-encoding":
            raise RuntimeError("chunked responses are not expected from these pages")
    return status, length, server_ms


async def load(
    base_urls: list[str], cookie: str, urls: list[str], clients: int, reuse: int = 10
) -> tuple[float, list[float], list[float]]:
    """Send `urls` from `clients` concurrent clients, spread over the apps at `base_urls`;
    return the wall time, the latencies seen by the clients and the server's own times
    (Server-Timing)."""
    apps = [(url.host, url.port or 80) for url in map(httpx.URL, base_urls)]
    balancer = LeastConnections(len(apps))
    results: list[float] = []
    server_times: list[float] = []
    shares = [urls[i::clients] for i in range(clients)]
    started = time.perf_counter()
    await asyncio.gather(
        *(_client(apps, balancer, cookie, share, results, server_times, reuse) for share in shares)
    )
    return time.perf_counter() - started, results, server_times


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds_by_role() -> dict[str, float]:
    """CPU seconds used so far by the app processes (with their uvicorn workers), the database
    server and this load generator (from /proc, Linux only; other processes are "other"):
    sampled before and after a round, the difference shows where the cores went per request."""
    parent: dict[int, int] = {}
    own_role: dict[int, str] = {}
    seconds: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # the process ended between listing and reading
        pid = int(entry.name)
        parent[pid] = int(fields[1])  # ppid, field 4 of stat
        if pid == os.getpid():
            own_role[pid] = "load generator"
        elif "postgres" in command:
            own_role[pid] = "database"
        elif "scarplan" in command and " serve" in command:
            own_role[pid] = "app"
        # utime and stime, fields 14 and 15 of stat: 12 and 13 after the command's ")".
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    used: dict[str, float] = {}
    for pid, spent in seconds.items():
        ancestor, role = pid, "other"
        while ancestor in parent:  # a worker process counts as its app
            if ancestor in own_role:
                role = own_role[ancestor]
                break
            ancestor = parent[ancestor]
        used[role] = used.get(role, 0.0) + spent
    return used


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@contextmanager
def _database(kind: str, url: str | None, data_dir: Path) -> Iterator[str]:
    """The empty database to fill: `url` as given, a throwaway PostgreSQL, or an SQLite file."""
    if url is not None:
        yield url
    elif kind == "postgresql":
        with temporary_postgres(data_dir / "postgres") as started:
            yield started
    else:
        yield sqlite_url(data_dir)


@contextmanager
def _apps(database_url: str, data_dir: Path, count: int, workers: int) -> Iterator[list[Server]]:
    """`count` app processes on the database, one port each, sharing one secret key (a session
    opened on one is good on all), as deploy/ runs them. Each logs to its own directory."""
    shared = {
        "SCARPLAN_SERVER_TIMING": "true",
        "SCARPLAN_SECRET_KEY": secrets.token_urlsafe(48),
        # Production's log format (the test servers' demo mode would write console lines).
        "SCARPLAN_LOG_FORMAT": "json",
    }
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                running_server(
                    database_url, data_dir / f"app-{n}", demo=False, workers=workers, env=shared
                )
            )
            for n in range(count)
        ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="worker processes per app")
    parser.add_argument("--apps", type=int, default=1, help="app processes, one port each")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--database-url", help="an empty database to use instead of a throwaway one"
    )
    parser.add_argument("--reuse", type=int, default=10, help="requests per connection (one app)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per page; medians printed")
    parser.add_argument(
        "--pages",
        choices=["all", "clinic", "guide"],
        default="all",
        help="the clinic's record pages, the public decision aid, or both",
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as temporary,
        _database(args.database, args.database_url, Path(temporary)) as database_url,
    ):
        data_dir = Path(temporary)
        kind = make_url(database_url).get_backend_name()
        started = time.perf_counter()
        ids = build_database(data_dir, database_url, args.patients)
        print(
            f"database ({kind}): {len(ids)} patients with an assessment and a plan, "
            f"built in {time.perf_counter() - started:.1f} s"
        )
        with _apps(database_url, data_dir, args.apps, args.workers) as servers:
            base_urls = [server.base_url for server in servers]
            with httpx.Client(base_url=base_urls[0]) as login:
                login.post("/api/v1/session", json={"username": "bench", "password": PASSWORD})
                cookie = "; ".join(f"{name}={value}" for name, value in login.cookies.items())
            rng = random.Random(21)
            pages: dict[str, list[str]] = {}
            if args.pages in ("all", "clinic"):
                pages["patient overview"] = [
                    f"/patients/{rng.choice(ids)[0]}" for _ in range(args.requests)
                ]
                pages["plan page"] = [f"/plans/{rng.choice(ids)[1]}" for _ in range(args.requests)]
            if args.pages in ("all", "guide"):
                pages |= {
                    f"guide {path}": [f"{path}?{GUIDE_ANSWERS}"] * args.requests
                    for path in ("/guide", "/guide/options", "/guide/compare", "/guide/summary")
                }
            for name, urls in pages.items():
                # A visitor to the public guide has no session; the clinic pages need one.
                sent = "" if name.startswith("guide") else cookie
                asyncio.run(load(base_urls, sent, urls[:100], args.clients, args.reuse))  # warm-up
                rates, p50s, p99s, server_p50s, server_p99s = [], [], [], [], []
                cpu: dict[str, list[float]] = {}
                for _ in range(args.rounds):
                    before = cpu_seconds_by_role()
                    wall, latencies, server_times = asyncio.run(
                        load(base_urls, sent, urls, args.clients, args.reuse)
                    )
                    after = cpu_seconds_by_role()
                    for role, seconds in after.items():
                        spent = (seconds - before.get(role, 0.0)) / len(urls) * 1000
                        cpu.setdefault(role, []).append(spent)
                    rates.append(len(urls) / wall)
                    p50s.append(statistics.median(latencies) * 1000)
                    p99s.append(percentile(latencies, 0.99) * 1000)
                    server_p50s.append(statistics.median(server_times) * 1000)
                    server_p99s.append(percentile(server_times, 0.99) * 1000)
                print(
                    f"{name}: {len(urls)} requests x {args.rounds} rounds, {args.clients} "
                    f"clients, {args.apps} app(s) x {args.workers} worker(s) on {kind}: "
                    f"median {statistics.median(rates):.0f} req/s; "
                    f"at the client p50 {statistics.median(p50s):.1f} ms, "
                    f"p99 {statistics.median(p99s):.1f} ms "
                    f"(per round: {', '.join(f'{p:.0f}' for p in p99s)}); "
                    f"server time p50 {statistics.median(server_p50s):.1f} ms, "
                    f"p99 {statistics.median(server_p99s):.1f} ms "
                    f"(per round: {', '.join(f'{p:.0f}' for p in server_p99s)}); "
                    "CPU ms per request: "
                    + ", ".join(
                        f"{role} {statistics.median(spent):.1f}"
                        for role, spent in sorted(cpu.items())
                    )
                )


if __name__ == "__main__":
    main()
