"""Two Rasa instances, one conversation: every message processed exactly once, one at a time.

200 distinct messages of one sender go alternately to both instances, IN_FLIGHT at a
time, so both instances hold requests of the same conversation at once. The lock store
(Redis) must make them take turns: otherwise two instances load the same tracker, each
appends its turn, and the second save drops the first's events (Rasa's SQL tracker
store saves only the events beyond what the database already has).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from itertools import cycle
from typing import Dict, List, Tuple

import aiohttp
import pytest

from tests.reliability.patients import FAQ, REQUEST_TIMEOUT_S, say_async, texts, transcript

pytestmark = pytest.mark.e2e

MESSAGES = 200
IN_FLIGHT = 8


def numbered_messages() -> Dict[str, str]:
    """Message -> the fact its answer must state; each message distinct ("message 017 ...")."""
    questions = cycle(FAQ.items())
    return {f"message {number:03d} {question}": fact for number, (question, fact) in zip(range(MESSAGES), questions)}


async def send_alternately(urls: List[str], sender: str, messages: List[str]) -> Dict[str, Tuple[int, object]]:
    """Send message i to instance i % len(urls), IN_FLIGHT at a time; status and body of each."""
    gate = asyncio.Semaphore(IN_FLIGHT)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def send(index: int, message: str) -> Tuple[str, Tuple[int, object]]:
            async with gate:
                return message, await say_async(session, urls[index % len(urls)], sender, message)

        return dict(await asyncio.gather(*(send(index, message) for index, message in enumerate(messages))))


def test_concurrent_messages_to_two_instances_are_each_kept_once_with_their_reply(prod_stack):
    sender = f"rel-{uuid.uuid4().hex}"
    expected = numbered_messages()
    replies = asyncio.run(send_alternately(prod_stack.instance_urls, sender, list(expected)))

    failed = {message: result for message, result in replies.items() if result[0] != 200}
    assert not failed, f"{len(failed)} requests failed, e.g. {next(iter(failed.items()))}"

    turns = transcript(prod_stack, sender).turns
    said = [turn.text for turn in turns if turn.speaker == "patient"]
    duplicated = sorted(message for message, count in Counter(said).items() if count > 1)
    lost = sorted(set(expected) - set(said))
    print(f"\n[two instances] {MESSAGES} messages, {IN_FLIGHT} in flight: "
          f"{len(said)} in the tracker, {len(lost)} lost, {len(duplicated)} duplicated")  # fmt: skip
    assert (lost, duplicated) == ([], [])
    assert Counter(said) == Counter(list(expected))

    # In the tracker each message is followed by exactly the reply its request got back:
    # no other turn of the conversation came in between.
    answered: Dict[str, List[str]] = {}
    current: List[str] = []  # bot turns before the first message (none expected) go nowhere
    for turn in turns:
        if turn.speaker == "patient":
            current = answered.setdefault(turn.text, [])
        else:
            current.append(turn.text)
    for message, fact in expected.items():
        http_reply = texts(replies[message][1])
        assert fact in http_reply, (message, http_reply)
        assert "\n".join(answered[message]) == http_reply, message
