"""Patients as the reliability tests simulate them, and what the stores hold afterwards.

Requests go over loopback HTTP to the stack's REST channel (through the proxy, or to
one Rasa instance directly); the checks read the tracker store (Rasa's `events` table,
through bot.transcripts) and the `handoffs` table, both in the stack's PostgreSQL schema.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import aiohttp
import requests
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from bot.db.engine import get_engine
from bot.launcher.supervision import Stack
from bot.transcripts.transcript import Transcript, TranscriptReader
from tests import twilio_client
from tests.e2e.conftest import TWILIO_TEST_TOKEN
from tests.senders import stored_id

REQUEST_TIMEOUT_S = 120
# A booking as a patient types it: the request, then one detail per message, then yes.
BOOKING = (
    "I'd like to book a consultation",
    "Nadia Romero",
    "9175550163",
    "saturday mornings",
    "yes",
)
BOOKING_RECEIVED = "I've sent your request"
NOT_SAVED = "couldn't save your request"
# Questions whose answers state a fact only that answer has (clinic/facts.yml).
FAQ = {
    "how long does numbing take": "45-60 minutes",
    "how long will I be red?": "24-48 hours",
}


def rest_url(base_url: str) -> str:
    return f"{base_url}/webhooks/rest/webhook"


def say(base_url: str, sender: str, message: str) -> str:
    """The bot's reply (all its texts) to `message`; any status but 200 fails the test."""
    response = requests.post(rest_url(base_url), json={"sender": sender, "message": message}, timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 200, (response.status_code, response.text[:500])
    return texts(response.json())


async def say_async(session: aiohttp.ClientSession, base_url: str, sender: str, message: str) -> Tuple[int, Any]:
    """(status, JSON body or text) of one REST message; the caller judges the status."""
    async with session.post(rest_url(base_url), json={"sender": sender, "message": message}) as response:
        body = await response.read()
        if response.status == 200:
            return response.status, await response.json(content_type=None)
        return response.status, body.decode("utf-8", "replace")


async def sms_async(session: aiohttp.ClientSession, stack: Stack, phone: str, body: str) -> Tuple[int, str]:
    """(status, TwiML or error text) of one SMS, signed as Twilio signs it."""
    params = twilio_client.sms_params(phone, body)
    url = stack.sms_webhook_url
    signature = RequestValidator(TWILIO_TEST_TOKEN).compute_signature(url, params)
    async with session.post(url, data=params, headers={"X-Twilio-Signature": signature}) as response:
        return response.status, (await response.read()).decode("utf-8", "replace")


def texts(messages: List[Dict[str, Any]]) -> str:
    """The bot's messages of one reply, joined as the patient reads them."""
    return "\n".join(message.get("text") or "" for message in messages)


def transcript(stack: Stack, sender: str) -> Transcript:
    """What the tracker store holds of `sender`'s conversation."""
    return TranscriptReader(get_engine(stack.settings.tracker_store_url)).transcript(stored_id(sender), limit=10_000)


def handoff_rows(stack: Stack, sender: str) -> List[Any]:
    """The `handoffs` rows of `sender` (kind, name, contact, preferred_time)."""
    query = text("SELECT kind, name, contact, preferred_time FROM handoffs WHERE sender_id = :sender ORDER BY id")
    with get_engine(stack.settings.database_url).connect() as connection:
        return list(connection.execute(query, {"sender": stored_id(sender)}))
