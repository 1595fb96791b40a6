"""`Server-Timing: app;dur=MS` on every response, when the `server_timing` setting is on.

The time runs from the moment the request reaches the app (outside every other middleware) to
the start of its response: for the pages here, whose bodies are rendered before the response
starts, that is the server's work on the request. bench/web.py reads it to measure server time
apart from the time a request waits in the socket queue or in the load generator.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerTiming:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                headers = [*message.get("headers", []), (b"server-timing", b"app;dur=%.2f" % took)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)
