"""Rasa's `events` table, declared for the code that reads or writes it beside Rasa.

Rasa's SQLTrackerStore (rasa.core.tracker_store.SQLEvent) creates and writes this table:
one row per event, with the whole event as JSON in `data`. Our tracker store
(`bot.rasa_server.tracker_store`) writes it, the staff process reads it
(`bot.transcripts`) and purges it (`bot.staff.retention`), and the launcher creates it
before several Rasa servers would race to. It is declared here, in its own MetaData, so
that Alembic, which manages `bot.db.models.metadata`, never creates, alters or drops a
table Rasa owns (docs/rasa-internals.md lists the dependency).

Indexes beyond Rasa's own are declared here too, and made where the table is made, not
by an Alembic migration: the tracker store may be another database than ours
(TRACKER_STORE_URL), which our migrations never reach. `create_all` makes them with a
new table (the launcher's PROD preparation); `ensure_indexes` adds them to a table that
already exists (our tracker store calls it as it starts, after Rasa made the table).
"""

from __future__ import annotations

import logging

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

tracker_metadata = MetaData()

events = Table(
    "events",
    tracker_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

USER = "user"  # type_name of what the patient sent (rasa.shared.core.events.UserUttered)
BOT = "bot"  # type_name of what the bot said (BotUttered)
SLOT = "slot"  # type_name of a slot's new value (SlotSet)
SESSION_STARTED = "session_started"  # type_name of a session's start (SessionStarted)

# Insights reads what patients sent over a period (bot.insights): patient messages by
# time, then their sender, intent and id. With every column it reads in the index, a year
# of events is answered from the index alone (docs/performance.md, "A year of Insights");
# SQLite keeps the id (the rowid) in every index anyway, PostgreSQL needs it named.
PERIOD_INDEX = Index(
    "ix_events_type_name_timestamp",
    events.c.type_name,
    events.c.timestamp,
    events.c.sender_id,
    events.c.intent_name,
    events.c.id,
)


def ensure_indexes(engine: Engine) -> None:
    """Add our indexes to an existing `events` table (no-op when present or the table is missing).

    A failure is logged, not raised: a Rasa server must still start and answer patients
    when, say, another server is building the same index at that moment.
    """
    try:
        with engine.begin() as connection:
            if connection.dialect.has_table(connection, events.name):
                PERIOD_INDEX.create(connection, checkfirst=True)
    except SQLAlchemyError as exc:
        logger.warning("could not add Insights' index to the tracker store's events table: %s", exc)
