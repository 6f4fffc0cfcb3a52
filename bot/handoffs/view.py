"""A handoff and its notes as callers see them: plain values, safe to keep after the session has closed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, Dict, Optional, Tuple

from bot.db.models import RED_FLAG, Handoff, HandoffNote
from bot.handoffs.request import split_groups


@dataclass(frozen=True, repr=False)
class HandoffView:
    """Every column of a handoff except the internal dedupe key (the repr shows no personal data).

    `red_flags` holds a red flag's symptom groups as a tuple (empty for other kinds).
    """

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
    red_flags: Tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"HandoffView(id={self.id!r}, kind={self.kind!r}, status={self.status!r}, channel={self.channel!r})"

    @classmethod
    def from_row(cls, row: Handoff) -> "HandoffView":
        """Copy a loaded row (inside its session) into a view."""
        values = {field.name: getattr(row, field.name) for field in fields(cls)}
        if values["screening_answers"] is not None:
            values["screening_answers"] = dict(values["screening_answers"])
        values["red_flags"] = split_groups(values["red_flags"])
        return cls(**values)

    @property
    def is_red_flag(self) -> bool:
        """A patient reported a warning symptom: staff call them first."""
        return self.kind == RED_FLAG

    def to_dict(self) -> Dict[str, Any]:
        """JSON-safe values keyed by column name; timestamps in ISO 8601 with their UTC offset,
        red-flag groups as a list."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        data["red_flags"] = list(self.red_flags)
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
