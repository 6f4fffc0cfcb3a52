"""Texts the clinic sends first (a staff reply, a take-over notice), through Twilio's Messages API.

Inbound texts are answered in the webhook's own response (TwiML) and need no API call;
a staff reply has no webhook to ride on, so it is sent with Twilio's own library, from
the clinic's number (TWILIO_FROM_NUMBER) with the account's SID and auth token. The
library's base URL is the one setting tests change (TWILIO_API_URL): they point it at
a stand-in on loopback, and nothing here reaches the internet then.

`SmsSender.send` never raises for a refusal: Twilio's error (an unsubscribed number,
an invalid one, a suspended account) or a network failure becomes a `Sent` with the
reason in words staff can act on, since the caller records it on the message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Optional

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.settings import Settings

logger = logging.getLogger(__name__)

TIMEOUT_S = 15.0
# Twilio's code for a recipient who texted STOP to the clinic's number (Twilio then
# refuses to text them): our opt-out record must agree.
UNSUBSCRIBED = 21610
# Twilio error codes staff can act on, in their words.
REASONS = {
    UNSUBSCRIBED: "the patient has opted out of texts (texted STOP); they can text START to opt back in",
    21211: "the patient's number is not a valid phone number",
    21408: "texts to this country are not enabled on the clinic's Twilio account",
    21612: "this number cannot receive texts from the clinic's number",
    21614: "the patient's number cannot receive texts (a landline?)",
}


@dataclass(frozen=True)
class Sent:
    """Twilio's answer: the message's SID and status, or (`sid` None) why it was not sent."""

    sid: Optional[str]
    status: str
    error: Optional[str] = None
    unsubscribed: bool = False  # Twilio says the number opted out (texted STOP)


class SmsSender:
    """Sends one text through the Messages API (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def missing(self) -> Optional[str]:
        """What keeps staff from texting, in words for the console; None when everything is set."""
        names = [
            name
            for name, value in (
                ("TWILIO_ACCOUNT_SID", self.settings.twilio_account_sid),
                ("TWILIO_AUTH_TOKEN", self.settings.twilio_auth_token),
                ("TWILIO_FROM_NUMBER", self.settings.twilio_from_number),
            )
            if not value
        ]
        if not names:
            return None
        return f"texting from the console is not set up ({', '.join(names)} missing): call the patient"

    @property
    def status_callback_url(self) -> Optional[str]:
        """Where Twilio posts delivery updates: beside the inbound webhook, so behind the same proxy."""
        webhook = self.settings.twilio_webhook_url
        if not webhook.endswith("/webhook"):
            return None
        return webhook[: -len("/webhook")] + "/status"

    async def send(self, to: str, body: str) -> Sent:
        """Send `body` to `to` from the clinic's number; a refusal is a `Sent` without SID."""
        problem = self.missing
        if problem:
            return Sent(None, "not_sent", problem)
        http = AsyncTwilioHttpClient(pool_connections=False, timeout=TIMEOUT_S)
        client = Client(self.settings.twilio_account_sid, self.settings.twilio_auth_token, http_client=http)
        client.api.base_url = self.settings.twilio_api_url
        callback = self.status_callback_url
        try:
            if callback:
                message = await client.messages.create_async(
                    to=to, from_=self.settings.twilio_from_number, body=body, status_callback=callback
                )
            else:
                message = await client.messages.create_async(to=to, from_=self.settings.twilio_from_number, body=body)
        except TwilioRestException as refusal:
            logger.warning("Twilio refused a text (HTTP %s, code %s)", refusal.status, refusal.code)
            reason = REASONS.get(refusal.code or 0) or f"Twilio refused it (error {refusal.code or refusal.status})"
            return Sent(None, "not_sent", reason, unsubscribed=refusal.code == UNSUBSCRIBED)
        except (TwilioException, aiohttp.ClientError, asyncio.TimeoutError, ValueError) as failure:
            logger.warning("could not reach Twilio's Messages API: %s", type(failure).__name__)
            return Sent(None, "not_sent", "Twilio could not be reached; try again, or call the patient")
        return Sent(str(message.sid), str(message.status or "queued"))
