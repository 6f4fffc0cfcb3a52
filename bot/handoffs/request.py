"""What a handoff asks of staff, validated before it goes anywhere near the database.

Patients type names, contacts and questions freely, so every text is cleaned the same
way: control characters dropped (they can forge lines in logs and e-mails), whitespace
folded, and lengths kept within the columns. Identity fields (name, contact) that are
too long are rejected, because a silently cut phone number or address reaches nobody;
free text (question, concern, preferred time) is cut at the column limit and ends with
an ellipsis so staff can see it was cut. HTML and quotes are kept as typed: escaping is
the display's job.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from dataclasses import asdict, dataclass, fields
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union, cast

from bot import patterns
from bot.db.models import CONTACT_KINDS, KINDS, RED_FLAG, SCREENING_OUTCOMES, column_limit
from bot.text import normalize

MAX_SCREENING_ANSWERS = 100
MAX_ANSWER_KEY_LENGTH = 64
MAX_ANSWER_TEXT_LENGTH = 200
_ELLIPSIS = "\u2026"
# A red-flag group as the detector names it (clinic/red_flags.yml): "breathing",
# "redness_worsening"; "unspecified" when the model alone flagged the message.
RED_FLAG_GROUP = patterns.compile(r"[a-z][a-z0-9_]{0,31}")
UNSPECIFIED_GROUP = "unspecified"
# Screening outcomes after which a booking is a "screening": a provider reviews it first.
SCREENED_OUT = frozenset({"not_recommended", "needs_review"})


def booking_kind(screening_outcome: Optional[str]) -> str:
    """The kind of a booking request: "screening" when its screening needs a provider's
    review before anyone books it, else "booking" (what staff see they must do)."""
    return "screening" if screening_outcome in SCREENED_OUT else "booking"


def clean_text(value: str) -> str:
    """`value` without control characters or lone surrogates, whitespace folded to single spaces."""
    kept = "".join(
        " " if char.isspace() else char
        for char in value
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cs")
    )
    return " ".join(kept.split())


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + _ELLIPSIS


@dataclass(frozen=True, repr=False)
class HandoffRequest:
    """One handoff as the assistant submits it; construction validates and cleans every field.

    Raises ValueError, naming the field, for anything that cannot be stored as given.
    The repr leaves out personal data, so a stray log line of a request leaks none.
    """

    kind: str
    sender_id: str
    channel: str
    name: Optional[str] = None
    contact: Optional[str] = None
    contact_kind: Optional[str] = None
    preferred_time: Optional[str] = None
    concern: Optional[str] = None
    question: Optional[str] = None
    screening_answers: Optional[Dict[str, Any]] = None
    screening_outcome: Optional[str] = None
    # red_flag handoffs only: the symptom groups, given as a list or comma-separated,
    # stored comma-separated in first-seen order without repeats
    red_flags: Optional[Union[str, Iterable[str]]] = None

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, KINDS, required=True)
        check_choice("contact_kind", self.contact_kind, CONTACT_KINDS)
        check_choice("screening_outcome", self.screening_outcome, SCREENING_OUTCOMES)
        for name in ("sender_id", "channel"):
            value = _text(name, getattr(self, name), truncate=False)
            if not value:
                raise ValueError(f"{name} must not be empty")
            object.__setattr__(self, name, value)
        for name in ("name", "contact"):
            object.__setattr__(self, name, _text(name, getattr(self, name), truncate=False) or None)
        for name in ("preferred_time", "concern", "question"):
            object.__setattr__(self, name, _text(name, getattr(self, name), truncate=True) or None)
        if self.contact_kind and not self.contact:
            raise ValueError("contact_kind is set but contact is empty")
        object.__setattr__(self, "screening_answers", _answers(self.screening_answers))
        object.__setattr__(self, "red_flags", _red_flags(self.kind, self.red_flags))

    def __repr__(self) -> str:
        return f"HandoffRequest(kind={self.kind!r}, channel={self.channel!r})"

    def columns(self) -> Dict[str, Any]:
        """Column name -> value, ready for the `handoffs` table."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @property
    def dedupe_key(self) -> str:
        """sha256 of kind, sender and the details as a person reads them.

        A retried action or a double-tapped button sends the same request again; equal
        keys make that one handoff. Case and spacing differences do not count; any
        other difference in the details makes a new handoff. The channel is not part of
        it: the sender id already identifies the conversation.
        """
        details = asdict(self)
        del details["channel"]
        if details["red_flags"] is None:
            del details["red_flags"]  # keys made before red flags existed stay the same
        for name in ("name", "contact", "preferred_time", "concern", "question"):
            details[name] = normalize(details[name] or "")
        return _sha256(details)

    @property
    def groups(self) -> Tuple[str, ...]:
        """The red-flag groups as a tuple (empty for other kinds)."""
        return split_groups(cast(Optional[str], self.red_flags))  # joined by __post_init__

    def red_flag_key(self, after: Optional[int]) -> str:
        """The dedupe key of a red flag: sender and groups, after the sender's last red flag.

        Red flags are throttled by time, not by their wording (`HandoffStore.add`): two
        messages about the same groups racing each other are one alert, whatever they
        say; `after` (the id of the sender's newest red-flag handoff, None for the
        first) makes the next alert, once the throttle allows one, a new key.
        """
        return _sha256({"kind": self.kind, "sender_id": self.sender_id, "groups": sorted(self.groups), "after": after})


