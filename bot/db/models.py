"""Our tables: handoffs and their notes, the SMS channel's state, and the staff console's
accounts, sessions, login attempts, API tokens and audit log.

The allowed values below are the single source for the check constraints, the request
validation in `bot.handoffs` and the staff API's filters. Migrations copy them (a
migration is a snapshot of history); tests compare the migrated columns, keys and
indexes with these models and check that the database enforces the allowed values.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional, Tuple

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator

KINDS: Tuple[str, ...] = ("booking", "question", "screening", "red_flag")
RED_FLAG = "red_flag"  # the kind staff see first: a patient reported a warning symptom
STATUSES: Tuple[str, ...] = ("new", "contacted", "closed")
CONTACT_KINDS: Tuple[str, ...] = ("phone", "email")
SCREENING_OUTCOMES: Tuple[str, ...] = ("candidate", "not_recommended", "needs_review")
# What staff decide about a message the assistant could not answer (bot.retraining.reviews).
ASSIGN, NEW_ANSWER, IGNORE = "assign", "new_answer", "ignore"
REVIEW_DECISIONS: Tuple[str, ...] = (ASSIGN, NEW_ANSWER, IGNORE)

# Deterministic constraint names: SQLite can only change a constraint by rebuilding the
# table (Alembic's batch mode), which needs to know each constraint's name.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)
Base: Any = mapper_registry.generate_base()  # a runtime class: mypy sees it as Any


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (the only zone the database ever stores)."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL keeps the offset, but SQLite stores plain text and hands back naive
    values; this type converts to UTC on the way in and marks UTC on the way out, so
    callers always compare and serialise aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: Optional[datetime], dialect: Dialect) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _created_at(context: DefaultExecutionContext) -> datetime:
    """A new row's updated_at: the same instant as its created_at, not a microsecond later."""
    return context.get_current_parameters()["created_at"]


