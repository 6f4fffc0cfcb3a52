"""Insights: what happened to the conversations of a period, in a few grouped queries.

The definitions (the console shows them beside the figures, `DEFINITIONS`):

- a **conversation** is what one sender (a widget visitor, a phone number) wrote in the
  period; its start is their first message in it, its end their last;
- it is **contained** when none of these happened: a handoff for that sender from its
  start until 24 hours after its end; the patient asking for a person (`request_human`)
  in it or within 24 hours after it; its last patient message falling back (the
  assistant's last answer was "I did not understand", unresolved). Each conversation
  gets the first of those outcomes that applies, in that order (`OUTCOMES`);
- the **time to first staff action** on a handoff runs from its creation to the first
  status change, note, take-over or reply (audit log and notes), for handoffs made in
  the period; those not acted on yet are counted apart, not in the median;
- **fallback** and **out-of-scope** rates are shares of the patient messages;
- **questions answered** count patient messages whose intent is one of the assistant's
  questions (`faq_`, `aftercare_`, `ask_`), **unanswered groups** the messages it fell
  back on, found out of scope or not covered (`bot.transcripts.unanswered`; the
  Unanswered page adds those it was unsure of, which needs each message's JSON).

Website and SMS conversations count; the REST channel's (API clients, the evaluation) do
not. The tracker store and our database may be two databases, so the queries on each
are separate and their results meet in Python, once per conversation, never per event.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, cast, func, or_, select
from sqlalchemy.orm import sessionmaker

from bot.conversation_ids import SMS, WIDGET, namespace_of
from bot.db.engine import get_engine, session_factory
from bot.db.models import RED_FLAG, AuditEntry, Handoff, HandoffNote
from bot.db.session import unit_of_work
from bot.db.tracker_events import USER, events
from bot.insights.feedback import AnswerRating, FeedbackStore
from bot.retraining.redaction import redact
from bot.settings import Settings
from bot.transcripts.events import epoch, event_data, event_time, patient_message, with_events
from bot.transcripts.unanswered import UnansweredGroup, UnansweredMessage, group_similar, reason_for

CHANNELS: Dict[str, Tuple[str, ...]] = {"all": (WIDGET, SMS), "website": (WIDGET,), "sms": (SMS,)}
CHANNEL_LABELS = {"all": "All channels", "website": "Website", "sms": "SMS"}
FALLBACK, OUT_OF_SCOPE, ASK_PERSON = "nlu_fallback", "out_of_scope", "request_human"
UNANSWERED_INTENTS = (FALLBACK, OUT_OF_SCOPE, "faq_not_covered")
QUESTION_PREFIXES = ("faq_", "aftercare_", "ask_")
# Outcomes, in the order they are decided: the first that applies is the conversation's.
HANDOFF, ASKED_FOR_PERSON, UNRESOLVED_FALLBACK, CONTAINED = (
    "handoff",
    "asked_for_person",
    "unresolved_fallback",
    "contained",
)
OUTCOMES = (HANDOFF, ASKED_FOR_PERSON, UNRESOLVED_FALLBACK, CONTAINED)
FOLLOW_UP = timedelta(hours=24)  # how long after a conversation a handoff or a request for a person still counts
STAFF_ACTIONS = ("status_change", "add_note", "take_over", "staff_reply")  # audit actions that act on a handoff
TOP = 10  # questions, unanswered groups
UNANSWERED_SAMPLE = 1000  # the latest unanswered messages grouped for the page (weeks' worth at a busy clinic)
DAY_S = 86400

DEFINITIONS: Dict[str, str] = {
    "conversation": "Everything one sender (a website visitor, a phone number) wrote in the period. "
    "API and test conversations are not counted.",
    "contained": "Ended without a handoff (until 24 hours after its last message), without the patient asking for "
    "a person in it or within 24 hours, and without an unresolved fallback: its last patient message was understood.",
    "handoff_rate": "Share of conversations with at least one handoff of that kind (a conversation may have several).",
    "first_action": "From a handoff's creation to the first status change, note, take-over or reply by staff; "
    "handoffs nobody acted on yet are counted apart.",
    "fallback": "Patient messages the assistant did not understand, of all patient messages.",
    "out_of_scope": "Patient messages about something the assistant does not cover at all, of all patient messages.",
    "questions": "Patient messages whose intent is one of the assistant's questions (about the treatment, aftercare, "
    "prices, the clinic).",
    "unanswered": "Messages it did not understand, found out of scope or not covered, grouped by similar wording: "
    f"the period's latest {UNANSWERED_SAMPLE:,} of them (the Unanswered page has them all, and those it was unsure "
    "about).",
}


@dataclass(frozen=True)
class Period:
    """[start, end), aware UTC datetimes."""

    start: datetime
    end: datetime

    @classmethod
    def last_days(cls, days: int, now: datetime) -> "Period":
        return cls(now - timedelta(days=days), now)

    @classmethod
    def between(cls, first: date, last: date, zone: tzinfo) -> "Period":
        """From the start of `first` to the end of `last`, on the clinic's clocks."""
        start = datetime.combine(first, datetime.min.time(), zone).astimezone(timezone.utc)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone).astimezone(timezone.utc)
        return cls(start, end)

    def days(self, zone: tzinfo) -> Tuple[date, date]:
        """The first and the last day it covers, on the clinic's clocks (`end` is excluded)."""
        return self.start.astimezone(zone).date(), (self.end - timedelta(microseconds=1)).astimezone(zone).date()


