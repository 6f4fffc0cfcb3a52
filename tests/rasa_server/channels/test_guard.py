"""The patient channels' guard: which `/payloads` pass, and the per-sender rate limit.

The Redis limiter runs against the real Redis at 127.0.0.1:6379, each test under its
own key prefix, deleted afterwards. Without the server those tests skip, unless CI is
set: then a missing server fails the run instead of silently testing less.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import uuid
from types import SimpleNamespace
from typing import AsyncIterator, Awaitable, Callable, TypeVar

import pytest
import redis
import redis.asyncio
from rasa.shared.core.domain import Domain

from bot.rasa_server.channels import guard
from bot.rasa_server.channels.guard import (
    MemoryRateLimiter,
    RedisRateLimiter,
    patient_intents,
    patient_text,
    rate_limiter,
    request_intents,
)
from bot.settings import PROJECT_ROOT, Settings
from tests.db import databases
from tests.ports import free_port

PHONE = "+16465550123"
T = TypeVar("T")


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def intents(domain):
    return patient_intents(domain)


# --- payloads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, seen",
    [
        ("/faq_pain", "/faq_pain"),  # a quick-reply button of our own
        ("  /faq_pain \n", "/faq_pain"),  # Rasa strips the text the same way
        ("/out_of_scope", "/out_of_scope"),  # built into Rasa, but our domain declares it
        ('/faq_pain{"x":1}', 'faq_pain{"x":1}'),
        ("/faq_pain@0.99", "faq_pain@0.99"),
        ("/faq_pain please", "faq_pain please"),
        ("/booking_confirmed", "booking_confirmed"),  # a slot, not an intent
        ('/inform{"booking_confirmed": true}', 'inform{"booking_confirmed": true}'),
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ("/nlu_fallback", "nlu_fallback"),
        ("/back", "back"),
        ("//faq_pain", "faq_pain"),
        ("/ faq_pain", "faq_pain"),
        ("/ /restart", "restart"),
        ("/unknown_intent", "unknown_intent"),
        ("/", ""),
        ("how long will I be red?", "how long will I be red?"),
        ("is 1/2 of the face ok?", "is 1/2 of the face ok?"),
    ],
)
def test_only_the_domains_own_intents_pass_as_payloads(intents, typed, seen):
    assert patient_text(typed, intents) == seen


@pytest.mark.parametrize("builtin", ["restart", "back", "session_start", "nlu_fallback"])
def test_rasas_builtin_intents_are_not_the_patients(intents, domain, builtin):
    assert builtin in domain.intents and builtin not in intents


def test_every_button_payload_of_the_domain_passes(domain, intents):
    payloads = {
        button["payload"]
        for variants in domain.responses.values()
        for variant in variants
        for button in variant.get("buttons") or []
    }
    assert payloads and {patient_text(p, intents) for p in payloads} == payloads


def test_the_allowed_intents_come_from_the_requests_domain_and_are_cached(domain, monkeypatch):
    request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(domain=domain))))
    first = request_intents(request)
    calls = []
    monkeypatch.setattr(guard, "patient_intents", lambda d: calls.append(d) or frozenset())
    assert request_intents(request) is first and calls == []  # same domain object: cached
    request.app.ctx.agent.domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))  # a new model
    assert request_intents(request) == frozenset() and len(calls) == 1


def test_without_a_loaded_model_no_payload_passes():
    request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=None)))
    assert request_intents(request) == frozenset()
    assert patient_text("/faq_pain", request_intents(request)) == "faq_pain"


# --- in-process limiter --------------------------------------------------------------


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _allow(limiter, channel: str = "rest", sender: str = "a"):
    return asyncio.run(limiter.allow(channel, sender))


def test_the_memory_limiter_allows_the_limit_then_says_how_long_to_wait():
    clock = Clock()
    limiter = MemoryRateLimiter(limit=3, window=60, clock=clock)
    assert [_allow(limiter) for _ in range(3)] == [None, None, None]
    clock.now += 20.5
    assert _allow(limiter) == 40  # the window started with the first message
    clock.now += 39
    assert _allow(limiter) == 1


def test_senders_and_channels_are_counted_apart():
    limiter = MemoryRateLimiter(limit=1, window=60, clock=Clock())
    assert _allow(limiter, "rest", "a") is None
    assert _allow(limiter, "rest", "a") == 60
    assert _allow(limiter, "rest", "b") is None
    assert _allow(limiter, "twilio", "a") is None


def test_a_new_window_starts_a_new_count():
    clock = Clock()
    limiter = MemoryRateLimiter(limit=2, window=60, clock=clock)
    _allow(limiter), _allow(limiter)
    assert _allow(limiter) is not None
    clock.now += 60
    assert [_allow(limiter), _allow(limiter), _allow(limiter) is not None] == [None, None, True]


def test_idle_senders_are_forgotten_and_memory_stays_bounded():
    clock = Clock()
    limiter = MemoryRateLimiter(limit=5, window=60, clock=clock, max_senders=100)
    for sender in range(50):
        _allow(limiter, sender=str(sender))
    assert len(limiter) == 50
    clock.now += 60
    _allow(limiter, sender="new")
    assert len(limiter) == 1  # the fifty are idle: gone
    for sender in range(1000):  # a flood of made-up senders within one window
        _allow(limiter, sender=f"flood-{sender}")
    assert len(limiter) == 100


# --- Redis limiter -------------------------------------------------------------------


@pytest.fixture(scope="module")
def require_redis() -> None:
    """Skip (or, with CI set, fail) when Redis is not running."""
    databases.require_redis()


@contextlib.asynccontextmanager
async def _redis_limiters(count: int, limit: int, window: int = 60) -> AsyncIterator[list]:
    """`count` limiters on their own clients (as on separate instances), one fresh key prefix."""
    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    clients = [redis.asyncio.Redis(host=databases.REDIS_HOST, port=databases.REDIS_PORT) for _ in range(count)]
    try:
        yield [RedisRateLimiter(client, limit, window, prefix=prefix) for client in clients]
    finally:
        keys = [key async for key in clients[0].scan_iter(match=f"{prefix}:*")]
        if keys:
            await clients[0].delete(*keys)
        for client in clients:
            await client.close()


def _run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(scenario())


def test_redis_counts_one_sender_across_instances(require_redis):
    async def scenario():
        async with _redis_limiters(2, limit=3) as (one, two):
            verdicts = [await limiter.allow("twilio", PHONE) for limiter in (one, two, one, two)]
            other = await two.allow("twilio", "+15550100002")
            elsewhere = await one.allow("rest", PHONE)
            return verdicts, other, elsewhere

    verdicts, other, elsewhere = _run(scenario)
    assert verdicts[:3] == [None, None, None]
    assert 1 <= verdicts[3] <= 60
    assert other is None and elsewhere is None


def test_redis_keys_hold_a_hash_of_the_sender_never_the_number(require_redis):
    async def scenario():
        async with _redis_limiters(1, limit=3) as (limiter,):
            await limiter.allow("twilio", PHONE)
            return [key.decode() async for key in limiter.client.scan_iter(match=f"{limiter.prefix}:*")]

    [key] = _run(scenario)
    assert key.endswith(":twilio:" + hashlib.sha256(PHONE.encode()).hexdigest())
    assert PHONE not in key and PHONE.lstrip("+") not in key


def test_redis_windows_are_fixed_not_extended_by_more_messages(require_redis):
    async def scenario():
        async with _redis_limiters(1, limit=2) as (limiter,):
            key = limiter.key("rest", "a")
            await limiter.allow("rest", "a")
            assert 0 < await limiter.client.ttl(key) <= 60  # the window expires
            await limiter.client.expire(key, 5)  # as if 55 of its 60 seconds had passed
            waits = [await limiter.allow("rest", "a") for _ in range(3)]
            return waits, await limiter.client.ttl(key)

    waits, ttl = _run(scenario)
    assert waits[0] is None and all(1 <= wait <= 5 for wait in waits[1:])
    assert 0 < ttl <= 5


def test_without_redis_every_message_goes_through_with_one_warning_a_minute(caplog):
    clock = Clock()
    client = redis.asyncio.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1)
    limiter = RedisRateLimiter(client, limit=1, window=60, clock=clock)

    async def scenario():
        verdicts = [await limiter.allow("twilio", PHONE) for _ in range(3)]
        clock.now += 61
        verdicts.append(await limiter.allow("twilio", PHONE))
        await client.close()
        return verdicts

    with caplog.at_level(logging.WARNING, logger=guard.__name__):
        assert _run(scenario) == [None, None, None, None]
    warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
    assert len(warnings) == 2  # the first, and one more a minute later
    assert PHONE not in caplog.text


# --- factory -------------------------------------------------------------------------


def _settings(tmp_path, **overrides) -> Settings:
    return dataclasses.replace(Settings.from_env({"VAR_DIR": str(tmp_path)}), **overrides)


def test_the_factory_picks_redis_when_configured(tmp_path):
    memory = rate_limiter(_settings(tmp_path, patient_rate_limit=7, patient_rate_window=30))
    assert isinstance(memory, MemoryRateLimiter) and (memory.limit, memory.window) == (7, 30)
    shared = rate_limiter(_settings(tmp_path, redis_url="redis://127.0.0.1:6379/0"), limit=1)
    assert isinstance(shared, RedisRateLimiter) and (shared.limit, shared.window) == (1, 60)
