"""Job handlers for the tests of the job interface (registered in jobs.KINDS by the tests)."""

from __future__ import annotations

import threading

from sqlalchemy.exc import OperationalError

from scarplan.domain.errors import InputError
from scarplan.services.clinic.core.jobs import JobRun

THREADS: list[str] = []
ORDER: list[str] = []
RELEASE = threading.Event()
FAILURES_LEFT = {"count": 0}


def answer(run: JobRun) -> None:
    THREADS.append(threading.current_thread().name)
    ORDER.append(f"answer {run.job.id}")
    with run.clinic.uow.write() as session:
        run.finish(session, {"answer": 42, "x": run.job.params.get("x")})


def refused(run: JobRun) -> None:
    raise InputError("the map is empty")


def crashed(run: JobRun) -> None:
    raise RuntimeError("secret internals")


def slow(run: JobRun) -> None:
    ORDER.append(f"slow started {run.job.id}")
    RELEASE.wait(10)
    ORDER.append(f"slow finished {run.job.id}")
    with run.clinic.uow.write() as session:
        run.finish(session, {})


def flaky(run: JobRun) -> None:
    """Fails as if the database were away, FAILURES_LEFT times, then succeeds."""
    if FAILURES_LEFT["count"] > 0:
        FAILURES_LEFT["count"] -= 1
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))
    with run.clinic.uow.write() as session:
        run.finish(session, {"attempts": run.job.attempts})


def forgetful(run: JobRun) -> None:
    """Returns without finishing the job (a handler bug)."""


def payload_size(run: JobRun) -> None:
    with run.clinic.uow.write() as session:
        run.finish(session, {"bytes": len(run.payload())})


def who(run: JobRun) -> None:
    """Finishes with the actor it runs as (the one who started the job)."""
    actor = run.actor
    with run.clinic.uow.write() as session:
        run.finish(
            session,
            {
                "user_id": actor.user_id,
                "username": actor.username,
                "role": actor.role,
                "patient_id": actor.patient_id,
                "address": actor.address,
                "route": actor.route,
            },
        )