@dataclass(frozen=True)
class ConversationOutcome:
    """One conversation's row of the CSV export."""

    sender_id: str
    started: datetime
    ended: datetime
    messages: int
    outcome: str  # one of OUTCOMES
    handoff_kinds: Tuple[str, ...]
    feedback: Tuple[int, int] = (0, 0)  # answers rated helpful, not helpful

    @property
    def channel(self) -> str:
        return "website" if namespace_of(self.sender_id) == WIDGET else "sms"

    @property
    def conversation(self) -> str:
        """A stable pseudonym for the CSV: the sender id (a phone number, for SMS) never leaves the console."""
        return hashlib.sha256(self.sender_id.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Day:
    day: date
    conversations: int
    messages: int


@dataclass(frozen=True)
class Insights:
    """The figures of one period and channel."""

    period: Period
    channel: str
    conversations: int
    patient_messages: int
    days: Tuple[Day, ...]
    outcomes: Dict[str, int]  # conversations per outcome (every outcome present)
    handoffs_by_kind: Dict[str, int]  # conversations with a handoff of that kind
    handoffs_made: int  # handoffs created in the period
    first_action_median: Optional[timedelta]
    not_acted_on: int
    fallbacks: int
    out_of_scope: int
    red_flags: Dict[str, int]  # red-flag handoffs per symptom group
    top_questions: Tuple[Tuple[str, int], ...]
    unanswered: Tuple[UnansweredGroup, ...]
    feedback: Tuple[AnswerRating, ...]
    definitions: Dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))

    @property
    def contained(self) -> int:
        return self.outcomes[CONTAINED]

    def share(self, count: int, of: Optional[int] = None) -> float:
        """`count` as a fraction of `of` (default: the conversations); 0 when there are none."""
        whole = self.conversations if of is None else of
        return count / whole if whole else 0.0


@dataclass(slots=True)
class _Conversation:
    sender_id: str
    first: float
    last: float
    messages: int
    ended_in_fallback: bool
    asked_at: Optional[float] = None
    kinds: List[str] = field(default_factory=list)

    def outcome(self) -> str:
        if self.kinds:
            return HANDOFF
        if self.asked_at is not None and self.asked_at <= self.last + FOLLOW_UP.total_seconds():
            return ASKED_FOR_PERSON
        if self.ended_in_fallback:
            return UNRESOLVED_FALLBACK
        return CONTAINED


