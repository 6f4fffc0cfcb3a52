"""A Redis lock store whose tickets are issued and served atomically, for several Rasa servers.

Rasa locks a conversation while it handles one of its messages, so that two messages of
the same patient are processed one after the other, each on the tracker the previous one
saved. Its stock `RedisLockStore` keeps a conversation's ticket queue as one JSON value
that it reads, changes and writes back in separate commands (RasaHQ/rasa#9213): two
servers taking a ticket at the same moment both read the same queue, both add ticket N
and both believe it is their turn. Both then process the conversation at once, and the
second tracker save drops the first one's events (Rasa saves only the events beyond
those already stored). With the stock store, tests/reliability/test_two_instances.py
lost 0, 7, 9, 2 and 12 of its 200 messages in five runs (docs/reliability.md).

Here each change to a queue is one Lua script, which Redis runs atomically: issuing a
ticket, checking whose turn it is (dropping tickets whose lifetime has passed, so a
crashed server holds a conversation for at most that long) and releasing one. Expiry
is measured on the Redis server's clock, so the Rasa servers' clocks need not agree.
A conversation's keys share a hash tag, so they also work on Redis Cluster.

Enabled in endpoints.prod.yml:

    lock_store:
      type: bot.rasa_server.locks.AtomicRedisLockStore
      url: ${REDIS_URL}
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator, List, Text

import redis
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "cit:lock:"
# How often a waiting message asks whether it is its turn. Rasa's stock store waits a
# whole second, which a patient feels on every message that arrives while one is busy.
POLL_INTERVAL_S = 0.05
SOCKET_TIMEOUT_S = 5.0

_NOW_MS = """
local clock = redis.call('TIME')
local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
"""

# KEYS: counter, queue, expiry. ARGV: lifetime in ms, a unique token. Returns the new
# ticket: its number (its place in line) and the token, so that a server that overran
# its lifetime never releases a later ticket that got the same number.
ISSUE = (
    _NOW_MS
    + """
local number = redis.call('INCR', KEYS[1])
local ticket = number .. ':' .. ARGV[2]
redis.call('ZADD', KEYS[2], number, ticket)
redis.call('HSET', KEYS[3], ticket, now_ms + tonumber(ARGV[1]))
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < tonumber(ARGV[1]) then redis.call('PEXPIRE', key, ARGV[1]) end
end
return ticket
"""
)

# Drops the tickets whose lifetime has passed from queue QUEUE and hash EXPIRY (a
# conversation's queue holds the few messages in flight for it, so this stays short).
_DROP_EXPIRED = (
    _NOW_MS
    + """
for _, ticket in ipairs(redis.call('ZRANGE', QUEUE, 0, -1)) do
  local expires = tonumber(redis.call('HGET', EXPIRY, ticket))
  if not expires or expires < now_ms then
    redis.call('ZREM', QUEUE, ticket)
    redis.call('HDEL', EXPIRY, ticket)
  end
end
"""
)

# KEYS: queue, expiry. ARGV: ticket. Returns 1 when it is the ticket's turn, 0 while it
# waits, -1 when the ticket is gone (its lifetime passed while it waited).
TURN = (
    "local QUEUE, EXPIRY = KEYS[1], KEYS[2]"
    + _DROP_EXPIRED
    + """
if not redis.call('ZSCORE', QUEUE, ARGV[1]) then return -1 end
if redis.call('ZRANGE', QUEUE, 0, 0)[1] == ARGV[1] then return 1 end
return 0
"""
)

# KEYS: counter, queue, expiry. ARGV: ticket. The last ticket out removes the keys.
RELEASE = (
    "local QUEUE, EXPIRY = KEYS[2], KEYS[3]"
    + _DROP_EXPIRED
    + """
redis.call('ZREM', QUEUE, ARGV[1])
redis.call('HDEL', EXPIRY, ARGV[1])
if redis.call('ZCARD', QUEUE) == 0 then redis.call('DEL', KEYS[1], QUEUE, EXPIRY) end
return 1
"""
)


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis, each step atomic (see the module docstring).

    Rasa only ever calls `lock()`; the base class's methods for its JSON ticket locks
    (`issue_ticket`, `get_lock`, `save_lock`, ...) describe the stock store's data and
    are not used here.
    """

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Rasa passes endpoints.yml's `lock_store` section: `url` (redis://host:port/db)
        and optionally `key_prefix`."""
        if not endpoint_config.url:
            raise ValueError("lock_store needs `url: redis://host:6379/0` (REDIS_URL)")
        self.red = redis.Redis.from_url(endpoint_config.url, socket_timeout=SOCKET_TIMEOUT_S)
        self.key_prefix = str(endpoint_config.kwargs.get("key_prefix") or DEFAULT_KEY_PREFIX)
        self._issue = self.red.register_script(ISSUE)
        self._turn = self.red.register_script(TURN)
        self._release = self.red.register_script(RELEASE)
        super().__init__()

    def keys(self, conversation_id: Text) -> List[str]:
        """The ticket counter, the queue and the tickets' expiry times of a conversation."""
        tag = f"{self.key_prefix}{{{conversation_id}}}"
        return [f"{tag}:next", f"{tag}:queue", f"{tag}:expiry"]

    def take_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> str:
        """A new ticket, valid for `lock_lifetime` seconds, behind those already issued."""
        try:
            ticket = self._issue(keys=self.keys(conversation_id), args=[_ms(lock_lifetime), uuid.uuid4().hex])
        except redis.RedisError as exc:
            raise LockError(f"could not issue a ticket for conversation '{conversation_id}': {exc}") from exc
        return ticket.decode() if isinstance(ticket, bytes) else str(ticket)

    def is_turn(self, conversation_id: Text, ticket: str) -> bool:
        """True when `ticket` is first in line; LockError when it expired while waiting."""
        counter, queue, expiry = self.keys(conversation_id)
        try:
            turn = int(self._turn(keys=[queue, expiry], args=[ticket]))
        except redis.RedisError as exc:
            raise LockError(f"could not check the lock of conversation '{conversation_id}': {exc}") from exc
        if turn < 0:
            raise LockError(f"ticket {ticket} of conversation '{conversation_id}' expired while waiting")
        return turn == 1

    def release(self, conversation_id: Text, ticket: str) -> None:
        """Let the next ticket in; if Redis cannot be reached, the ticket expires by itself."""
        try:
            self._release(keys=self.keys(conversation_id), args=[ticket])
        except redis.RedisError:
            logger.exception("could not release ticket %s of conversation '%s'", ticket, conversation_id)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_INTERVAL_S,
    ) -> AsyncIterator[None]:
        """Hold the conversation's lock inside the block, after every earlier ticket."""
        ticket = self.take_ticket(conversation_id, lock_lifetime)
        try:
            while not self.is_turn(conversation_id, ticket):
                await asyncio.sleep(wait_time_in_seconds)
            yield
        finally:
            self.release(conversation_id, ticket)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
