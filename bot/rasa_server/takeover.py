"""A person from the clinic takes a conversation over: what the Rasa server does (issue 19).

The tracker is the single record. Taking over appends Rasa's own `ConversationPaused`
(with who, in its metadata) and the patient's notice that a person joined; a staff reply
is a `BotUttered` whose metadata names its author; handing back appends
`ConversationResumed` and the notice that the assistant is back.

Staff never write Rasa's tracker store themselves. Our store (like Rasa's SQL store)
appends a conversation's new events by counting the rows it already holds, so a row
written beside a running turn would make that turn drop one of its own events. Every
change here is made by the Rasa server, under the conversation's lock: the lock every
patient message takes (`Agent.handle_message`), in Redis when several servers run.

On SMS there is no webhook answer to carry what staff write, so the notices and every
staff reply are texted through Twilio's Messages API (`bot.sms.delivery`) after the
event is saved; the event's metadata names the text's record, which keeps whether it
arrived. An SMS conversation is not taken over when texting is not set up or the
patient opted out (STOP), and a reply to a patient who opted out since is refused: the
console says why, and staff call instead.

While a conversation is taken over, the patient channels do not give the patient's
messages to Rasa's dialogue at all: `log_patient_message` stores each one, with its NLU
parse, and nothing answers it, so no bot reply, form question or fallback interrupts
the person. Not even after an idle hour: Rasa would start a new session, and a new
session clears the pause; the channels read the take-over from every session
(`bot.transcripts.takeovers`), so it lasts until it is handed back. One exception,
because safety outranks silence: a message the model reads as a red flag still gets the
red-flag safety answer, and a `red_flag` handoff alerts staff, as any red flag does.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from rasa.core.agent import Agent
from rasa.shared.core.events import BotUttered, ConversationPaused, ConversationResumed, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation_ids import SMS, namespace_of, sms_number
from bot.db.engine import session_factory
from bot.db.session import DatabaseUnavailable
from bot.handoffs.notify.takeover_alerts import TakeoverAlerts
from bot.handoffs.red_flags import unanswered_red_flag
from bot.handoffs.service import get_handoff_service
from bot.rasa_server.channels.responses import render
from bot.settings import get_settings
from bot.sms.delivery import SmsDelivery
from bot.sms.outbound import Sent
from bot.sms.outbox import SmsOutbox
from bot.transcripts.takeovers import (
    ACTOR_KEY,
    HANDOFF_KEY,
    NOTICE_KEY,
    SMS_KEY,
    STAFF_KEY,
    Takeover,
    TakeoverReader,
    takeover_of,
)
from bot.understanding.escalation import RED_FLAG_INTENTS

logger = logging.getLogger(__name__)

# A staff message's BotUttered carries STAFF_KEY (the name the patient reads) and ACTOR_KEY
# (the staff account, for the record); the assistant's own notices also carry NOTICE_KEY.
JOINED, BACK = "joined", "back"  # NOTICE_KEY's values
WEBSITE, SMS_OUTPUT = "rest", "twilio"  # the output channels notices are rendered for
NO_TEXTING = "texting from the console is not set up on this server: call the patient"
RED_FLAG_ANSWERS = {"red_flag_emergency": "utter_red_flag_emergency", "red_flag_urgent": "utter_red_flag_urgent"}


class NoSuchConversation(LookupError):
    """Staff named a conversation the tracker store does not hold."""


class TakeoverConflict(RuntimeError):
    """The conversation is not in the state the staff action needs (already taken over, or not)."""


@dataclass(frozen=True)
class StaffMember:
    """Who acts: the name the patient reads ("Ana", "a nurse") and the account, for the record."""

    name: str
    actor: str

    def metadata(self) -> Dict[str, str]:
        return {STAFF_KEY: self.name, ACTOR_KEY: self.actor}


def _notice(agent: Agent, name: str, sender_id: str, **values: Any) -> Optional[str]:
    """A domain response as the conversation's channel shows it (its SMS variant for a text)."""
    domain = agent.domain
    if domain is None:
        return None
    channel = SMS_OUTPUT if namespace_of(sender_id) == SMS else WEBSITE
    return str(render(domain, name, channel, **values).get("text") or "") or None


