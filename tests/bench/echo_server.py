"""A tiny REST 'assistant' on loopback for the load generator's tests: it echoes each
message after a short pause and records what it saw (order per sender, and how many
messages were in flight at once)."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, List

from aiohttp import web

from bench.assistants import free_port


@dataclass
class EchoServer:
    status: int = 200
    pause_s: float = 0.01
    received: Dict[str, List[str]] = field(default_factory=lambda: defaultdict(list))
    in_flight: int = 0
    most_in_flight: int = 0
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            self.received[body["sender"]].append(body["message"])
            await asyncio.sleep(self.pause_s)
        finally:
            self.in_flight -= 1
        if self.status != 200:
            return web.Response(status=self.status, text="broken")
        return web.json_response([{"recipient_id": body["sender"], "text": body["message"]}])


class Serving:
    """`server` served in a thread of its own (the load generator runs its own loop)."""

    def __init__(self, server: EchoServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.server.webhook)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        self.server.port = free_port()
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.server.port).start())
        self.ready.set()
        self.loop.run_forever()

    def __enter__(self) -> EchoServer:
        self.thread.start()
        self.ready.wait(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def main(port: int) -> None:
    """Serve an EchoServer on `port` in this process (the runner's tests start it as a server)."""
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", EchoServer().webhook)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    import sys

    main(int(sys.argv[1]))
