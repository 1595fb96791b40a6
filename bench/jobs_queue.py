"""Benchmark: the PostgreSQL job queue's throughput of small jobs with 1 and 2 workers (issue 23).

Run: .venv/bin/python bench/jobs_queue.py [--jobs 300] [--rounds 3] [--concurrency 2]

Starts a throwaway PostgreSQL server, migrates it, then for 1 and then 2 `scarplan worker`
processes (each running --concurrency jobs at a time) submits --jobs "probe" jobs (a job that
only finishes itself: claim, heartbeat thread, result, all in the database) through the queue
and times from the first submission until the last is done. Prints jobs per second, the median
over --rounds rounds. The figure measures the queue's own overhead per job; real jobs add their
work (a 3D analysis takes 0.5-3 s, a report 1-2 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scarplan.adapters.db import make_engine, upgrade
from scarplan.adapters.db.tables import JobRecord
from scarplan.bootstrap import Container
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core import jobs
from scarplan.settings import Settings
from support.postgres import temporary_postgres
from support.server import server_environment

PASSWORD = "a long benchmark password"


def start_workers(count: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "scarplan.entrypoints.cli.app", "worker"],
            env=env,
            stdout=(logs / f"worker{count}-{number}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for number in range(count)
    ]


def wait_for_workers(container: Container, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if container.clinic.jobs.describe().endswith(
            f"{count} worker{'s' if count > 1 else ''} alive"
        ):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{count} workers did not start")


def one_round(container: Container, jobs_count: int) -> float:
    clinic = container.clinic
    actor = users.sign_in(clinic, "bench.queue", PASSWORD)[0]
    started = time.perf_counter()
    ids = [jobs.start_job(clinic, actor, "probe", {}) for _ in range(jobs_count)]
    print(f"  submitted {jobs_count} in {time.perf_counter() - started:.2f} s")
    while True:
        with clinic.uow.read() as session:
            left = session.scalar(
                select(func.count())
                .select_from(JobRecord)
                .where(JobRecord.id.in_(ids), JobRecord.status != "done")
            )
        if not left:
            break
        time.sleep(0.01)
    return jobs_count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scarplan-bench-queue-") as work:
        root = Path(work)
        with temporary_postgres(root / "pg") as url:
            upgrade(make_engine(url))
            settings = Settings(data_dir=root / "data", database_url=url, job_runner="queue")
            container = Container(settings=settings)
            users.create_user(container.clinic, "bench.queue", "Bench", PASSWORD, "clinician")
            env = server_environment(
                url,
                root / "data",
                SCARPLAN_JOB_RUNNER="queue",
                SCARPLAN_WORKER_CONCURRENCY=str(options.concurrency),
                SCARPLAN_LOG_LEVEL="WARNING",
            )
            print(
                f"{options.jobs} probe jobs, {options.rounds} rounds, "
                f"{options.concurrency} jobs at a time per worker; {os.cpu_count()} cores"
            )
            for count in (1, 2):
                workers = start_workers(count, env, root)
                try:
                    wait_for_workers(container, count)
                    rates = []
                    for _ in range(options.rounds):
                        rates.append(one_round(container, options.jobs))
                    print(
                        f"{count} worker{'s' if count > 1 else ''}: "
                        f"{statistics.median(rates):.0f} jobs/s median "
                        f"(rounds: {', '.join(f'{r:.0f}' for r in rates)})"
                    )
                finally:
                    for worker in workers:
                        worker.terminate()
                    for worker in workers:
                        worker.wait(30)
                    time.sleep(1)
            container.clinic.jobs.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
