"""The sender: a background thread that queues due reminders and delivers the outbox every
`mail_poll_s` seconds. With jobs on the queue (PostgreSQL) the `scarplan worker` processes run
it, so the app processes only serve requests; otherwise (SQLite) each app process runs one.
The outbox's claims keep two senders from sending a message twice.
"""

from __future__ import annotations

import logging
import threading
import time

from scarplan.domain.errors import ScarplanError
from scarplan.services.clinic.accounts.mail_outbox import send_queued
from scarplan.services.clinic.calendar.reminders import queue_due_reminders
from scarplan.services.clinic.core.context import Clinic

log = logging.getLogger(__name__)

REMINDER_PASS_S = 15 * 60.0
"""Reminders are due by the day: looking for new ones every quarter of an hour is enough."""


def sends_mail_here(clinic: Clinic, *, worker: bool) -> bool:
    """Whether this process (a `scarplan worker` when `worker`, else an app) sends the mail:
    only with an SMTP server set, and where the jobs run."""
    return clinic.settings.smtp_host is not None and clinic.jobs.durable == worker


class MailWorker:
    def __init__(self, clinic: Clinic) -> None:
        self._clinic = clinic
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scarplan-mail", daemon=True)
        self._last_reminders = float("-inf")

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def run_once(self) -> None:
        """One pass: reminders when due, then delivery. Errors are logged, never raised: the
        next pass tries again."""
        now = time.monotonic()
        try:
            if now - self._last_reminders >= REMINDER_PASS_S:
                queued = queue_due_reminders(self._clinic)
                self._last_reminders = now
                if queued:
                    log.info("queued %d reminder(s)", queued)
            report = send_queued(self._clinic)
            if report.sent or report.failed:
                log.info("mail: sent %d, failed %d", report.sent, report.failed)
        except ScarplanError as error:
            log.error("mail pass refused: %s", error)
        except Exception:
            log.exception(
                "mail pass failed; trying again in %s s", self._clinic.settings.mail_poll_s
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._clinic.settings.mail_poll_s)