def _one_of(column: str, values: Tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Handoff(Base):
    """One booking request, question for a person, screening result or red flag for staff to follow up."""

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint(_one_of("kind", KINDS), name="kind"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        CheckConstraint(_one_of("contact_kind", CONTACT_KINDS), name="contact_kind"),
        CheckConstraint(_one_of("screening_outcome", SCREENING_OUTCOMES), name="screening_outcome"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="new")
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    name = Column(String(100))
    contact = Column(String(254))
    contact_kind = Column(String(8))
    preferred_time = Column(String(200))
    concern = Column(String(200))
    question = Column(String(1000))
    screening_answers = Column(JSON(none_as_null=True))  # None is SQL NULL, not JSON null
    screening_outcome = Column(String(32))
    # A red flag's symptom groups, comma-separated ("breathing,swelling"; "unspecified"
    # when the model alone flagged it); NULL for every other kind.
    red_flags = Column(String(200))
    # Hash of the request; cleared when the handoff is closed, so an identical request
    # made after that (a returning patient) opens a new handoff instead of a closed one.
    dedupe_key = Column(String(64), unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)  # Insights counts by period
    updated_at = Column(UTCDateTime, nullable=False, default=_created_at, onupdate=utcnow)


class SmsContact(Base):
    """What the SMS channel must remember about one phone number, across Rasa instances.

    `opted_out` is the patient's STOP (carriers require us to honour it until START);
    `menu` holds the payloads of the numbered choices last sent, so a reply of "2" means
    what the patient saw as 2; `last_message_at` tells a new conversation (which gets the
    privacy notice) from a continuing one.
    """

    __tablename__ = "sms_contacts"

    phone = Column(String(32), primary_key=True)
    opted_out = Column(Boolean(create_constraint=False), nullable=False, default=False, server_default=false())
    opt_changed_at = Column(UTCDateTime)
    last_message_at = Column(UTCDateTime)
    menu = Column(JSON(none_as_null=True))


class SmsMessage(Base):
    """One inbound SMS by Twilio's MessageSid: a retried webhook is answered, never processed twice.

    `reply` is the list of SMS bodies sent back (SQL NULL while the first delivery is
    still being processed).
    """

    __tablename__ = "sms_messages"

    message_sid = Column(String(64), primary_key=True)
    phone = Column(String(32), nullable=False, index=True)
    received_at = Column(UTCDateTime, nullable=False, default=utcnow)
    reply = Column(JSON(none_as_null=True))


class SmsOutbound(Base):
    """One text sent through Twilio's Messages API (a staff reply, or a take-over notice), and how it fared.

    The text itself is in the conversation (a `bot` event whose metadata carries this
    row's `id`); this row says whether it reached the patient: `sending` before the
    API call, then Twilio's status (`queued`, `sent`, `delivered`, `undelivered`,
    `failed`) from the call's answer and its status callbacks, or `not_sent` when the
    API refused it, with the reason in `error`.
    """

    __tablename__ = "sms_outbound"

    id = Column(String(32), primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    phone = Column(String(32), nullable=False)
    sid = Column(String(64), unique=True)
    status = Column(String(16), nullable=False)
    error = Column(String(255))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class HandoffNote(Base):
    """A staff member's note on a handoff ("left a voicemail", "booked for the 12th")."""

    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(254), nullable=False)
    text = Column(String(2000), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class StaffUser(Base):
    """A clinic staff account for the console; the password is kept only as an argon2 hash."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)  # stored lower-cased
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean(create_constraint=False), nullable=False, default=True, server_default=true())
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    # What a patient is told when this person takes a conversation over ("Ana"); none: the
    # clinic profile's staff_title.
    display_name = Column(String(80))


class StaffSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie's token is stored, so a copy of
    the database cannot be replayed as a login; `last_seen_at` drives the idle logout."""

    __tablename__ = "staff_sessions"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at = Column(UTCDateTime, nullable=False, default=_created_at)


class LoginAttempt(Base):
    """One console login attempt, for rate limiting by account and by client address."""

    __tablename__ = "login_attempts"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, index=True)  # lower-cased, as typed
    client = Column(String(64), nullable=False, index=True)  # the client's IP address
    succeeded = Column(Boolean(create_constraint=False), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


class StaffApiToken(Base):
    """A named bearer token of the staff JSON API. Only the SHA-256 of the token is stored
    (it is high-entropy, so a plain hash cannot be reversed), so a copy of the database
    cannot call the API. A revoked token keeps its row, so its hash can never come back;
    a name belongs to at most one live token (the partial unique index)."""

    __tablename__ = "staff_api_tokens"
    __table_args__ = (
        Index(
            "uq_staff_api_tokens_live_name", "name", unique=True,
            sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL"),
        ),
    )  # fmt: skip

    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at = Column(UTCDateTime)
    revoked_at = Column(UTCDateTime)


class AuditEntry(Base):
    """Who did what, when: every transcript view and every change. Append-only: the
    database itself refuses UPDATE and DELETE on this table (triggers, migration 0003)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(254), nullable=False)  # a staff e-mail, "api:<token name>", "cli" or "anonymous"
    action = Column(String(32), nullable=False)
    handoff_id = Column(Integer, index=True)  # no foreign key: the entry outlives a purged handoff
    detail = Column(Text)  # what changed ("status: new -> contacted"); never patient text


class AnswerFeedback(Base):
    """A patient's "was this helpful?" on one answer (a Rasa response name) of their own
    conversation: thumbs up or down from the widget, or "that didn't help" by text.
    One row per conversation and answer: rating it again replaces the rating."""

    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("conversation_id", "response"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(16), nullable=False)  # the conversation's namespace: "widget", "sms"
    response = Column(String(255), nullable=False)  # "utter_faq_hours"
    helpful = Column(Boolean(create_constraint=False), nullable=False)
    comment = Column(String(500))  # the patient's own words: shown escaped, never exported
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


class WeeklyDigest(Base):
    """A week whose staff digest e-mail went out ("2026-W49"): the key makes the weekly
    send idempotent across restarts and across staff processes."""

    __tablename__ = "weekly_digests"

    week = Column(String(10), primary_key=True)
    sent_at = Column(UTCDateTime, nullable=False, default=utcnow)


class UnansweredReview(Base):
    """A staff decision about one text the assistant could not answer: assign it to an
    intent (a training example for `make retrain`), "needs a new answer" (for the clinic's
    content owner) or ignore. `text` is stored redacted (bot.retraining.redaction), so it
    is all that can become training data; `text_key` (a hash of the original text, folded)
    is how the to-do list knows the text was reviewed. One decision per text: deciding
    again replaces it. `batch` ties the texts of one decision on a group together."""

    __tablename__ = "unanswered_reviews"
    __table_args__ = (CheckConstraint(_one_of("decision", REVIEW_DECISIONS), name="decision"),)

    id = Column(Integer, primary_key=True)
    text_key = Column(String(64), nullable=False, unique=True)
    batch = Column(String(32), nullable=False, index=True)
    text = Column(Text, nullable=False)
    decision = Column(String(16), nullable=False)
    intent = Column(String(100))  # the domain's intent, for ASSIGN only
    note = Column(String(500))  # what the new answer should say, for NEW_ANSWER
    reviewer = Column(String(254), nullable=False)  # the staff e-mail
    reviewed_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


def column_limit(name: str) -> int:
    """The maximum length, in characters, of a text column of `handoffs`."""
    return Handoff.__table__.c[name].type.length
