"""A handoff and its notes as callers see them: plain values, safe to keep after the session has closed."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, Dict, Optional

from bot.db.models import Handoff, HandoffNote


@dataclass(frozen=True, repr=False)
class HandoffView:
    """Every column of a handoff except the internal dedupe key (the repr shows no personal data)."""

    id: int
    kind: str
    status: str
    sender_id: str
    channel: str
    name: Optional[str]
    contact: Optional[str]
    contact_kind: Optional[str]
    preferred_time: Optional[str]
    concern: Optional[str]
    question: Optional[str]
    screening_answers: Optional[Dict[str, Any]]
    screening_outcome: Optional[str]
    created_at: datetime
    updated_at: datetime

    def __repr__(self) -> str:
        return f"HandoffView(id={self.id!r}, kind={self.kind!r}, status={self.status!r}, channel={self.channel!r})"

    @classmethod
    def from_row(cls, row: Handoff) -> "HandoffView":
        """Copy a loaded row (inside its session) into a view."""
        values = {field.name: getattr(row, field.name) for field in fields(cls)}
        if values["screening_answers"] is not None:
            values["screening_answers"] = dict(values["screening_answers"])
        return cls(**values)

    def to_dict(self) -> Dict[str, Any]:
        """JSON-safe values keyed by column name; timestamps in ISO 8601 with their UTC offset."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        return data


@dataclass(frozen=True, repr=False)
class NoteView:
    """A staff note on a handoff (the repr leaves out its text, which may name the patient)."""

    id: int
    handoff_id: int
    author: str
    text: str
    created_at: datetime

    def __repr__(self) -> str:
        return f"NoteView(id={self.id!r}, handoff_id={self.handoff_id!r})"

    @classmethod
    def from_row(cls, row: HandoffNote) -> "NoteView":
        """Copy a loaded row (inside its session) into a view."""
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})

    def to_dict(self) -> Dict[str, Any]:
        """JSON-safe values; the timestamp in ISO 8601 with its UTC offset."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return data
