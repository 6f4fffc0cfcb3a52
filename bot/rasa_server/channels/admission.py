"""Patient messages enter Rasa's pipeline a few at a time, first come first served.

Rasa's server takes every request the moment it arrives and interleaves them all on one
event loop. A form turn waits for the action server two or three times, and after each
wait it queues again behind every other message in progress, so under load form turns
took 5 to 10 times as long as questions (p99 at 50 concurrent conversations: 9.7 s;
docs/performance.md). Letting MESSAGE_CONCURRENCY messages in at a time, in arrival
order, gives every patient about the same wait and wastes less time switching between
half-done messages: p99 at 50 conversations fell below 1 s.

A message holds its place for at most HOLD_S seconds. A healthy message needs a few
milliseconds of it; one that takes longer is waiting on something outside (a hung
action server, a slow database), and it finishes outside the gate, so it never stops
everyone else's questions from being answered. The limit is per Rasa process (per
Sanic worker), shared by the website's and the SMS channel.

At most MESSAGE_QUEUE_LIMIT messages wait for a place. One more is refused at once
(`Overloaded`; the channels answer it with 503 and Retry-After, and by SMS with the
outage answer and the clinic's number) instead of joining the line: a line without a
bound lets a flood hold every later patient, and every waiting request's memory, for
as long as the flood lasts, while a refused patient learns at once to retry or to call.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage

from bot.settings import Settings

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]

# Far above a healthy message's time inside (tens of milliseconds, even at 50
# concurrent conversations), far below the 5 minutes Rasa waits for an action server.
HOLD_S = 2.0
# The wait a refused message is told (the REST and widget channels' Retry-After). A full line of healthy messages
# drains within a few seconds; one held up by a hung action server lets the next in
# every HOLD_S. A retry after this finds room, or is refused again at no cost.
RETRY_AFTER_S = 5


class Overloaded(Exception):
    """A message refused because `waiting` messages already wait for a place."""

    def __init__(self, waiting: int) -> None:
        super().__init__(f"{waiting} messages already wait for a place")
        self.waiting = waiting


class Gate:
    """At most `limit` holders at a time, at most `max_waiting` waiting, in arrival order.

    The semaphore is made in the loop that first uses it, and made again if a later
    loop uses the gate (a test's next `asyncio.run`): an asyncio semaphore that has made
    someone wait belongs to that loop. A Sanic worker has one loop for its whole life.
    """

    def __init__(self, limit: int, max_waiting: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        if max_waiting < 1:
            raise ValueError(f"max_waiting must be at least 1, not {max_waiting}")
        self.limit = limit
        self.max_waiting = max_waiting
        self.waiting = 0
        self._refusing = False  # logged once per spell of refusals, not once per message
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._semaphore: Optional[asyncio.Semaphore] = None

    def semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._loop, self._semaphore, self.waiting = loop, asyncio.Semaphore(self.limit), 0
        return self._semaphore

    def full(self) -> bool:
        """Whether a message arriving now would be refused: every place taken (or someone
        already in line: asyncio's semaphore is fair) and `max_waiting` in line."""
        return self.semaphore().locked() and self.waiting >= self.max_waiting

    async def enter(self) -> asyncio.Semaphore:
        """Take a place, in line behind those waiting when all are taken; the semaphore to
        release it on. Raises Overloaded, without waiting, when the line is full."""
        semaphore = self.semaphore()
        if self.full():
            if not self._refusing:
                logger.warning("patient messages refused: %d already wait for a place", self.waiting)
            self._refusing = True
            raise Overloaded(self.waiting)
        if self._refusing:
            logger.info("patient messages admitted again: the line has room")
            self._refusing = False
        self.waiting += 1
        try:
            await semaphore.acquire()
        finally:
            self.waiting -= 1
        return semaphore


@lru_cache(maxsize=None)
def process_gate(limit: int, max_waiting: int) -> Gate:
    """The gate every channel of this process shares, so that website messages and
    texts queue together and MESSAGE_CONCURRENCY and MESSAGE_QUEUE_LIMIT count them all."""
    return Gate(limit, max_waiting)


def channel_gate(settings: Settings) -> Gate:
    """This process's gate for MESSAGE_CONCURRENCY and MESSAGE_QUEUE_LIMIT."""
    return process_gate(settings.message_concurrency, settings.message_queue_limit)


def admitted(handler: Handler, gate: Gate, hold_s: float = HOLD_S) -> Handler:
    """`handler`, entered through `gate` (at most `gate.limit` messages inside at once, in
    arrival order); a message still running after `hold_s` seconds lets the next one in.
    A message that finds the line full raises Overloaded, and is never handled."""

    async def handle(message: UserMessage) -> Any:
        semaphore = await gate.enter()
        try:
            task = asyncio.ensure_future(handler(message))
            try:
                await asyncio.wait({task}, timeout=hold_s)
            except asyncio.CancelledError:  # the request went away: so does its message
                task.cancel()
                raise
        finally:
            semaphore.release()
        return await task

    return handle
