"""Simulated open widgets and staff console tabs, each asking its server at a steady interval.

A widget gets its conversation as the real one does (`POST /webhooks/widget/conversations`
for a signed token), says something in it (`POST .../webhook`, so its history has
messages to read), then asks `POST .../history` every `interval_s` seconds, the next
request `interval_s` after the previous answer, as widget.js schedules it. A staff tab
asks the console's `/handoffs/live` version the way static/live.js does (its session
cookie, `X-Console-Update`). Each client starts at a random point of its first interval,
so the load is steady from the first second, as many independently opened pages are.

Every request opens a new connection: a browser's idle keep-alive connection outlives
Sanic's 5 s keep-alive timeout only at the 4 s interval, so this is the costlier and,
for backed-off widgets, the realistic case. The pollers run in a process of their own
(`PollerProcess`), so their event loop neither delays the patients' replies measured
in the main process nor shares its GIL.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

import aiohttp

from bench.load import REQUEST_TIMEOUT_S, Exchange

WIDGET = "/webhooks/widget"
QUEUE_LIVE = "/handoffs/live"
LIVE_HEADERS = {"X-Console-Update": "1"}  # what live.js sends: not the staff member's activity
SEED_CONCURRENCY = 4  # conversations seeded at once: the server answers one message at a time anyway
STOP_CHECK_S = 0.1
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass(frozen=True)
class Client:
    """One open page's request: what it sends every interval."""

    method: str
    url: str
    body: Optional[Dict[str, Any]] = None
    headers: Mapping[str, str] = field(default_factory=dict)


def first_delays(count: int, interval_s: float, seed: int = 0) -> List[float]:
    """When each of `count` clients first asks, spread uniformly over one interval."""
    generator = random.Random(seed)
    return [generator.uniform(0, interval_s) for _ in range(count)]


async def _ask(session: aiohttp.ClientSession, client: Client) -> Exchange:
    sent = time.monotonic()
    try:
        async with session.request(client.method, client.url, json=client.body, headers=dict(client.headers)) as reply:
            await reply.read()
            ok = reply.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        ok = False
    return Exchange(sent, time.monotonic(), ok)


async def _keep_asking(
    session: aiohttp.ClientSession, client: Client, first_s: float, interval_s: float, log: List[Exchange]
) -> None:
    await asyncio.sleep(first_s)
    while True:
        log.append(await _ask(session, client))
        await asyncio.sleep(interval_s)


async def poll(clients: Sequence[Client], interval_s: float, started: Any, stop: Any) -> List[Exchange]:
    """Every client asking every `interval_s` seconds from `started` being set until `stop` is."""
    log: List[Exchange] = []
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        delays = first_delays(len(clients), interval_s)
        tasks = [asyncio.create_task(_keep_asking(session, c, d, interval_s, log)) for c, d in zip(clients, delays)]
        started.set()
        while not stop.is_set():
            await asyncio.sleep(STOP_CHECK_S)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return log


def _serve(clients: Sequence[Client], interval_s: float, started: Any, stop: Any, out: Any) -> None:
    """The poller process's body: poll, then hand back (sent, done, ok) of every request."""
    log = asyncio.run(poll(clients, interval_s, started, stop))
    out.put([(e.sent, e.done, e.ok) for e in log])


class PollerProcess:
    """`clients` polling in a child process from `start()` until `stop()`, which returns their requests."""

    def __init__(self, clients: Sequence[Client], interval_s: float) -> None:
        context = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited loop or threads
        self._started, self._stop, self._out = context.Event(), context.Event(), context.Queue()
        self._process = context.Process(
            target=_serve, args=(list(clients), interval_s, self._started, self._stop, self._out), daemon=True
        )

    @property
    def pid(self) -> Optional[int]:
        return self._process.pid

    def start(self, timeout_s: float = 60.0) -> None:
        self._process.start()
        if not self._started.wait(timeout_s):
            self._process.kill()
            raise RuntimeError("the poller process did not start")

    def stop(self) -> List[Exchange]:
        self._stop.set()
        found = self._out.get(timeout=REQUEST_TIMEOUT_S)  # before join: a full pipe would block the child
        self._process.join(timeout=30)
        return [Exchange(sent, done, ok) for sent, done, ok in found]


async def _widget(session: aiohttp.ClientSession, base_url: str, seed_messages: Sequence[str]) -> Client:
    """A new widget conversation, its first messages said, as the client that reads its history."""
    async with session.post(f"{base_url}{WIDGET}/conversations") as reply:
        reply.raise_for_status()
        token = (await reply.json())["token"]
    for text in seed_messages:
        async with session.post(f"{base_url}{WIDGET}/webhook", json={"sender": token, "message": text}) as reply:
            reply.raise_for_status()
            await reply.read()
    return Client("POST", f"{base_url}{WIDGET}/history", {"sender": token})


async def _widgets(base_url: str, count: int, seed_messages: Sequence[str]) -> List[Client]:
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        gate = asyncio.Semaphore(SEED_CONCURRENCY)

        async def one() -> Client:
            async with gate:
                return await _widget(session, base_url, seed_messages)

        return list(await asyncio.gather(*(one() for _ in range(count))))


def widgets(base_url: str, count: int, seed_messages: Sequence[str]) -> List[Client]:
    """`count` widgets with real signed conversations, each with `seed_messages` said in it."""
    return asyncio.run(_widgets(base_url, count, seed_messages)) if count else []


def csrf_of(page: str) -> str:
    """The CSRF token of the login form's hidden field."""
    match = _CSRF_FIELD.search(page)
    if not match:
        raise RuntimeError("the login page has no CSRF field")
    return match.group(1)


async def _sign_in(staff_url: str, email: str, password: str) -> str:
    """The console's session cookie, got through its login form as a browser gets it."""
    jar = aiohttp.CookieJar(unsafe=True)  # cookies of 127.0.0.1, which aiohttp refuses by default
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(f"{staff_url}/login") as form:
            page = await form.text()
        fields = {"email": email, "password": password, "csrf_token": csrf_of(page)}
        async with session.post(f"{staff_url}/login", data=fields, allow_redirects=False) as reply:
            if reply.status != 303 and reply.status != 302:
                raise RuntimeError(f"sign-in answered {reply.status}")
        cookies = {cookie.key: cookie.value for cookie in jar}
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def staff_tabs(staff_url: str, count: int, email: str, password: str) -> List[Client]:
    """`count` console tabs on the queue of one signed-in staff member."""
    cookie = asyncio.run(_sign_in(staff_url, email, password))
    return [Client("GET", f"{staff_url}{QUEUE_LIVE}", headers={**LIVE_HEADERS, "Cookie": cookie})] * count
