"""Load: PATIENTS simulated patients at once, through the proxy to two Rasa instances.

Each patient holds one conversation after another (FAQ, eligibility screening, booking
request, in turn), each with a new sender id, sending its next message when the
previous answer arrives, for RELIABILITY_LOAD_SECONDS (default 20 in CI, where each patient
still holds several conversations: the minute it once ran cost CI 45 s and found nothing
the 20 s did not; 60 or more for a soak run; a conversation under way when the time is up
is finished). Afterwards: no HTTP error, every answer states
the fact its question asks for, every message is in the tracker exactly once and in the
order sent, and every confirmed booking is stored exactly once.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import aiohttp
import pytest

from tests.reliability.patients import (
    BOOKING,
    BOOKING_RECEIVED,
    FAQ,
    REQUEST_TIMEOUT_S,
    handoff_rows,
    say_async,
    texts,
    transcript,
)

pytestmark = pytest.mark.e2e

PATIENTS = 50
LOAD_SECONDS = float(os.environ.get("RELIABILITY_LOAD_SECONDS", "20"))

# (message, what its answer must contain or None); each conversation's last answer is checked.
Script = Tuple[Tuple[str, Optional[str]], ...]
SCRIPTS = {
    "faq": tuple(FAQ.items()),
    "screening": (
        ("is collagen induction therapy something I could have?", None),
        ("nope", None),
        ("no, my skin's been clear for ages", None),
        ("never had one", "candidate"),
    ),
    "booking": tuple((message, None) for message in BOOKING[:-1]) + ((BOOKING[-1], BOOKING_RECEIVED),),
}


@dataclass
class Conversation:
    """One simulated conversation and what happened to each of its messages."""

    kind: str
    sender: str
    sent: List[str] = field(default_factory=list)
    latencies: List[float] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # non-200 statuses and connection errors
    wrong: List[str] = field(default_factory=list)  # answers without the expected fact

    @property
    def completed(self) -> bool:
        return not self.errors and len(self.sent) == len(SCRIPTS[self.kind])


async def converse(session: aiohttp.ClientSession, url: str, conversation: Conversation) -> None:
    for message, expected in SCRIPTS[conversation.kind]:
        started = time.monotonic()
        try:
            status, body = await say_async(session, url, conversation.sender, message)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            conversation.errors.append(f"{message!r}: {exc!r}")
            return
        conversation.latencies.append(time.monotonic() - started)
        conversation.sent.append(message)
        if status != 200:
            conversation.errors.append(f"{message!r}: HTTP {status} {str(body)[:200]}")
            return
        if expected and expected not in texts(body):
            conversation.wrong.append(f"{message!r} -> {texts(body)[:200]!r}")


async def patient(session: aiohttp.ClientSession, url: str, number: int, deadline: float) -> List[Conversation]:
    kinds = list(SCRIPTS)
    held: List[Conversation] = []
    while time.monotonic() < deadline:
        kind = kinds[(number + len(held)) % len(kinds)]
        conversation = Conversation(kind, f"rel-load-{kind}-{uuid.uuid4().hex}")
        held.append(conversation)
        await converse(session, url, conversation)
    return held


async def run_load(url: str) -> List[Conversation]:
    deadline = time.monotonic() + LOAD_SECONDS
    connector = aiohttp.TCPConnector(limit=PATIENTS)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        per_patient = await asyncio.gather(*(patient(session, url, number, deadline) for number in range(PATIENTS)))
    return [conversation for held in per_patient for conversation in held]


def test_fifty_patients_at_once_lose_nothing(prod_stack):
    started = time.monotonic()
    conversations = asyncio.run(run_load(prod_stack.rasa_url))
    elapsed = time.monotonic() - started

    latencies = sorted(latency for c in conversations for latency in c.latencies)
    errors = [error for c in conversations for error in c.errors]
    wrong = [answer for c in conversations for answer in c.wrong]
    lost = duplicated = 0
    out_of_order: List[str] = []
    for conversation in conversations:
        said = [turn.text for turn in transcript(prod_stack, conversation.sender).turns if turn.speaker == "patient"]
        lost += sum(1 for message in conversation.sent if message not in said)
        duplicated += max(0, len(said) - len(conversation.sent))
        if said != conversation.sent:
            out_of_order.append(conversation.sender)
    bookings = [c for c in conversations if c.kind == "booking"]
    confirmed = [c for c in bookings if c.completed and not c.wrong]
    stored = {c.sender: len(handoff_rows(prod_stack, c.sender)) for c in bookings}
    print(
        f"\n[load] {PATIENTS} patients, {elapsed:.0f} s: {len(conversations)} conversations, "
        f"{len(latencies)} messages ({len(latencies) / elapsed:.1f}/s), {len(errors)} errors, "
        f"{len(wrong)} wrong answers, {lost} lost, {duplicated} duplicated; latency p50 "
        f"{statistics.median(latencies):.2f} s, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.2f} s, "
        f"max {latencies[-1]:.2f} s; bookings {len(confirmed)} confirmed of {len(bookings)}, "
        f"{sum(stored.values())} stored"
    )
    assert errors == [], errors[:5]
    assert wrong == [], wrong[:5]
    assert (lost, duplicated, out_of_order) == (0, 0, [])
    assert len(confirmed) == len(bookings) > 0
    assert stored == {c.sender: 1 for c in bookings}
