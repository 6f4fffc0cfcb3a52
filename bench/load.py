"""A closed-loop load generator over loopback HTTP: each conversation sends its next
message only when the reply to the previous one has arrived, as a patient does.

Why closed loop: an open-loop generator (a fixed request rate) measures how a queue
grows, not what a patient waits; here the number of patients typing at once is the
load, and the reply time is what each of them sees. The generator stops by itself:
no new message starts after `duration_s`, and the ones in flight are waited for (up
to their timeout), so the slowest replies still count in the percentiles.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import List, Sequence

import aiohttp

from bench.conversations import Conversation
from bench.results import LevelResult
from bench.stats import percentile

REQUEST_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Exchange:
    """One message and its reply: when it was sent and answered (monotonic seconds)."""

    sent: float
    done: float
    ok: bool

    @property
    def latency(self) -> float:
        return self.done - self.sent


def rest_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/webhooks/rest/webhook"


async def exchange(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Exchange:
    """Send one message; ok means a 200 whose body is the JSON list of the bot's messages."""
    sent = time.monotonic()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None) if response.status == 200 else None
            ok = isinstance(body, list)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        ok = False
    return Exchange(sent, time.monotonic(), ok)


async def _patient(
    session: aiohttp.ClientSession,
    url: str,
    conversations: Sequence[Conversation],
    number: int,
    sender_prefix: str,
    deadline: float,
    log: List[Exchange],
) -> None:
    """One patient after another on the same seat: conversation `number`, then the next."""
    for turn in itertools.count():
        conversation = conversations[(number + turn) % len(conversations)]
        sender = f"{sender_prefix}-{number}-{turn}"
        for text in conversation:
            if time.monotonic() >= deadline:
                return
            log.append(await exchange(session, url, sender, text))


async def closed_loop(
    base_url: str,
    conversations: Sequence[Conversation],
    concurrency: int,
    duration_s: float,
    sender_prefix: str,
    timeout_s: float = REQUEST_TIMEOUT_S,
) -> List[Exchange]:
    """Every exchange of `concurrency` conversations kept going for `duration_s` seconds."""
    log: List[Exchange] = []
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        deadline = time.monotonic() + duration_s
        url = rest_url(base_url)
        await asyncio.gather(
            *(_patient(session, url, conversations, n, sender_prefix, deadline, log) for n in range(concurrency))
        )
    return log


def summarize(log: Sequence[Exchange], concurrency: int, duration_s: float) -> LevelResult:
    """Percentiles over answered messages; throughput over those answered within the window."""
    answered = [e for e in log if e.ok]
    if not answered:
        raise RuntimeError(f"no message was answered at {concurrency} concurrent conversations")
    start = min(e.sent for e in log)
    in_window = sum(1 for e in answered if e.done - start <= duration_s)
    latencies_ms = [e.latency * 1000 for e in answered]
    return LevelResult(
        concurrency=concurrency,
        duration_s=duration_s,
        answered=len(answered),
        errors=len(log) - len(answered),
        throughput=in_window / duration_s,
        p50_ms=percentile(latencies_ms, 50),
        p95_ms=percentile(latencies_ms, 95),
        p99_ms=percentile(latencies_ms, 99),
    )


def run_level(
    base_url: str, conversations: Sequence[Conversation], concurrency: int, duration_s: float, sender_prefix: str
) -> LevelResult:
    """One level, measured and summarized (the synchronous entry point the runner uses)."""
    log = asyncio.run(closed_loop(base_url, conversations, concurrency, duration_s, sender_prefix))
    return summarize(log, concurrency, duration_s)


def warm_up(base_url: str, conversations: Sequence[Conversation], sender_prefix: str) -> None:
    """Every conversation once, one message at a time: loads lazy code paths and the model's
    first inference, which the measured levels must not pay for. Raises if one fails,
    because a benchmark of error replies would measure nothing."""

    async def talk() -> List[Exchange]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as session:
            url = rest_url(base_url)
            return [
                await exchange(session, url, f"{sender_prefix}-{number}", text)
                for number, conversation in enumerate(conversations)
                for text in conversation
            ]

    failed = sum(1 for e in asyncio.run(talk()) if not e.ok)
    if failed:
        raise RuntimeError(f"{failed} warm-up messages to {base_url} got no answer")
