"""The job interface: state in the database, work on a runner thread, failures recorded."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from scarplan.domain.errors import InputError, NotFoundError
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from support.clock import FrozenClock

pytestmark = pytest.mark.db


def finish(clinic: Clinic) -> None:
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(30)


def test_a_job_runs_off_the_caller_thread_and_keeps_its_result(
    clinic: Clinic, clinician: Actor
) -> None:
    threads: list[str] = []

    def work() -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        return {"answer": 42}

    job_id = jobs.start_job(clinic, clinician, "demo", {"x": 1}, work)
    finish(clinic)

    job = jobs.read_job(clinic, job_id, "demo")
    assert (job.status, job.result, job.params, job.error) == ("done", {"answer": 42}, {"x": 1}, "")
    assert job.finished
    assert job.started_at is not None
    assert job.finished_at is not None
    assert threads
    assert threads[0] != threading.current_thread().name


def test_a_job_that_raises_is_failed_with_the_message(clinic: Clinic, clinician: Actor) -> None:
    def refused() -> dict[str, Any]:
        raise InputError("the map is empty")

    def crashed() -> dict[str, Any]:
        raise RuntimeError("secret internals")

    first = jobs.start_job(clinic, clinician, "demo", {}, refused)
    second = jobs.start_job(clinic, clinician, "demo", {}, crashed)
    finish(clinic)

    assert jobs.read_job(clinic, first, "demo").error == "the map is empty"
    failed = jobs.read_job(clinic, second, "demo")
    assert failed.status == "failed"
    assert "secret" not in failed.error
    assert "server log" in failed.error


def test_a_running_job_whose_heartbeat_stopped_is_reported_failed(
    clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    release = threading.Event()

    def slow() -> dict[str, Any]:
        release.wait(10)
        return {}

    job_id = jobs.start_job(clinic, clinician, "demo", {}, slow)
    try:
        for _ in range(200):
            if jobs.read_job(clinic, job_id, "demo").status == "running":
                break
            threading.Event().wait(0.01)
        assert jobs.read_job(clinic, job_id, "demo").status == "running"
        clock.advance(hours=1)
        lost = jobs.read_job(clinic, job_id, "demo")
        assert lost.status == "failed"
        assert "interrupted" in lost.error
    finally:
        release.set()
        finish(clinic)


def test_a_job_of_another_kind_is_not_found(clinic: Clinic, clinician: Actor) -> None:
    job_id = jobs.start_job(clinic, clinician, "demo", {}, dict)
    finish(clinic)
    with pytest.raises(NotFoundError):
        jobs.read_job(clinic, job_id, "schedule")


def test_a_long_job_does_not_hold_up_a_job_of_another_kind(
    clinic: Clinic, clinician: Actor
) -> None:
    release = threading.Event()
    order: list[str] = []

    def long_run() -> dict[str, Any]:
        order.append("long started")
        release.wait(10)
        order.append("long finished")
        return {}

    def quick(name: str) -> Any:
        def work() -> dict[str, Any]:
            order.append(name)
            return {}

        return work

    first = jobs.start_job(clinic, clinician, "schedule", {}, long_run)
    second = jobs.start_job(clinic, clinician, "schedule", {}, quick("second schedule"))
    analysis = jobs.start_job(clinic, clinician, "topography", {}, quick("analysis"))
    try:
        for _ in range(500):
            if jobs.read_job(clinic, analysis, "topography").status == "done":
                break
            threading.Event().wait(0.01)
        # The analysis finished while the first run still held its lane; the second run of
        # the same kind waits its turn.
        assert jobs.read_job(clinic, analysis, "topography").status == "done"
        assert jobs.read_job(clinic, first, "schedule").status == "running"
        assert jobs.read_job(clinic, second, "schedule").status == "queued"
    finally:
        release.set()
        finish(clinic)
    assert order.index("long finished") < order.index("second schedule")