class InsightsReader:
    """Reads the figures from the tracker store (`events`) and our database (handoffs,
    audit, notes, feedback); each public method raises DatabaseUnavailable on an outage."""

    def __init__(self, tracker: sessionmaker, database: sessionmaker, zone: tzinfo = timezone.utc) -> None:
        self._tracker = tracker
        self._database = database
        self._feedback = FeedbackStore(database)
        self.zone = zone

    @classmethod
    def from_settings(cls, settings: Settings) -> "InsightsReader":
        """The reader of the configured tracker store and database, in the clinic's time zone."""
        return cls(
            session_factory(get_engine(settings.tracker_store_url)),
            session_factory(get_engine(settings.database_url)),
            ZoneInfo(settings.clinic.time_zone),
        )

    def report(self, period: Period, channel: str = "all") -> Insights:
        """The figures of `period` for `channel`.

        The reads run side by side, each on a connection of its own: the databases work
        (and SQLite and the PostgreSQL driver let go of Python's lock) while the grouping
        of unanswered messages runs, so the page waits for the longest read, not their sum.
        """
        namespaces = CHANNELS[channel]
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="insights") as reads:
            conversations_read = reads.submit(self._conversations, period, namespaces)
            handoffs_read = reads.submit(self._handoffs, period, namespaces)
            waits_read = reads.submit(self._first_actions, period, namespaces)
            counts_read = reads.submit(self._tracker_counts, period, namespaces)
            feedback_read = reads.submit(self._feedback.per_answer, period.start, period.end, namespaces)
            unanswered = group_similar(self._unanswered(period, namespaces))[:TOP]
            conversations, handoffs = conversations_read.result(), handoffs_read.result()
            waits, counts, feedback = waits_read.result(), counts_read.result(), feedback_read.result()
        _attach_handoffs(conversations, handoffs)
        outcomes = Counter(conversation.outcome() for conversation in conversations.values())
        made = [h for h in handoffs if period.start <= h.created_at < period.end]
        by_kind = Counter(kind for c in conversations.values() for kind in set(c.kinds))
        return Insights(
            period=period,
            channel=channel,
            conversations=len(conversations),
            patient_messages=sum(c.messages for c in conversations.values()),
            days=self._days(period, conversations.values(), counts.per_day),
            outcomes={outcome: outcomes[outcome] for outcome in OUTCOMES},
            handoffs_by_kind=dict(by_kind),
            handoffs_made=len(made),
            first_action_median=_median(list(waits.values())),
            not_acted_on=len(made) - len(waits),
            fallbacks=counts.intents.get(FALLBACK, 0),
            out_of_scope=counts.intents.get(OUT_OF_SCOPE, 0),
            red_flags=_red_flag_groups(made),
            top_questions=counts.questions,
            unanswered=tuple(_shown(group) for group in unanswered),
            feedback=tuple(sorted(feedback.values(), key=lambda rating: (-rating.total, rating.response))),
        )

    def outcomes(self, period: Period, channel: str = "all") -> List[ConversationOutcome]:
        """Every conversation of the period with its outcome, oldest first (the CSV export)."""
        namespaces = CHANNELS[channel]
        conversations = self._conversations(period, namespaces)
        _attach_handoffs(conversations, self._handoffs(period, namespaces))
        feedback = self._feedback.per_conversation(period.start, period.end + FOLLOW_UP, namespaces)
        return [
            ConversationOutcome(
                c.sender_id,
                event_time(c.first),
                event_time(c.last),
                c.messages,
                c.outcome(),
                tuple(sorted(set(c.kinds))),
                feedback.get(c.sender_id, (0, 0)),
            )
            for c in sorted(conversations.values(), key=lambda c: (c.first, c.sender_id))
        ]

    # -- the tracker store ------------------------------------------------------------

    def _conversations(self, period: Period, namespaces: Sequence[str]) -> Dict[str, _Conversation]:
        """One grouped query for the conversations, one for requests for a person.

        Whether the last message fell back is read without fetching that message: the
        conversation's last message id and its last fallback's id, both from the index,
        are the same id exactly when it did (joining each last message cost SQLite a
        second per 50,000 conversations: docs/performance.md).
        """
        query = (
            select(
                events.c.sender_id,
                func.min(events.c.timestamp).label("first"),
                func.max(events.c.timestamp).label("last"),
                func.count().label("messages"),
                func.max(events.c.id).label("last_id"),
                func.max(case((events.c.intent_name == FALLBACK, events.c.id))).label("last_fallback_id"),
            )
            .where(*_patient_messages(period.start, period.end, namespaces))
            .group_by(events.c.sender_id)
        )
        asked = (
            select(events.c.sender_id, func.min(events.c.timestamp))
            .where(
                *_patient_messages(period.start, period.end + FOLLOW_UP, namespaces), events.c.intent_name == ASK_PERSON
            )
            .group_by(events.c.sender_id)
        )

        def read(connection: Any) -> Dict[str, _Conversation]:
            # Fetched at once and unpacked as tuples: a row at a time, by name, cost twice as long.
            found = {
                sender: _Conversation(sender, first, last, messages, last_id == last_fallback)
                for sender, first, last, messages, last_id, last_fallback in connection.execute(query).all()
            }
            for sender_id, at in connection.execute(asked).all():
                if sender_id in found:
                    found[sender_id].asked_at = at
            return found

        return with_events(self._tracker, read, {})

    def _tracker_counts(self, period: Period, namespaces: Sequence[str]) -> "_Counts":
        """Messages per clinic day and per intent, in one grouped query (one pass over the
        period's messages): a year is about 365 days times 40 intents of rows."""
        shifted = (events.c.timestamp + self._offset_s(period)) / DAY_S
        messages = _patient_messages(period.start, period.end, namespaces)

        def read(connection: Any) -> _Counts:
            day = func.floor(shifted) if connection.dialect.name == "postgresql" else cast(shifted, Integer)
            query = select(day, events.c.intent_name, func.count()).where(*messages).group_by(day, events.c.intent_name)
            per_day: Counter = Counter()
            intents: Counter = Counter()
            for number, intent, count in connection.execute(query):
                per_day[date(1970, 1, 1) + timedelta(days=int(number))] += count
                intents[intent] += count
            return _Counts(dict(per_day), dict(intents))

        return with_events(self._tracker, read, _Counts({}, {}))

    def _offset_s(self, period: Period) -> float:
        """The clinic's UTC offset at the period's end, in seconds: days are counted on its
        clocks (a change of daylight saving time inside the period moves an hour of one day)."""
        return (self.zone.utcoffset(period.end.astimezone(self.zone)) or timedelta(0)).total_seconds()

    def _unanswered(self, period: Period, namespaces: Sequence[str]) -> Iterator[UnansweredMessage]:
        """The period's latest UNANSWERED_SAMPLE messages the assistant fell back on, found out
        of scope or not covered: each is read whole (its text is in its JSON), so a year's
        worth would cost the page seconds."""
        query = (
            select(events.c.sender_id, events.c.timestamp, events.c.data)
            .where(
                *_patient_messages(period.start, period.end, namespaces), events.c.intent_name.in_(UNANSWERED_INTENTS)
            )
            .order_by(events.c.timestamp.desc())
            .limit(UNANSWERED_SAMPLE)
        )
        rows: List[Any] = with_events(self._tracker, lambda connection: connection.execute(query).all(), [])
        for row in rows:
            message = patient_message(event_data(row.data))
            reason = reason_for(message)
            if reason is not None:
                yield UnansweredMessage(row.sender_id, message.text.strip(), event_time(row.timestamp), reason)

    def _days(
        self, period: Period, conversations: Iterable[_Conversation], messages: Dict[date, int]
    ) -> Tuple[Day, ...]:
        """Every day of the period on the clinic's clocks, with its new conversations and messages."""
        offset, epoch_day = self._offset_s(period), date(1970, 1, 1)
        started = Counter(int((c.first + offset) // DAY_S) for c in conversations)  # as the SQL counts days
        first, last = period.days(self.zone)
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return tuple(Day(day, started.get((day - epoch_day).days, 0), messages.get(day, 0)) for day in days)

    # -- our database ------------------------------------------------------------------

    def _handoffs(self, period: Period, namespaces: Sequence[str]) -> List[Any]:
        """Handoffs made from the period's start until FOLLOW_UP after its end (one query)."""
        query = select(Handoff.id, Handoff.sender_id, Handoff.kind, Handoff.created_at, Handoff.red_flags).where(
            Handoff.created_at >= period.start,
            Handoff.created_at < period.end + FOLLOW_UP,
            _of_channels(Handoff.sender_id, namespaces),
        )
        with unit_of_work(self._database, what="handoff database") as session:
            return list(session.connection().execute(query).all())  # Core rows: no ORM loading for 10,000s

    def _first_actions(self, period: Period, namespaces: Sequence[str]) -> Dict[int, timedelta]:
        """Per handoff made in the period and acted on: the time to the first staff action (two grouped queries)."""
        made = (
            Handoff.created_at >= period.start,
            Handoff.created_at < period.end,
            _of_channels(Handoff.sender_id, namespaces),
        )
        audited = (
            select(Handoff.id, Handoff.created_at, func.min(AuditEntry.at))
            .join(AuditEntry, AuditEntry.handoff_id == Handoff.id)
            .where(*made, AuditEntry.action.in_(STAFF_ACTIONS))
            .group_by(Handoff.id, Handoff.created_at)
        )
        noted = (
            select(Handoff.id, Handoff.created_at, func.min(HandoffNote.created_at))
            .join(HandoffNote, HandoffNote.handoff_id == Handoff.id)
            .where(*made)
            .group_by(Handoff.id, Handoff.created_at)
        )
        firsts: Dict[int, timedelta] = {}
        with unit_of_work(self._database, what="handoff database") as session:
            for query in (audited, noted):
                for handoff_id, created, acted in session.connection().execute(query).all():
                    wait = max(_aware(acted) - _aware(created), timedelta(0))
                    firsts[handoff_id] = min(firsts.get(handoff_id, wait), wait)
        return firsts


@dataclass(frozen=True)
class _Counts:
    per_day: Dict[date, int]
    intents: Dict[str, int]

    @property
    def questions(self) -> Tuple[Tuple[str, int], ...]:
        asked = [
            (intent, n)
            for intent, n in self.intents.items()
            if intent and intent.startswith(QUESTION_PREFIXES) and intent not in UNANSWERED_INTENTS
        ]
        return tuple(sorted(asked, key=lambda pair: (-pair[1], pair[0]))[:TOP])


def _of_channels(column: Any, namespaces: Sequence[str]) -> Any:
    return or_(*(column.startswith(f"{namespace}:") for namespace in namespaces))


def _patient_messages(start: datetime, end: datetime, namespaces: Sequence[str]) -> Tuple[Any, ...]:
    """Patient messages of `namespaces` in [start, end): the index's order (type, time, sender)."""
    return (
        events.c.type_name == USER,
        events.c.timestamp >= epoch(start),
        events.c.timestamp < epoch(end),
        _of_channels(events.c.sender_id, namespaces),
    )


def _attach_handoffs(conversations: Dict[str, _Conversation], handoffs: Iterable[Any]) -> None:
    """Each handoff joins its sender's conversation if made from its start until FOLLOW_UP after its end."""
    for handoff in handoffs:
        conversation = conversations.get(handoff.sender_id)
        if conversation is None:
            continue
        made = epoch(_aware(handoff.created_at))
        if conversation.first - 60 <= made <= conversation.last + FOLLOW_UP.total_seconds():
            conversation.kinds.append(handoff.kind)


def _red_flag_groups(handoffs: Iterable[Any]) -> Dict[str, int]:
    groups: Counter = Counter()
    for handoff in handoffs:
        if handoff.kind == RED_FLAG:
            groups.update(group for group in (handoff.red_flags or "unspecified").split(",") if group)
    return dict(groups.most_common())


def _shown(group: UnansweredGroup) -> UnansweredGroup:
    """The group as the page and the digest e-mail show it: its example with names, phone
    numbers and e-mail addresses redacted, as the Unanswered page lists them, and nothing else
    of the patients' words."""
    return dataclasses.replace(group, example=redact(group.example), texts=(), variants=())


def _median(waits: List[timedelta]) -> Optional[timedelta]:
    """The middle wait (the mean of the two middle ones for an even count); None without any."""
    if not waits:
        return None
    ordered, middle = sorted(waits), len(waits) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _aware(at: datetime) -> datetime:
    """Our UTC column type already marks UTC; a raw row from SQLite may still be naive."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


OUTCOME_COLUMNS = (
    "conversation", "channel", "started", "ended", "messages", "outcome", "handoff_kinds", "rated_helpful",
    "rated_not_helpful",
)  # fmt: skip


def outcome_rows(outcomes: Iterable[ConversationOutcome]) -> Iterator[List[str]]:
    """The CSV's header and rows."""
    yield [*OUTCOME_COLUMNS]
    for o in outcomes:
        yield [
            o.conversation,
            o.channel,
            o.started.isoformat(timespec="seconds"),
            o.ended.isoformat(timespec="seconds"),
            str(o.messages),
            o.outcome,
            ";".join(o.handoff_kinds),
            str(o.feedback[0]),
            str(o.feedback[1]),
        ]
