"""The job interface: stored kinds and inputs, work on a runner thread, failures recorded,
transient failures retried with backoff, exactly one attempt finishes a job."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

import support.job_handlers as handlers
from scarplan.adapters.db.tables import JobPayloadRecord, JobRecord
from scarplan.domain.errors import NotFoundError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner, RetryLater
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input
from support.clock import FrozenClock

pytestmark = pytest.mark.db

TEST_KINDS = {
    name: jobs.JobKind(f"support.job_handlers:{name}")
    for name in ("answer", "refused", "crashed", "flaky", "forgetful", "payload_size", "who")
} | {
    "slow": jobs.JobKind("support.job_handlers:slow"),
    "other": jobs.JobKind("support.job_handlers:answer"),
}


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(jobs, "KINDS", {**jobs.KINDS, **TEST_KINDS})
    monkeypatch.setattr(jobs, "_loaded", {})
    monkeypatch.setattr(jobs, "RETRY_FIRST_DELAY_S", 0.05)
    handlers.THREADS.clear()
    handlers.ORDER.clear()
    handlers.RELEASE.clear()
    yield
    handlers.RELEASE.set()


def finish(clinic: Clinic) -> None:
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(30)


def wait_for(clinic: Clinic, job_id: int, kind: str, status: str) -> jobs.JobView:
    for _ in range(500):
        job = jobs.read_job(clinic, job_id, kind)
        if job.status == status:
            return job
        threading.Event().wait(0.01)
    raise AssertionError(f"job {job_id} never became {status}: {job.status}")


def test_a_job_runs_off_the_caller_thread_and_keeps_its_result(
    clinic: Clinic, clinician: Actor
) -> None:
    job_id = jobs.start_job(clinic, clinician, "answer", {"x": 1})
    finish(clinic)

    job = jobs.read_job(clinic, job_id, "answer")
    assert (job.status, job.result, job.params, job.error) == (
        "done",
        {"answer": 42, "x": 1},
        {"x": 1},
        "",
    )
    assert job.finished
    assert job.attempts == 1
    assert job.started_at is not None
    assert job.finished_at is not None
    assert handlers.THREADS
    assert handlers.THREADS[0] != threading.current_thread().name


def test_an_unknown_kind_is_refused_before_anything_is_stored(
    clinic: Clinic, clinician: Actor
) -> None:
    with pytest.raises(ValueError, match="no job kind 'nonesuch'"):
        jobs.start_job(clinic, clinician, "nonesuch", {})
    with clinic.uow.read() as session:
        assert session.scalars(select(JobRecord)).all() == []


def test_every_registered_kind_names_a_handler_that_exists() -> None:
    for kind in jobs.KINDS:
        assert callable(jobs.handler_for(kind))


def test_the_input_is_stored_with_the_job_and_dropped_when_it_ends(
    clinic: Clinic, clinician: Actor
) -> None:
    job_id = jobs.start_job(clinic, clinician, "payload_size", {}, payload=b"x" * 1000)
    finish(clinic)
    assert jobs.read_job(clinic, job_id, "payload_size").result == {"bytes": 1000}
    failed = jobs.start_job(clinic, clinician, "refused", {}, payload=b"patient data")
    finish(clinic)
    assert jobs.read_job(clinic, failed, "refused").status == "failed"
    with clinic.uow.read() as session:
        assert session.scalars(select(JobPayloadRecord)).all() == []


def test_a_job_that_raises_is_failed_with_the_message(clinic: Clinic, clinician: Actor) -> None:
    first = jobs.start_job(clinic, clinician, "refused", {})
    second = jobs.start_job(clinic, clinician, "crashed", {})
    third = jobs.start_job(clinic, clinician, "forgetful", {})
    finish(clinic)

    assert jobs.read_job(clinic, first, "refused").error == "the map is empty"
    failed = jobs.read_job(clinic, second, "crashed")
    assert failed.status == "failed"
    assert "secret" not in failed.error
    assert "server log" in failed.error
    assert jobs.read_job(clinic, third, "forgetful").status == "failed"


def test_a_transient_failure_is_retried_with_backoff_then_the_job_finishes(
    clinic: Clinic, clinician: Actor
) -> None:
    handlers.FAILURES_LEFT["count"] = 2
    job_id = jobs.start_job(clinic, clinician, "flaky", {})
    job = wait_for(clinic, job_id, "flaky", "done")
    assert job.result == {"attempts": 3}
    assert job.attempts == 3


def test_a_job_failing_transiently_every_time_is_failed_after_the_last_attempt(
    clinic: Clinic, clinician: Actor
) -> None:
    handlers.FAILURES_LEFT["count"] = 100
    job_id = jobs.start_job(clinic, clinician, "flaky", {})
    job = wait_for(clinic, job_id, "flaky", "failed")
    assert job.attempts == jobs.MAX_ATTEMPTS
    assert "server log" in job.error
    handlers.FAILURES_LEFT["count"] = 0


def test_the_backoff_doubles_and_stops_at_the_last_attempt() -> None:
    assert [jobs.retry_delay_s(attempt) for attempt in range(1, 7)] == [
        0.05,
        0.1,
        0.2,
        0.4,
        None,
        None,
    ]


def test_a_finished_job_is_not_run_again_and_a_superseded_attempt_cannot_finish(
    clinic: Clinic, clinician: Actor
) -> None:
    job_id = jobs.start_job(clinic, clinician, "answer", {})
    finish(clinic)
    handlers.ORDER.clear()
    jobs.execute_job(clinic, job_id)  # a second worker given the same job: nothing happens
    assert handlers.ORDER == []

    # Two attempts of one running job (a worker taken for dead, still running): the later
    # claim owns it; the earlier one's result is refused and rolled back.
    slow = jobs.start_job(clinic, clinician, "slow", {})
    wait_for(clinic, slow, "slow", "running")
    with clinic.uow.write() as session:
        session.get_one(JobRecord, slow).status = "queued"  # the queue gave it out again
    handlers.RELEASE.set()
    jobs.execute_job(clinic, slow)  # the second attempt finishes first
    finish(clinic)
    job = jobs.read_job(clinic, slow, "slow")
    assert (job.status, job.attempts) == ("done", 2)
    assert handlers.ORDER.count(f"slow finished {slow}") == 2


def test_a_running_job_whose_heartbeat_stopped_is_reported_failed(
    clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    job_id = jobs.start_job(clinic, clinician, "slow", {})
    try:
        wait_for(clinic, job_id, "slow", "running")
        clock.advance(hours=1)
        lost = jobs.read_job(clinic, job_id, "slow")
        assert lost.status == "failed"
        assert "interrupted" in lost.error
    finally:
        handlers.RELEASE.set()
        finish(clinic)


def test_a_job_of_another_kind_is_not_found(clinic: Clinic, clinician: Actor) -> None:
    job_id = jobs.start_job(clinic, clinician, "answer", {})
    finish(clinic)
    with pytest.raises(NotFoundError):
        jobs.read_job(clinic, job_id, "schedule")


def test_a_long_job_does_not_hold_up_a_job_of_another_kind(
    clinic: Clinic, clinician: Actor
) -> None:
    first = jobs.start_job(clinic, clinician, "slow", {})
    second = jobs.start_job(clinic, clinician, "slow", {})
    other = jobs.start_job(clinic, clinician, "other", {})
    try:
        wait_for(clinic, other, "other", "done")
        # The other kind finished while the first slow job still held its lane; the second
        # of the same kind waits its turn.
        assert jobs.read_job(clinic, first, "slow").status == "running"
        assert jobs.read_job(clinic, second, "slow").status == "queued"
    finally:
        handlers.RELEASE.set()
        finish(clinic)
    assert handlers.ORDER.index(f"slow finished {first}") < handlers.ORDER.index(
        f"slow started {second}"
    )


def test_retry_later_carries_the_delay() -> None:
    retry = RetryLater(7, 4.0)
    assert (retry.job_id, retry.delay_s) == (7, 4.0)
    assert "run again in 4 s" in str(retry)


def test_a_job_runs_as_the_whole_actor_who_started_it_a_patient_too(
    clinic: Clinic, clinician: Actor
) -> None:
    record = patients.create_patient(clinic, clinician, patient_input())
    portal = users.create_user(
        clinic, "ana.jobs", "Ana", "a long test password", "patient", patient_id=record.id
    )
    asking = replace(portal, address="198.51.100.4", route="POST /patients/{patient_id}/report")
    job_id = jobs.start_job(clinic, asking, "who", {}, patient_id=record.id)
    finish(clinic)
    assert jobs.read_job(clinic, job_id, "who").result == {
        "user_id": portal.user_id,
        "username": "ana.jobs",
        "role": "patient",
        "patient_id": record.id,
        "address": "198.51.100.4",
        "route": "POST /patients/{patient_id}/report",
    }