def split_groups(value: Optional[str]) -> Tuple[str, ...]:
    """'breathing,swelling' -> ('breathing', 'swelling'); None or '' -> ()."""
    return tuple(group for group in (value or "").split(",") if group)


def _sha256(details: Mapping[str, Any]) -> str:
    encoded = json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def check_choice(name: str, value: Optional[str], allowed: Tuple[str, ...], required: bool = False) -> None:
    """Raise ValueError naming `name` unless `value` is allowed (or None, when not required)."""
    if value is None and not required:
        return
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def _text(name: str, value: Optional[str], truncate: bool) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    text = clean_text(value)
    limit = column_limit(name)
    if len(text) > limit:
        if not truncate:
            raise ValueError(f"{name} is longer than {limit} characters")
        text = _truncate(text, limit)
    return text


def _red_flags(kind: str, value: Optional[Union[str, Iterable[str]]]) -> Optional[str]:
    """The groups as stored: required for a red flag, refused for any other kind."""
    if value is None or value == "":
        if kind == RED_FLAG:
            raise ValueError(f"red_flags must name at least one group (use {UNSPECIFIED_GROUP!r} when none is known)")
        return None
    if kind != RED_FLAG:
        raise ValueError(f"red_flags is only for {RED_FLAG} handoffs, not {kind}")
    if isinstance(value, str):
        value = value.split(",")
    groups: List[str] = []
    for group in value:
        name = group.strip().lower() if isinstance(group, str) else None
        if name is None or not RED_FLAG_GROUP.fullmatch(name):
            raise ValueError(f"red_flags: {group!r} is not a group name (lower-case letters, digits, _)")
        if name not in groups:
            groups.append(name)
    if not groups:
        raise ValueError("red_flags must name at least one group")
    joined = ",".join(groups)
    if len(joined) > column_limit("red_flags"):
        raise ValueError(f"red_flags is longer than {column_limit('red_flags')} characters")
    return joined


def _answers(answers: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """A JSON-safe copy of the screening answers: short keys, scalar values."""
    if answers is None:
        return None
    if not isinstance(answers, Mapping):
        raise ValueError("screening_answers must be a mapping of question -> answer")
    if len(answers) > MAX_SCREENING_ANSWERS:
        raise ValueError(f"screening_answers has more than {MAX_SCREENING_ANSWERS} answers")
    cleaned: Dict[str, Any] = {}
    for key, value in answers.items():
        clean_key = clean_text(key) if isinstance(key, str) else ""
        if not clean_key or len(clean_key) > MAX_ANSWER_KEY_LENGTH:
            raise ValueError(
                f"screening_answers: {key!r} is not a question key of 1-{MAX_ANSWER_KEY_LENGTH} characters"
            )
        if isinstance(value, str):
            value = _truncate(clean_text(value), MAX_ANSWER_TEXT_LENGTH)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"screening_answers: {key!r} is not a finite number")
        elif value is not None and not isinstance(value, (bool, int, float)):
            raise ValueError(f"screening_answers: {key!r} must be yes/no, a number or text")
        cleaned[clean_key] = value
    return cleaned