@dataclass(frozen=True)
class _Text:
    """A text to send once its event is saved; `outbound_id` is in the event's metadata."""

    outbound_id: str
    body: str


class Texting:
    """How the conversations of SMS patients are reached: the refusal rules and the send.

    Website conversations need none of this (the widget fetches what staff write), so
    every method leaves them alone.
    """

    def __init__(self, delivery: Optional[SmsDelivery]) -> None:
        self.delivery = delivery

    async def refusal(self, sender_id: str) -> Optional[str]:
        """Why staff may not text this conversation's patient now, or None (also for a website one)."""
        if namespace_of(sender_id) != SMS:
            return None
        if self.delivery is None:
            return NO_TEXTING
        return await self.delivery.refusal(sms_number(sender_id) or "")

    def prepare(self, sender_id: str, body: Optional[str]) -> Optional[_Text]:
        """The text that will carry `body` to an SMS patient (None for a website one, or no body)."""
        if namespace_of(sender_id) != SMS or self.delivery is None or not body:
            return None
        return _Text(SmsOutbox.new_id(), body)

    async def send(self, sender_id: str, text: Optional[_Text]) -> Optional[Sent]:
        if text is None or self.delivery is None:
            return None
        return await self.delivery.send(text.outbound_id, sender_id, sms_number(sender_id) or "", text.body)


def _sms(text: Optional[_Text]) -> Dict[str, str]:
    return {SMS_KEY: text.outbound_id} if text else {}


Make = Callable[[DialogueStateTracker, Optional[Takeover]], List[Event]]


async def _change(agent: Agent, takeovers: "Takeovers", sender_id: str, make: Make) -> List[Event]:
    """Under the conversation's lock: `make(tracker, take-over in force)` gives the events to
    append (or raises TakeoverConflict); they are saved before the lock is released."""
    async with agent.lock_store.lock(sender_id):
        store = agent.tracker_store
        if not await store.exists(sender_id):
            raise NoSuchConversation(sender_id)
        tracker = await store.retrieve(sender_id)
        if tracker is None:
            raise NoSuchConversation(sender_id)
        new_events = make(tracker, await takeovers.active(agent, sender_id))
        for event in new_events:
            tracker.update(event)
        await store.save(tracker)
        return new_events


async def take_over(
    agent: Agent,
    takeovers: "Takeovers",
    sender_id: str,
    staff: StaffMember,
    texting: Texting,
    handoff_id: Optional[int] = None,
) -> List[Event]:
    """Pause the assistant in this conversation and tell the patient who joined.

    A second take-over is refused (TakeoverConflict), so the patient is never told twice,
    nor given the wrong name; so is an SMS conversation staff could not answer by text
    (texting not set up, or the patient opted out), which would leave the patient unanswered.
    """
    refusal = await texting.refusal(sender_id)
    if refusal:
        raise TakeoverConflict(refusal)
    notice = _notice(agent, "utter_staff_joined", sender_id, staff_name=staff.name)
    text = texting.prepare(sender_id, notice)

    def events(tracker: DialogueStateTracker, taken: Optional[Takeover]) -> List[Event]:
        if taken is not None:
            raise TakeoverConflict(f"already taken over by {taken.staff or taken.actor}")
        handoff = {HANDOFF_KEY: handoff_id} if handoff_id else {}
        made: List[Event] = [ConversationPaused(metadata={**staff.metadata(), **handoff})]
        if notice:
            made.append(BotUttered(notice, metadata={**staff.metadata(), NOTICE_KEY: JOINED, **_sms(text)}))
        return made

    made = await _change(agent, takeovers, sender_id, events)
    await texting.send(sender_id, text)
    return made


async def reply(
    agent: Agent, takeovers: "Takeovers", sender_id: str, staff: StaffMember, text: str, texting: Texting
) -> Tuple[BotUttered, Optional[Sent]]:
    """A staff member's message in a conversation that is taken over, and (SMS) how its text fared.

    To an SMS patient who opted out since the take-over, nothing is sent or stored:
    TakeoverConflict says why.
    """
    refusal = await texting.refusal(sender_id)
    if refusal:
        raise TakeoverConflict(refusal)
    sms = texting.prepare(sender_id, text)
    message = BotUttered(text, metadata={**staff.metadata(), **_sms(sms)})

    def events(tracker: DialogueStateTracker, taken: Optional[Takeover]) -> List[Event]:
        if taken is None:
            raise TakeoverConflict("take the conversation over before replying")
        return [message]

    await _change(agent, takeovers, sender_id, events)
    return message, await texting.send(sender_id, sms)


