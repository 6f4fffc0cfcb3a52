"""Serve a Sanic app on a free port in a background thread, and call it with urllib.

sanic-testing cannot be installed next to Rasa (its httpx pin conflicts), so tests run
the real server: `create_server(..., return_asyncio_server=True)` in the thread's own
event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, Optional, Tuple

from sanic import Sanic

from tests.ports import free_port

START_TIMEOUT_S = 15.0


@contextlib.contextmanager
def serving(app: Sanic) -> Iterator[str]:
    """Yield the base URL of `app` while it serves; stop it afterwards."""
    # Sanic rewrites its HTTP class at each app's startup; test mode lets it do that again
    # for the next app started in the same process.
    Sanic.test_mode = True
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: Dict[str, BaseException] = {}
    holder: Dict[str, Any] = {}

    async def start() -> None:
        # Awaiting create_server binds the socket; startup() finalises the app (routes, signals).
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()  # as `rasa run` does: e.g. sanic-cors installs itself here
        holder["server"] = server

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as exc:  # reported to the test thread below
            failure["error"] = exc
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(holder["server"].close())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(START_TIMEOUT_S) or failure:
        raise RuntimeError(f"the test server did not start: {failure.get('error')!r}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(START_TIMEOUT_S)


def call(
    url: str,
    method: str = "GET",
    token: Optional[str] = None,
    body: Optional[bytes] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, Dict[str, str], Any]:
    """(status, headers, parsed JSON body) of one request; HTTP errors are results, not exceptions."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())
