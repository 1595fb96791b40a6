"""Blocking work runs in two lanes (entrypoints/web/lanes.py): the pages share one thread per
process, and work that takes far longer than a page (password hashing, plans, photos, imports,
archives) runs beside it, so the pages do not queue behind it."""

from __future__ import annotations

import threading

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient
from httpx import Response

from scarplan.entrypoints.web import signin
from scarplan.entrypoints.web.lanes import PAGE_THREADS
from scarplan.services.clinic.accounts import users
from webapp.conftest import PASSWORD

WAIT_S = 30


async def _page_lane_threads() -> float:
    return to_thread.current_default_thread_limiter().total_tokens


def test_the_pages_share_one_thread(client: TestClient) -> None:
    assert client.portal is not None
    assert client.portal.call(_page_lane_threads) == PAGE_THREADS == 1


def test_a_slow_sign_in_does_not_hold_up_the_pages(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    real_sign_in = users.sign_in

    def held_sign_in(*args: object) -> object:
        started.set()
        assert release.wait(WAIT_S), "the test never let the sign-in finish"
        return real_sign_in(*args)  # type: ignore[arg-type]

    # signin.py calls the name it imported: that name is the one to hold.
    monkeypatch.setattr(signin, "sign_in", held_sign_in)
    answers: dict[str, Response] = {}

    def send(name: str, method: str, url: str, **extra: object) -> None:
        answers[name] = client.request(method, url, **extra)  # type: ignore[arg-type]

    signing_in = threading.Thread(
        target=send,
        args=("sign-in", "POST", "/api/v1/session"),
        kwargs={"json": {"username": "dr.test", "password": PASSWORD}},
    )
    signing_in.start()
    try:
        assert started.wait(WAIT_S)
        # The sign-in holds a thread; a page (a `def` route, in the pages' lane) still answers.
        page = threading.Thread(target=send, args=("page", "GET", "/login"))
        page.start()
        page.join(WAIT_S)
        assert not page.is_alive(), "the page waited for the sign-in's thread"
        assert answers["page"].status_code == 200
    finally:
        release.set()
        signing_in.join(WAIT_S)
    assert answers["sign-in"].status_code == 200