async def hand_back(
    agent: Agent,
    takeovers: "Takeovers",
    sender_id: str,
    staff: StaffMember,
    texting: Texting,
    notice_name: str = "utter_staff_left",
) -> List[Event]:
    """Resume the assistant and tell the patient it is back (staff, or the automatic hand-back,
    with its own `notice_name`). A patient who opted out of texts is not texted the notice."""
    notice = _notice(agent, notice_name, sender_id)
    text = None if await texting.refusal(sender_id) else texting.prepare(sender_id, notice)

    def events(tracker: DialogueStateTracker, taken: Optional[Takeover]) -> List[Event]:
        if taken is None:
            raise TakeoverConflict("the conversation is not taken over")
        made: List[Event] = [ConversationResumed(metadata=staff.metadata())]
        if notice:
            made.append(BotUttered(notice, metadata={NOTICE_KEY: BACK, **_sms(text)}))
        return made

    made = await _change(agent, takeovers, sender_id, events)
    await texting.send(sender_id, text)
    return made


AUTO_ACTOR = "the assistant (no staff reply for {hours:g} h)"


async def hand_back_idle(agent: Agent, takeovers: "Takeovers", texting: Texting, hours: float, now: float) -> int:
    """Hand back every conversation with no staff reply for `hours` (the profile's
    `takeover_timeout_hours`), telling each patient; how many were handed back.

    Every Rasa server runs this; the conversation's lock and the state check of
    `hand_back` make a conversation that another server just handed back a no-op.
    """
    handed = 0
    for sender_id in await takeovers.idle(agent, now - hours * 3600):
        automatic = StaffMember(name="", actor=AUTO_ACTOR.format(hours=hours))
        try:
            await hand_back(agent, takeovers, sender_id, automatic, texting, notice_name="utter_staff_timed_out")
        except (TakeoverConflict, NoSuchConversation):
            continue  # handed back meanwhile, by staff or by another server
        handed += 1
    return handed


async def log_patient_message(
    agent: Agent, takeovers: "Takeovers", sender_id: str, text: str, input_channel: str
) -> List[Dict[str, Any]]:
    """Store a patient's message in a taken-over conversation; what the patient is sent back.

    Nothing, as a rule: the person who took over answers. A red flag gets the safety
    answer (also stored in the conversation) and a `red_flag` handoff, so it reaches staff
    even if the person who took over has stepped away. That person is e-mailed a link
    (`TakeoverAlerts`: at most once per conversation per quiet period).
    """
    try:
        parse = await agent.parse_message(text)
    except Exception:  # unsure whether it reports a symptom: stored, and staff alerted
        logger.exception("could not read a message in a taken-over conversation; alerting staff")
        parse = {"text": text, "intent": {"name": None, "confidence": 0.0}, "entities": []}
        unreadable = True
    else:
        unreadable = False
    intent = (parse.get("intent") or {}).get("name")
    answer = _notice(agent, RED_FLAG_ANSWERS[intent], sender_id) if intent in RED_FLAG_ANSWERS else None

    holder: List[Takeover] = []

    def events(tracker: DialogueStateTracker, taken: Optional[Takeover]) -> List[Event]:
        holder.extend([taken] if taken else [])
        made: List[Event] = [
            UserUttered(
                text,
                intent=parse.get("intent"),
                entities=parse.get("entities") or [],
                parse_data=parse,
                input_channel=input_channel,
            )
        ]
        if answer:
            made.append(BotUttered(answer))
        return made

    await _change(agent, takeovers, sender_id, events)
    if intent in RED_FLAG_INTENTS or unreadable:
        await _alert_staff(sender_id, input_channel, text, parse)
    for taken in holder:  # the person who has the conversation learns the patient wrote
        _alert_sender.submit(takeover_alerts().patient_wrote, taken.actor, sender_id, taken.handoff_id)
    return [{"recipient_id": sender_id, "text": answer}] if answer else []


