"""What staff do with a handoff, the same for the console and the JSON API: open it with its
conversation, change its status, add a note; each step written to the audit log. The
API's list of handoffs (names and contacts of many patients at once) is audited too.

The audit entry of a view is written before the transcript or list is handed out, and a
change's entry right after the change commits, so the log never misses one that
happened. Entries name the actor (a staff e-mail or "api:<token name>") and never carry
patient or note text.

Every method does blocking database I/O: async callers run it in a worker thread.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from bot.db.models import STATUSES
from bot.handoffs.request import check_choice
from bot.handoffs.store import HandoffStore
from bot.handoffs.view import HandoffView, NoteView
from bot.sms.outbox import Delivery
from bot.sms.records import SmsRecords
from bot.staff.audit import AuditLog
from bot.transcripts.takeovers import Takeover
from bot.transcripts.transcript import Transcript, TranscriptReader
from bot.transcripts.waiting import WaitingReader


@dataclass(frozen=True)
class CaseFile:
    """A handoff with everything staff read alongside it."""

    handoff: HandoffView
    transcript: Transcript
    notes: List[NoteView]
    takeover: Optional[Takeover] = None  # a person from the clinic has the conversation now
    deliveries: Dict[str, Delivery] = field(default_factory=dict)  # each staff text's fate, by Turn.sms_id
    opted_out: bool = False  # an SMS patient who texted STOP: nothing may be texted to them


class Casework:
    """Handoff store, tracker store and audit log behind the three things staff do; `waiting`
    says which taken-over conversations wait for a reply (the queue pins them first)."""

    def __init__(
        self,
        store: HandoffStore,
        transcripts: TranscriptReader,
        audit: AuditLog,
        waiting: WaitingReader,
        sms: Optional[SmsRecords] = None,
    ) -> None:
        self.store = store
        self.transcripts = transcripts
        self.audit = audit
        self.waiting = waiting
        self.sms = sms

    def list_handoffs(
        self, actor: str, *, status: Optional[str], kind: Optional[str], limit: int, offset: int
    ) -> List[HandoffView]:
        """One page of the handoff list, recorded as `list_handoffs` with the filter and the row count.

        The detail reads "status=new kind=any limit=100 offset=0 rows=3": which filter was
        asked for and how many patients' details went out, never the details themselves.
        """
        handoffs = self.store.list(status=status, kind=kind, limit=limit, offset=offset)
        detail = f"status={status or 'any'} kind={kind or 'any'} limit={limit} offset={offset} rows={len(handoffs)}"
        self.audit.record(actor, "list_handoffs", detail=detail)
        return handoffs

    def open(self, handoff_id: int, actor: str) -> Optional[CaseFile]:
        """The handoff, its conversation and notes, recording the view; None if there is no such id."""
        handoff = self.store.get(handoff_id)
        if handoff is None:
            return None
        self.audit.record(actor, "view_transcript", handoff_id)
        transcript = self.transcripts.transcript(handoff.sender_id)
        takeover = self.transcripts.takeover(handoff.sender_id)
        case = CaseFile(handoff, transcript, self.store.notes(handoff_id), takeover)
        if self.sms is None:
            return case
        texts = [turn.sms_id for turn in transcript.turns if turn.sms_id]
        return dataclasses.replace(
            case, deliveries=self.sms.deliveries(texts), opted_out=self.sms.opted_out(handoff.sender_id)
        )

    def set_status(self, handoff_id: int, status: str, actor: str) -> Optional[HandoffView]:
        """Change the status (ValueError for an unknown one); None if there is no such id.

        Setting the status it already has changes nothing and is not audited.
        """
        check_choice("status", status, STATUSES, required=True)
        before = self.store.get(handoff_id)
        if before is None or before.status == status:
            return before
        after = self.store.set_status(handoff_id, status)
        if after is not None:
            self.audit.record(actor, "status_change", handoff_id, f"{before.status} -> {status}")
        return after

    def add_note(self, handoff_id: int, text: str, actor: str) -> Optional[NoteView]:
        """Add a note by `actor` (ValueError if `clean_note` refuses it); None if there is no such id."""
        note = self.store.add_note(handoff_id, actor, text)
        if note is not None:
            self.audit.record(actor, "add_note", handoff_id, f"note {note.id}")
        return note
