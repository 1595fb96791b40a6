"""Prometheus metrics of one app: request latency by route, sign-in failures, the job queue and
the audit queue. Read at /metrics with the scraper's bearer token (`metrics_token`).

Request and sign-in figures are counted in this process. With several worker processes set
PROMETHEUS_MULTIPROC_DIR (prometheus_client's multi-process mode) so each scrape adds them up;
the job queue is read from the database at scrape time, so it is the same from every process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from scarplan.adapters.db.tables import JobRecord
from scarplan.services.clinic.core.context import Clinic

_log = logging.getLogger(__name__)

# Seconds; the pages answer in milliseconds, a report PDF in one or two seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RECENT_JOBS = timedelta(hours=1)


class _ClinicCollector(Collector):
    """Figures read when scraped: jobs by kind and status, recent job durations, audit queue."""

    def __init__(self, clinic: Clinic) -> None:
        self._clinic = clinic

    def collect(self) -> Iterator[Metric]:
        audit = GaugeMetricFamily(
            "scarplan_audit_queue_length",
            "Read-audit entries of this process waiting to be written.",
        )
        audit.add_metric([], self._clinic.audit.pending())
        yield audit
        try:
            yield from self._jobs()
        except Exception:
            _log.exception("metrics: could not read the jobs table")

    def _jobs(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily(
            "scarplan_jobs", "Jobs in the queue by kind and status.", labels=["kind", "status"]
        )
        recent = GaugeMetricFamily(
            "scarplan_job_duration_seconds_recent",
            "Longest and mean run time of jobs finished in the last hour, by kind.",
            labels=["kind", "stat"],
        )
        since = self._clinic.now() - RECENT_JOBS
        with self._clinic.uow.read() as session:
            counts = session.execute(
                select(JobRecord.kind, JobRecord.status, func.count()).group_by(
                    JobRecord.kind, JobRecord.status
                )
            ).all()
            finished = session.execute(
                select(JobRecord.kind, JobRecord.started_at, JobRecord.finished_at).where(
                    JobRecord.finished_at >= since, JobRecord.started_at.is_not(None)
                )
            ).all()
        for kind, status, count in counts:
            jobs.add_metric([kind, status], count)
        by_kind: dict[str, list[float]] = {}
        for kind, started, ended in finished:
            by_kind.setdefault(kind, []).append((ended - started).total_seconds())
        for kind, durations in sorted(by_kind.items()):
            recent.add_metric([kind, "max"], max(durations))
            recent.add_metric([kind, "mean"], sum(durations) / len(durations))
        yield jobs
        yield recent


class AppMetrics:
    def __init__(self, clinic: Clinic) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "scarplan_http_request_duration_seconds",
            "Time from a request's arrival to the start of its response.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.sign_in_failures = Counter(
            "scarplan_sign_in_failures_total",
            "Refused sign-ins (wrong password, unknown or disabled account, throttled).",
            registry=self.registry,
        )
        self._scrape = CollectorRegistry()
        self._scrape.register(_ClinicCollector(clinic))
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            MultiProcessCollector(self._scrape)  # type: ignore[no-untyped-call]
        else:
            self._scrape.register(_Forward(self.registry))

    def exposition(self) -> bytes:
        return generate_latest(self._scrape)


class _Forward(Collector):
    """This process's own counters, beside the scrape-time figures."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self._registry.collect()
