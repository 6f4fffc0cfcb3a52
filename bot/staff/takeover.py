"""Staff take a handoff's conversation over, reply in it and hand it back (issue 19).

The Rasa server makes each change (`bot.staff.conversation_bridge`); this finds the
handoff's conversation, names who acts, and writes the audit log right after the change
happened (never before: an entry must not claim a reply the patient never got). Entries
carry no patient or reply text, like every audit entry.
"""

from __future__ import annotations

import asyncio
from typing import Optional

from bot.handoffs.store import HandoffStore
from bot.handoffs.view import HandoffView
from bot.staff.audit import AuditLog
from bot.staff.conversation_bridge import ConversationBridge

MAX_REPLY_CHARS = 1600  # what the bridge accepts: one SMS's worth (Twilio's limit)


class StaffTakeover:
    """The three staff actions on a handoff's conversation; each returns the handoff, or None if there is none."""

    def __init__(self, store: HandoffStore, audit: AuditLog, bridge: ConversationBridge, staff_title: str) -> None:
        self.store = store
        self.audit = audit
        self.bridge = bridge
        self.staff_title = staff_title

    async def take_over(self, handoff_id: int, actor: str) -> Optional[HandoffView]:
        """Pause the assistant; the patient is told `staff_title` joined (BridgeError if refused)."""
        handoff = await asyncio.to_thread(self.store.get, handoff_id)
        if handoff is not None:
            await self.bridge.take_over(handoff.sender_id, self.staff_title, actor)
            await asyncio.to_thread(self.audit.record, actor, "take_over", handoff_id)
        return handoff

    async def reply(self, handoff_id: int, text: str, actor: str) -> Optional[HandoffView]:
        """Send `text` to the patient (ValueError when empty or too long; BridgeError if refused)."""
        text = text.strip()
        if not text or len(text) > MAX_REPLY_CHARS:
            raise ValueError(f"a reply must be 1 to {MAX_REPLY_CHARS} characters")
        handoff = await asyncio.to_thread(self.store.get, handoff_id)
        if handoff is not None:
            await self.bridge.reply(handoff.sender_id, self.staff_title, actor, text)
            await asyncio.to_thread(self.audit.record, actor, "staff_reply", handoff_id)
        return handoff

    async def hand_back(self, handoff_id: int, actor: str) -> Optional[HandoffView]:
        """Resume the assistant; the patient is told it is back (BridgeError if refused)."""
        handoff = await asyncio.to_thread(self.store.get, handoff_id)
        if handoff is not None:
            await self.bridge.hand_back(handoff.sender_id, self.staff_title, actor)
            await asyncio.to_thread(self.audit.record, actor, "hand_back", handoff_id)
        return handoff
