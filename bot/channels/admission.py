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
"""
from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage

Handler = Callable[[UserMessage], Awaitable[Any]]

# Far above a healthy message's time inside (tens of milliseconds, even at 50
# concurrent conversations), far below the 5 minutes Rasa waits for an action server.
HOLD_S = 2.0


class Gate:
    """At most `limit` holders at a time, waiting in arrival order.

    The semaphore is made in the loop that first uses it, and made again if a later
    loop uses the gate (a test's next `asyncio.run`): an asyncio semaphore that has made
    someone wait belongs to that loop. A Sanic worker has one loop for its whole life.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        self.limit = limit
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._semaphore: Optional[asyncio.Semaphore] = None

    def semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._loop, self._semaphore = loop, asyncio.Semaphore(self.limit)
        return self._semaphore


@lru_cache(maxsize=None)
def process_gate(limit: int) -> Gate:
    """The gate every channel of this process shares, so that website messages and
    texts queue together and MESSAGE_CONCURRENCY counts them all."""
    return Gate(limit)


def admitted(handler: Handler, limit: int, hold_s: float = HOLD_S) -> Handler:
    """`handler`, entered through this process's gate for `limit` (at most `limit`
    messages inside at once, in arrival order); a message still running after `hold_s`
    seconds lets the next one in."""
    gate = process_gate(limit)

    async def handle(message: UserMessage) -> Any:
        semaphore = gate.semaphore()
        await semaphore.acquire()
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
