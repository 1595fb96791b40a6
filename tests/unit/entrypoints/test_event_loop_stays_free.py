"""No `async def` route in the web layer calls the services on the event loop.

An `async def` route runs on the process's one event loop: a service call made there directly
(a database read, password hashing) holds every other request of the process until it returns.
The services are synchronous, so such a route awaits them through `run_in_threadpool` (the pages'
lane) or `run_slow` (docs/web.md, "Threads"). The services take the clinic as their first
argument, which is what this test looks for: a call with `clinic` first, inside an `async def`,
that is not awaited."""

from __future__ import annotations

import ast
from pathlib import Path

from scarplan.entrypoints import web

WEB = Path(web.__file__).parent


def _unawaited_service_calls(source: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        awaited = {
            id(call)
            for waited in ast.walk(function)
            if isinstance(waited, ast.Await)
            for call in ast.walk(waited)
            if isinstance(call, ast.Call)
        }
        for call in ast.walk(function):
            if not isinstance(call, ast.Call) or id(call) in awaited or not call.args:
                continue
            first = call.args[0]
            if isinstance(first, ast.Name) and first.id == "clinic":
                found.append((call.lineno, f"{function.name}: {ast.unparse(call.func)}"))
    return found


def test_no_async_route_calls_a_service_on_the_event_loop() -> None:
    offenders = [
        f"{path.relative_to(WEB)}:{line} {what}"
        for path in sorted(WEB.rglob("*.py"))
        for line, what in _unawaited_service_calls(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "service calls on the event loop:\n" + "\n".join(offenders)


def test_the_check_sees_a_call_on_the_loop_and_accepts_an_awaited_one() -> None:
    on_the_loop = "async def page(clinic):\n    return get_patient(clinic, 1)\n"
    awaited = "async def page(clinic):\n    return await run_slow(get_patient, clinic, 1)\n"
    in_a_thread = "def page(clinic):\n    return get_patient(clinic, 1)\n"
    assert _unawaited_service_calls(on_the_loop) == [(2, "page: get_patient")]
    assert _unawaited_service_calls(awaited) == []
    assert _unawaited_service_calls(in_a_thread) == []
