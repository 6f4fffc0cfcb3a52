"""The demo reverse proxy: round robin, honest retries, pass-through of what upstreams say.

Upstreams are small aiohttp apps (or a raw socket server that drops the connection
after reading a request) on free loopback ports, in the test's own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import AsyncContextManager, AsyncIterator, Callable, List

import aiohttp
import pytest
from aiohttp import web

from bot.launcher import proxy
from tests.ports import free_port

WAIT_LIMIT_S = 10.0  # a bound on waiting for the health check, not an expectation of speed


def echo_app(name: str, hits: List[str]) -> web.Application:
    """An upstream that says who it is and what it received; `?status=` sets its status."""

    async def echo(request: web.Request) -> web.Response:
        hits.append(name)
        body = {
            "upstream": name,
            "method": request.method,
            "path": request.path,
            "query": request.rel_url.raw_query_string,
            "body": (await request.read()).decode(),
            "headers": {key: value for key, value in request.headers.items()},
        }
        status = int(request.query.get("status", "200"))
        return web.json_response(body, status=status, headers={"Retry-After": "30", "X-Upstream": name})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


@contextlib.asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """`app` on a free loopback port; its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def dropping(received: List[bytes]) -> AsyncIterator[str]:
    """An upstream that reads a whole request and closes the connection without answering."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")  # the body may come in a later segment
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        received.append(head + await reader.readexactly(length))
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


def front_of(upstreams: List[str]) -> AsyncContextManager[str]:
    """The proxy in front of `upstreams`, without health checks: only the test's requests arrive."""
    return serving(proxy.make_app(upstreams, health_checks=False))


def dead() -> str:
    """An upstream URL nobody listens on (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


def run(scenario: Callable[[], object]) -> None:
    asyncio.run(scenario())


def test_method_path_query_body_and_headers_are_forwarded_with_x_forwarded_headers():
    async def scenario() -> None:
        async with serving(echo_app("a", [])) as upstream, front_of([upstream]) as front:
            async with aiohttp.ClientSession() as client:
                response = await client.put(
                    f"{front}/webhooks/rest/webhook?x=1&y=%20z",
                    data=b'{"sender": "s", "message": "hi \\"there\\""}',
                    headers={"X-Custom": "kept", "X-Forwarded-For": "203.0.113.9", "Connection": "close"},
                )
                seen = await response.json()
        assert (seen["method"], seen["path"], seen["query"]) == ("PUT", "/webhooks/rest/webhook", "x=1&y=%20z")
        assert seen["body"] == '{"sender": "s", "message": "hi \\"there\\""}'
        assert seen["headers"]["X-Custom"] == "kept"
        assert seen["headers"]["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
        assert seen["headers"]["X-Forwarded-Proto"] == "http"
        assert seen["headers"]["Host"] == front.removeprefix("http://")

    run(scenario)


def test_status_codes_and_retry_after_pass_through():
    async def scenario() -> None:
        async with serving(echo_app("a", [])) as upstream, front_of([upstream]) as front:
            async with aiohttp.ClientSession() as client:
                response = await client.post(f"{front}/webhooks/rest/webhook?status=429", data=b"{}")
                assert response.status == 429
                assert (response.headers["Retry-After"], response.headers["X-Upstream"]) == ("30", "a")

    run(scenario)


def test_requests_take_turns_across_upstreams():
    hits: List[str] = []

    async def scenario() -> None:
        async with serving(echo_app("a", hits)) as a, serving(echo_app("b", hits)) as b:
            async with front_of([a, b]) as front, aiohttp.ClientSession() as client:
                for _ in range(4):
                    await (await client.post(f"{front}/webhooks/rest/webhook", data=b"{}")).read()

    run(scenario)
    assert hits in (["a", "b", "a", "b"], ["b", "a", "b", "a"])


def test_a_post_refused_by_one_upstream_goes_to_the_next_and_the_dead_one_leaves_the_rotation():
    hits: List[str] = []
    down = dead()

    async def scenario() -> None:
        async with serving(echo_app("live", hits)) as live:
            app = proxy.make_app([down, live], health_checks=False)
            async with serving(app) as front, aiohttp.ClientSession() as client:
                statuses = [(await client.post(f"{front}/webhooks/rest/webhook", data=b"{}")).status for _ in range(3)]
            assert statuses == [200, 200, 200]
            assert app[proxy.UPSTREAMS_KEY].healthy == {live}

    run(scenario)
    assert hits == ["live"] * 3


def test_a_post_an_upstream_may_have_processed_is_never_sent_again():
    received: List[bytes] = []
    hits: List[str] = []

    async def scenario() -> None:
        async with dropping(received) as dropper, serving(echo_app("other", hits)) as other:
            app = proxy.make_app([dropper, other], health_checks=False)
            async with serving(app) as front, aiohttp.ClientSession() as client:
                # The rotation starts at the first upstream: the dropping one.
                response = await client.post(f"{front}/webhooks/rest/webhook", data=b'{"message": "book"}')
                assert response.status == 502
                assert "error" in await response.json()

    run(scenario)
    assert len(received) == 1 and b'"message": "book"' in received[0]
    assert hits == []


def test_a_get_dropped_by_one_upstream_is_retried_on_the_next():
    received: List[bytes] = []
    hits: List[str] = []

    async def scenario() -> None:
        async with dropping(received) as dropper, serving(echo_app("other", hits)) as other:
            async with front_of([dropper, other]) as front, aiohttp.ClientSession() as client:
                response = await client.get(f"{front}/webhooks/widget/widget.js")
                assert (response.status, (await response.json())["upstream"]) == (200, "other")

    run(scenario)
    assert len(received) == 1


def test_no_upstream_available_is_a_502_with_json():
    async def scenario() -> None:
        async with front_of([dead(), dead()]) as front, aiohttp.ClientSession() as client:
            response = await client.post(f"{front}/webhooks/rest/webhook", data=b"{}")
            assert response.status == 502
            assert json.loads(await response.text())["error"]

    run(scenario)


def test_the_health_check_takes_a_dead_upstream_out_and_brings_it_back():
    async def scenario() -> None:
        app = echo_app("a", [])
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        upstream = f"http://127.0.0.1:{port}"
        front_app = proxy.make_app([upstream])
        async with serving(front_app):
            upstreams = front_app[proxy.UPSTREAMS_KEY]
            await asyncio.wait_for(_until(lambda: upstream not in upstreams.healthy), WAIT_LIMIT_S)
            site = web.TCPSite(runner, "127.0.0.1", port)
            await site.start()
            await asyncio.wait_for(_until(lambda: upstream in upstreams.healthy), WAIT_LIMIT_S)
        await runner.cleanup()

    run(scenario)


def test_an_empty_upstream_list_is_refused():
    with pytest.raises(ValueError):
        proxy.Upstreams([])


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.05)