_alerts: Optional[TakeoverAlerts] = None
# E-mails to the person who took over leave on this thread, never on the patient's path: a
# slow mail server must not hold back the answer (a red flag's safety answer included).
# `TakeoverAlerts.patient_wrote` logs its own failures.
_alert_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="takeover-alerts")


def takeover_alerts() -> TakeoverAlerts:
    """This process's e-mails to the staff member who has a conversation (built on first use)."""
    global _alerts
    if _alerts is None:
        _alerts = TakeoverAlerts.from_settings(get_settings())
    return _alerts


async def _alert_staff(sender_id: str, channel: str, text: str, parse: Dict[str, Any]) -> None:
    """A `red_flag` handoff (the service e-mails staff); logged loudly if it cannot be stored."""
    request = unanswered_red_flag(sender_id, channel, text, sms_number(sender_id), parse)
    try:
        await asyncio.to_thread(get_handoff_service().submit, request)
    except Exception:
        logger.exception("a red flag written in a taken-over conversation was NOT stored for staff")


def has_conversations(agent: Any) -> bool:
    """Whether `agent` keeps conversations (a tracker store) in which a take-over can be in force."""
    return getattr(agent, "tracker_store", None) is not None


class Takeovers:
    """The take-over in force in a conversation, as the patient channels ask it on every message.

    Read from the tracker store Rasa itself uses: with SQL (ours, or Rasa's), one indexed
    query over every session of the conversation (`bot.transcripts.takeovers`); with
    another store, from the conversation's whole tracker.
    """

    def __init__(self) -> None:
        self._readers: Dict[int, TakeoverReader] = {}

    def _reader(self, agent: Any) -> Optional[TakeoverReader]:
        """The SQL reader of the agent's tracker store, or None when it keeps no SQL engine."""
        engine = sql_engine(agent.tracker_store)
        if engine is None:
            return None
        return self._readers.setdefault(id(engine), TakeoverReader(session_factory(engine)))

    async def active(self, agent: Any, sender_id: str) -> Optional[Takeover]:
        """The take-over in force, or None. When the tracker store cannot be read, None:
        the assistant answers as usual (Rasa reads the same store, and says so if it fails)."""
        reader = self._reader(agent)
        if reader is None:
            tracker = await agent.tracker_store.retrieve_full_tracker(sender_id)
            return takeover_in(tracker.events) if tracker else None
        try:
            return await asyncio.to_thread(reader.active, sender_id)
        except DatabaseUnavailable:
            logger.warning("could not tell whether a conversation is taken over; the assistant answers it")
            return None

    async def idle(self, agent: Any, quiet_since: float) -> List[str]:
        """Conversations taken over with no staff message since `quiet_since` (an epoch).
        Only SQL tracker stores are swept; with another store, none (logged once a sweep)."""
        reader = self._reader(agent)
        if reader is None:
            logger.warning("the automatic hand-back needs a SQL tracker store; none is swept")
            return []
        return await asyncio.to_thread(reader.idle, quiet_since)


def sql_engine(store: Any) -> Any:
    """The SQLAlchemy engine of a tracker store, looking through Rasa's wrappers; None without one.

    Rasa hands the agent its store wrapped: `Agent._create_tracker_store` in a
    `FailSafeTrackerStore`, and a store without async methods in an
    `AwaitableTrackerStore`, each keeping the store it wraps as `_tracker_store` (Rasa
    internals: docs/rasa-internals.md). Without looking through them, the one-row take-over
    query and the automatic hand-back never ran in a real server.
    """
    for _ in range(4):  # a few layers at most; never loop on a store that wraps itself
        engine = getattr(store, "engine", None)
        if engine is not None:
            return engine
        store = getattr(store, "_tracker_store", None)
        if store is None:
            return None
    return None


def takeover_in(events: Iterable[Event]) -> Optional[Takeover]:
    """The take-over in force after `events` (a whole conversation), or None."""
    latest = None
    for event in events:
        if isinstance(event, (ConversationPaused, ConversationResumed)):
            latest = event
    if not isinstance(latest, ConversationPaused):
        return None
    return takeover_of(latest.metadata, latest.timestamp)
