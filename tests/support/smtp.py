"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for e-mail tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Inbox:
    """What the server accepted, parsed; `handle_DATA` is aiosmtpd's handler hook."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


@contextmanager
def smtp_server(port: int, inbox: Inbox | None = None) -> Iterator[Inbox]:
    received = inbox if inbox is not None else Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield received
    finally:
        controller.stop()


def mail_settings(smtp_port: int) -> dict[str, str]:
    """`scarplan serve`'s environment for sending through the test server at once: the links in
    the e-mails point at the app (`{port}` becomes its port, see support/server.py)."""
    return {
        "SCARPLAN_SMTP_HOST": "127.0.0.1",
        "SCARPLAN_SMTP_PORT": str(smtp_port),
        "SCARPLAN_SMTP_SECURITY": "none",
        "SCARPLAN_MAIL_POLL_S": "0.5",
        "SCARPLAN_PUBLIC_BASE_URL": "http://127.0.0.1:{port}",
    }


def wait_for_mail(inbox: Inbox, address: str, count: int, seconds: float = 30) -> EmailMessage:
    """The `count`-th message to `address`, waiting for it; more than `count` fails (sent twice)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = inbox.to(address)
        if len(found) >= count:
            assert len(found) == count, f"more than {count} messages to {address}: one came twice"
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"message {count} to {address} did not arrive within {seconds:.0f} s")
