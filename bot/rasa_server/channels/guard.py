"""What the patient channels (REST for the website, SMS) check before Rasa sees a message.

Payloads. Rasa reads a message that starts with `/` as a direct intent, and
`/intent{"slot": value}` or `/intent@0.9` as an intent with entities and a confidence:
typed by a patient, that would trigger any intent, Rasa's built-in ones included
(`/restart`, `/session_start`), or set slots (`/inform{"booking_confirmed": true}`).
Our own quick-reply buttons (the widget's, and SMS's "Reply 2") legitimately send
`/faq_pain`. So on a patient channel a message starting with `/` stays a payload only
when it is exactly `/<intent>` (surrounding whitespace aside, as Rasa strips it) and
`<intent>` is one of the domain's own intents: not one Rasa adds by itself
(`rasa.shared.core.constants.DEFAULT_INTENTS`: restart, back, out_of_scope,
session_start, nlu_fallback) unless the domain declares it too (ours declares
`out_of_scope`). No entities (`{`), no confidence (`@`), nothing after it. Anything
else starting with `/` loses its leading slashes (and the spaces between them) and is
read by NLU as the plain text it is: "/restart" becomes "restart".

Rate limit. Each (channel, sender) may send `PATIENT_RATE_LIMIT` messages per
`PATIENT_RATE_WINDOW` seconds, in fixed windows. With `REDIS_URL` the count is shared
by every Rasa instance; the Redis key holds a SHA-256 of the sender, never the phone
number itself. Without Redis each process counts for itself, forgetting idle senders.
When Redis cannot be reached the message goes through (with a warning at most once a
minute): our infrastructure must never stand between a patient and the clinic.

Address limit. The REST and widget channels let a client name its sender (or fetch a
new widget token) at will, so a per-sender limit alone stops nobody who changes sender
ids. Each client address (`bot.client_address`: X-Forwarded-For only from the proxies
PATIENT_PROXIES trusts, IPv6 by /64) may therefore make PATIENT_ADDRESS_LIMIT requests
per PATIENT_RATE_WINDOW to those channels, whatever senders it names, counted like the
sender limit (in Redis when set, by a SHA-256 of the address). It is far above what one
household or office sends, as mobile carriers put many patients behind one address. This
host itself (loopback) is not counted: that is the operator's own tools, or a proxy on
this host nobody said to trust, behind which every patient would share one count; a
warning then says to set PATIENT_PROXIES. SMS needs no address limit: every text comes
from Twilio, signed for the number it names.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
import weakref
from collections import OrderedDict
from functools import lru_cache
from typing import Callable, Collection, FrozenSet, Optional, Protocol, Tuple

import redis.asyncio
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import DEFAULT_INTENTS
from rasa.shared.core.domain import Domain
from redis.exceptions import RedisError
from sanic.request import Request

from bot.client_address import address_key, client_address, is_loopback
from bot.rasa_server.channels.responses import DomainNotLoaded, request_domain
from bot.settings import Settings

logger = logging.getLogger(__name__)

KEY_PREFIX = "ratelimit"
# The limiter namespace of client addresses, shared by the REST and widget channels.
ADDRESS_CHANNEL = "address"
FORWARDED_FOR = "X-Forwarded-For"
# A patient waits on Redis only this long before the message goes through unlimited.
REDIS_TIMEOUT_S = 0.5
FAIL_OPEN_WARNING_INTERVAL_S = 60.0
# Senders the in-process limiter remembers at most; past that the oldest is forgotten
# (it gets a fresh count), so a flood of made-up sender ids cannot exhaust memory.
MAX_TRACKED_SENDERS = 100_000


# --- payloads ------------------------------------------------------------------------


def patient_text(text: str, intents: Collection[str]) -> str:
    """`text` as Rasa may see it from a patient: one of `intents` as `/<intent>`, or plain text."""
    stripped = text.strip()
    if not stripped.startswith(INTENT_MESSAGE_PREFIX):
        return text
    if stripped[len(INTENT_MESSAGE_PREFIX) :] in intents:
        return stripped
    while stripped.startswith(INTENT_MESSAGE_PREFIX):  # "/ /restart" must not become "/restart"
        stripped = stripped[len(INTENT_MESSAGE_PREFIX) :].lstrip()
    return stripped


def patient_intents(domain: Domain) -> FrozenSet[str]:
    """The intents a patient may send as a payload: the domain's own, not Rasa's built-in ones."""
    builtin = set(DEFAULT_INTENTS) - set(domain.overridden_default_intents)
    return frozenset(domain.intents) - builtin


class _IntentCache:
    """`patient_intents` of the last domain asked about, recomputed when the model changes."""

    def __init__(self) -> None:
        self._domain: Optional[weakref.ReferenceType] = None
        self._intents: FrozenSet[str] = frozenset()

    def get(self, domain: Domain) -> FrozenSet[str]:
        if self._domain is None or self._domain() is not domain:
            self._intents = patient_intents(domain)
            self._domain = weakref.ref(domain)
        return self._intents


_intent_cache = _IntentCache()


def request_intents(request: Request) -> FrozenSet[str]:
    """`patient_intents` of the loaded model; none before a model is loaded (no payload passes)."""
    try:
        return _intent_cache.get(request_domain(request))
    except DomainNotLoaded:
        return frozenset()


# --- rate limit ----------------------------------------------------------------------


class RateLimiter(Protocol):
    """Counts messages per (channel, sender) in fixed windows."""

    async def allow(self, channel: str, sender: str) -> Optional[int]:
        """Count one message: None when it may go through, else the seconds until it may."""


def _seconds(remaining: float) -> int:
    """Whole seconds to wait, at least one (a Retry-After of 0 invites an immediate retry)."""
    return max(1, math.ceil(remaining))


class MemoryRateLimiter:
    """One process's count; memory holds only senders seen within the last window."""

    def __init__(
        self,
        limit: int,
        window: int,
        clock: Callable[[], float] = time.monotonic,
        max_senders: int = MAX_TRACKED_SENDERS,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_senders = max_senders
        # (channel, sender) -> (window start, count), oldest window first.
        self._windows: "OrderedDict[Tuple[str, str], Tuple[float, int]]" = OrderedDict()

    def __len__(self) -> int:
        """How many senders are remembered."""
        return len(self._windows)

    async def allow(self, channel: str, sender: str) -> Optional[int]:
        now = self._clock()
        self._forget_idle(now)
        key = (channel, sender)
        start, count = self._windows.get(key) or self._open_window(key, now)
        if count >= self.limit:
            return _seconds(start + self.window - now)
        self._windows[key] = (start, count + 1)
        return None

    def _open_window(self, key: Tuple[str, str], now: float) -> Tuple[float, int]:
        """A new window for `key`, last in start order; the oldest goes when memory is full."""
        self._windows[key] = (now, 0)
        while len(self._windows) > self._max_senders:
            self._windows.popitem(last=False)
        return now, 0

    def _forget_idle(self, now: float) -> None:
        """Drop windows that have ended; they are ordered by start, so only the front is checked."""
        while self._windows:
            start, _ = next(iter(self._windows.values()))
            if start + self.window > now:
                return
            self._windows.popitem(last=False)


class RedisRateLimiter:
    """The count shared by every Rasa instance through Redis; fails open when Redis is down."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        limit: int,
        window: int,
        prefix: str = KEY_PREFIX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.limit = limit
        self.window = window
        self.prefix = prefix
        self._clock = clock
        self._warned_at: Optional[float] = None

    def key(self, channel: str, sender: str) -> str:
        """`<prefix>:<channel>:<sha256 of the sender>`: no phone number becomes a Redis key."""
        return f"{self.prefix}:{channel}:{hashlib.sha256(sender.encode('utf-8')).hexdigest()}"

    async def allow(self, channel: str, sender: str) -> Optional[int]:
        key = self.key(channel, sender)
        try:
            # One MULTI: start the window with its expiry only if none is running (so later
            # messages never extend it, on any Redis version), count, and read what is left.
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.set(key, 0, ex=self.window, nx=True)
                pipe.incr(key)
                pipe.ttl(key)
                _, count, ttl = await pipe.execute()
        except (RedisError, OSError, asyncio.TimeoutError) as error:
            self._warn_fail_open(error)
            return None
        if count <= self.limit:
            return None
        return _seconds(ttl if ttl > 0 else self.window)

    def _warn_fail_open(self, error: BaseException) -> None:
        now = self._clock()
        if self._warned_at is not None and now - self._warned_at < FAIL_OPEN_WARNING_INTERVAL_S:
            return
        self._warned_at = now
        logger.warning("Patient rate limit not applied: Redis is unreachable (%s); messages go through", error)


def rate_limiter(settings: Settings, limit: Optional[int] = None) -> RateLimiter:
    """The limiter `settings` ask for: shared through Redis with `REDIS_URL`, else in-process.

    `limit` overrides `PATIENT_RATE_LIMIT` (the SMS channel answers one over-limit
    message per window with a second limiter of limit 1; client addresses get
    PATIENT_ADDRESS_LIMIT).
    """
    limit = limit or settings.patient_rate_limit
    if settings.redis_url:
        client = redis.asyncio.from_url(
            settings.redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        return RedisRateLimiter(client, limit, settings.patient_rate_window)
    return MemoryRateLimiter(limit, settings.patient_rate_window)


# --- address limit -------------------------------------------------------------------


class AddressLimit:
    """PATIENT_ADDRESS_LIMIT requests per window from one client address (module docstring)."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self._warned_untrusted_proxy = False

    async def wait(self, request: Request) -> Optional[int]:
        """Count `request` against its client address: None when it may go on, else the
        seconds until it may."""
        client = client_address(request)
        if is_loopback(client):
            self._warn_if_proxied(request)
            return None
        return await self.limiter.allow(ADDRESS_CHANNEL, address_key(client))

    def _warn_if_proxied(self, request: Request) -> None:
        """Once: a proxy on this host forwards clients, but none is trusted."""
        if self._warned_untrusted_proxy or not request.headers.get(FORWARDED_FOR) or request.app.config.PROXIES_COUNT:
            return
        self._warned_untrusted_proxy = True
        logger.warning(
            "Requests from this host carry %s, but PATIENT_PROXIES is 0: the address limit cannot tell "
            "patients apart and does not count them; set PATIENT_PROXIES to the proxies in front",
            FORWARDED_FOR,
        )


@lru_cache(maxsize=None)
def address_limit(settings: Settings) -> AddressLimit:
    """The address limit of this process, one for the REST and widget channels together
    (so a client gets PATIENT_ADDRESS_LIMIT requests in all, not that many per channel)."""
    return AddressLimit(rate_limiter(settings, limit=settings.patient_address_limit))
