"""A conversation as staff read it, from Rasa's tracker store.

Only what was said is kept: the patient's messages and the bot's answers (with the
buttons it offered). Slots, actions and session starts are Rasa's bookkeeping. A button
click reaches Rasa as its payload ("/faq_pain"); staff see the button's title instead,
because that is what the patient saw and chose.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from bot.db.engine import session_factory
from bot.db.tracker_events import BOT, USER, events
from bot.transcripts.events import epoch, event_data, event_time, patient_message, with_events
from bot.transcripts.takeovers import SMS_KEY, Takeover, active_takeover, bot_metadata, is_notice, staff_author
from bot.transcripts.unanswered import UnansweredMessage, reason_for

RED_FLAG_INTENTS: Tuple[str, ...] = ("red_flag_emergency", "red_flag_urgent")
# Shown for a payload that matches no button the bot offered: never the payload itself.
CHOSEN_OPTION = "(chose an option)"
# Sender ids per query: below SQLite's oldest limit of 999 bound parameters.
SENDERS_PER_QUERY = 500
# Patient messages read per query when looking for unanswered ones (a few MB of JSON).
ROWS_PER_PAGE = 1000


def _all_rows(statement: Any, connection: Connection) -> List[Any]:
    """Every row `statement` selects (bound per page, where a lambda would read the loop's last page)."""
    return connection.execute(statement).all()


@dataclass(frozen=True)
class Turn:
    """One message of the conversation, by the patient or by the bot."""

    speaker: str  # "patient" | "bot" | "staff" (a person from the clinic, in a taken-over conversation)
    text: str  # what the patient typed (for a button click: the button's title) / what the bot or staff said
    at: datetime  # aware UTC
    channel: Optional[str]  # input channel of the patient's message ("rest", "twilio", ...)
    buttons: Tuple[str, ...] = ()  # bot turn: titles of the buttons it offered
    payloads: Tuple[str, ...] = ()  # bot turn: what each of those buttons sends, in the same order
    chosen_button: bool = False  # patient turn: True when this was a button click (text is its title)
    intent: Optional[str] = None
    confidence: Optional[float] = None
    red_flag: bool = False  # patient turn classified red_flag_emergency/red_flag_urgent
    author: Optional[str] = None  # staff turn: the name the patient read (bot.rasa_server.takeover)
    notice: bool = False  # bot turn: the assistant's notice that a person joined, or that it is back
    sms_id: Optional[str] = None  # a text sent through Twilio's Messages API: its delivery record (bot.sms.outbox)


@dataclass(frozen=True)
class Transcript:
    """Everything one sender and the bot said to each other, oldest first."""

    sender_id: str
    turns: Tuple[Turn, ...]

    @property
    def red_flag(self) -> bool:
        """True when the patient mentioned a red-flag symptom anywhere in the conversation."""
        return any(turn.red_flag for turn in self.turns)

    @property
    def channels(self) -> Tuple[str, ...]:
        """The channels the patient wrote from, in order of first use."""
        return tuple(dict.fromkeys(turn.channel for turn in self.turns if turn.channel))


class TranscriptReader:
    """Reads conversations from the tracker store; every method is one unit of work and
    raises `DatabaseUnavailable` when the store cannot be reached."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def takeover(self, sender_id: str) -> Optional[Takeover]:
        """Who from the clinic has `sender_id`'s conversation now, if anyone (bot.transcripts.takeovers)."""
        return with_events(self._sessions, lambda connection: active_takeover(connection, sender_id), None)

    def transcript(self, sender_id: str, limit: int = 2000) -> Transcript:
        """The last `limit` messages of `sender_id`'s conversation (all its sessions);
        empty if there is no such conversation, or Rasa has not written any yet."""
        query = (
            select(events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.sender_id == sender_id, events.c.type_name.in_((USER, BOT)))
            .order_by(events.c.id.desc())
            .limit(limit)
        )
        rows: List[Any] = with_events(self._sessions, functools.partial(_all_rows, query), [])
        return Transcript(
            sender_id, tuple(turns((r.type_name, r.timestamp, event_data(r.data)) for r in reversed(rows)))
        )

    def sender_of(self, event_id: int) -> Optional[str]:
        """Whose conversation the tracker store's event `event_id` belongs to (None: no such event).

        The console links an unanswered message to its conversation by the event's id, so
        no sender id (for SMS, the patient's number) appears in a page or an address.
        """
        query = select(events.c.sender_id).where(events.c.id == event_id)
        return with_events(self._sessions, lambda connection: connection.execute(query).scalar(), None)

    def red_flag_senders(self, sender_ids: Iterable[str]) -> Set[str]:
        """Which of `sender_ids` mentioned a red-flag symptom (one query per
        SENDERS_PER_QUERY ids, all in one unit of work)."""
        ids = sorted(set(sender_ids))
        if not ids:
            return set()

        def work(connection: Connection) -> Set[str]:
            found: Set[str] = set()
            for start in range(0, len(ids), SENDERS_PER_QUERY):
                query = (
                    select(events.c.sender_id)
                    .distinct()
                    .where(
                        events.c.sender_id.in_(ids[start : start + SENDERS_PER_QUERY]),
                        events.c.type_name == USER,
                        events.c.intent_name.in_(RED_FLAG_INTENTS),
                    )
                )
                found.update(connection.execute(query).scalars())
            return found

        return with_events(self._sessions, work, set())

    def unanswered(self, since: Optional[datetime] = None) -> Iterator[UnansweredMessage]:
        """The patient messages (at or after `since`) the bot fell back on, was unsure
        about, or could not cover, oldest first.

        Read lazily, ROWS_PER_PAGE rows at a time (each page one unit of work), so that
        memory holds one page however many messages there are: `group_similar` keeps
        what it needs of them as they stream by.
        """
        query = select(events.c.id, events.c.sender_id, events.c.timestamp, events.c.data).where(
            events.c.type_name == USER
        )
        if since is not None:
            query = query.where(events.c.timestamp >= epoch(since))
        after = 0  # Rasa's ids start at 1
        while True:
            page = query.where(events.c.id > after).order_by(events.c.id).limit(ROWS_PER_PAGE)
            rows: List[Any] = with_events(self._sessions, functools.partial(_all_rows, page), [])
            for row in rows:
                message = patient_message(event_data(row.data))
                reason = reason_for(message)
                if reason is not None:
                    yield UnansweredMessage(
                        row.sender_id, message.text.strip(), event_time(row.timestamp), reason, row.id
                    )
            if len(rows) < ROWS_PER_PAGE:
                return
            after = rows[-1].id


def turns(entries: Iterable[Tuple[str, float, Mapping[str, Any]]]) -> Iterator[Turn]:
    """Turns of `entries` (oldest first): each event's type name (`user`, `bot`, others
    skipped), timestamp and data as Rasa stores them. A payload becomes the title of the
    latest button that sent it.

    The staff console reads stored rows with it, the website widget its own conversation
    (bot.rasa_server.channels.widget_history).
    """
    titles: Dict[str, str] = {}  # payload -> title, of every button offered so far
    for type_name, timestamp, data in entries:
        if type_name not in (USER, BOT):
            continue
        at = event_time(timestamp)
        if type_name == BOT:
            buttons = _buttons(data)
            titles.update((payload, title) for title, payload in buttons)
            text = data.get("text") or ""
            author = staff_author(data)
            if text or buttons:
                yield Turn(
                    "staff" if author else "bot",
                    text,
                    at,
                    None,
                    buttons=tuple(title for title, _ in buttons),
                    payloads=tuple(payload for _, payload in buttons),
                    author=author,
                    notice=is_notice(data),
                    sms_id=str(bot_metadata(data).get(SMS_KEY) or "") or None,
                )
            continue
        message = patient_message(data)
        if message.is_payload:
            text = titles.get(message.text.strip(), CHOSEN_OPTION)
        elif message.text.strip():
            text = message.text
        else:
            continue
        yield Turn(
            "patient",
            text,
            at,
            message.channel,
            chosen_button=message.is_payload,
            intent=message.intent,
            confidence=message.confidence,
            red_flag=message.intent in RED_FLAG_INTENTS,
        )


def _buttons(data: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """(title, payload) of each button of a `bot` event that has both."""
    buttons: Sequence[Any] = (data.get("data") or {}).get("buttons") or ()
    return [
        (str(button["title"]), str(button["payload"]).strip())
        for button in buttons
        if isinstance(button, Mapping) and button.get("title") and button.get("payload")
    ]
