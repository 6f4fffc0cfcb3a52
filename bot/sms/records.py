"""What staff read about a conversation's texts: whether the patient opted out, how each text fared.

The staff process reads the same tables the Rasa servers write (`bot.sms.store`,
`bot.sms.outbox`), so the console can say before anyone presses "Take over" that a
patient cannot be texted, and show on each staff text whether it arrived.
"""

from __future__ import annotations

from typing import Dict, Iterable

from sqlalchemy.orm import sessionmaker

from bot.conversation_ids import SMS, namespace_of, sms_number
from bot.sms.outbox import Delivery, SmsOutbox
from bot.sms.store import SmsStore


class SmsRecords:
    """Read-only questions about texts, for the staff console (blocking I/O)."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.store = SmsStore(sessions)
        self.outbox = SmsOutbox(sessions)

    def opted_out(self, sender_id: str) -> bool:
        """Whether the conversation is an SMS patient's who texted STOP (and not START since)."""
        phone = sms_number(sender_id) if namespace_of(sender_id) == SMS else None
        return bool(phone) and self.store.state(str(phone)).opted_out

    def deliveries(self, outbound_ids: Iterable[str]) -> Dict[str, Delivery]:
        return self.outbox.deliveries(outbound_ids)
