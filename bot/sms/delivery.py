"""Staff texting a patient: whether they may, and each text recorded, sent and its fate kept.

The rules a clinic must keep: never text a number that opted out (STOP), say why when a
text cannot be sent, and show staff whether each text arrived. Order matters for the
last one: the text is recorded (`pending`) before Twilio is called, then marked with
Twilio's answer, so no text staff sent is ever missing from the record.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Optional

from bot.db.engine import get_engine, session_factory
from bot.settings import Settings
from bot.sms.outbound import Sent, SmsSender
from bot.sms.outbox import SmsOutbox
from bot.sms.store import SmsStore

logger = logging.getLogger(__name__)

OPTED_OUT = "the patient has opted out of texts (texted STOP), so nothing can be texted to them: call instead"


class SmsDelivery:
    """The opt-out check, the record and the send, for one clinic's Twilio number."""

    def __init__(self, store: SmsStore, outbox: SmsOutbox, sender: SmsSender) -> None:
        self.store = store
        self.outbox = outbox
        self.sender = sender

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmsDelivery":
        sessions = session_factory(get_engine(settings.database_url))
        return cls(SmsStore(sessions), SmsOutbox(sessions), SmsSender(settings))

    async def refusal(self, phone: str) -> Optional[str]:
        """Why nothing may be texted to `phone` now (not set up, or opted out), or None."""
        missing = self.sender.missing
        if missing:
            return missing
        state = await asyncio.to_thread(self.store.state, phone)
        return OPTED_OUT if state.opted_out else None

    async def send(self, outbound_id: str, conversation_id: str, phone: str, body: str) -> Sent:
        """Record the text as `outbound_id`, send it, and keep Twilio's answer on the record.

        A number Twilio reports as unsubscribed is recorded as opted out here too, so the
        console stops offering to text it.
        """
        await asyncio.to_thread(self.outbox.record, outbound_id, conversation_id, phone)
        sent = await self.sender.send(phone, body)
        if sent.sid:
            await asyncio.to_thread(self.outbox.sent, outbound_id, sent.sid, sent.status)
        else:
            await asyncio.to_thread(self.outbox.refused, outbound_id, sent.error or "not sent")
        if sent.unsubscribed:
            await asyncio.to_thread(self.store.set_opted_out, phone, True)
        return sent
