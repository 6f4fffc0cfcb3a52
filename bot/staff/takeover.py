"""Staff take a handoff's conversation over, reply in it and hand it back (issue 19).

The Rasa server makes each change (`bot.staff.conversation_bridge`); this finds the
handoff's conversation, names who acts, and writes the audit log right after the change
happened (never before: an entry must not claim a reply the patient never got). Entries
carry no patient or reply text, like every audit entry.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Optional

from bot.handoffs.store import HandoffStore
from bot.handoffs.view import HandoffView
from bot.staff.audit import AuditLog
from bot.staff.conversation_bridge import ConversationBridge
from bot.transcripts.takeovers import MAX_REPLY_CHARS


class StaffTakeover:
    """The three staff actions on a handoff's conversation; each returns the handoff, or None if there is none."""

    def __init__(self, store: HandoffStore, audit: AuditLog, bridge: ConversationBridge, staff_title: str) -> None:
        self.store = store
        self.audit = audit
        self.bridge = bridge
        self.staff_title = staff_title

    async def take_over(self, handoff_id: int, actor: str, name: Optional[str] = None) -> Optional[HandoffView]:
        """Pause the assistant; the patient is told `name` (the account's display name) or the
        staff title joined (BridgeError if refused)."""
        return await self._act(handoff_id, actor, "take_over", lambda sender: self.bridge.take_over(
            sender, name or self.staff_title, actor, handoff_id
        ))  # fmt: skip

    async def reply(self, handoff_id: int, text: str, actor: str, name: Optional[str] = None) -> Optional[HandoffView]:
        """Send `text` to the patient, signed `name` or the staff title (ValueError when empty or
        too long; BridgeError if refused)."""
        text = text.strip()
        if not text or len(text) > MAX_REPLY_CHARS:
            raise ValueError(f"a reply must be 1 to {MAX_REPLY_CHARS} characters")
        return await self._act(handoff_id, actor, "staff_reply", lambda sender: self.bridge.reply(
            sender, name or self.staff_title, actor, text
        ))  # fmt: skip

    async def hand_back(self, handoff_id: int, actor: str, name: Optional[str] = None) -> Optional[HandoffView]:
        """Resume the assistant; the patient is told it is back (BridgeError if refused)."""
        return await self._act(handoff_id, actor, "hand_back", lambda sender: self.bridge.hand_back(
            sender, name or self.staff_title, actor
        ))  # fmt: skip

    async def _act(
        self, handoff_id: int, actor: str, action: str, change: Callable[[str], Awaitable[Any]]
    ) -> Optional[HandoffView]:
        """`change` the handoff's conversation, then audit `action`; None if there is no such handoff."""
        handoff = await asyncio.to_thread(self.store.get, handoff_id)
        if handoff is not None:
            await change(handoff.sender_id)
            await asyncio.to_thread(self.audit.record, actor, action, handoff_id)
        return handoff
