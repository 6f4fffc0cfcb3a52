"""Rasa's `events` table, declared for the code that reads or writes it beside Rasa.

Rasa's SQLTrackerStore (rasa.core.tracker_store.SQLEvent) creates and writes this table:
one row per event, with the whole event as JSON in `data`. Our tracker store
(`bot.rasa_server.tracker_store`) writes it, the staff process reads it
(`bot.transcripts`) and purges it (`bot.staff.retention`), and the launcher creates it
before several Rasa servers would race to. It is declared here, in its own MetaData, so
that Alembic, which manages `bot.db.models.metadata`, never creates, alters or drops a
table Rasa owns (docs/rasa-internals.md lists the dependency).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

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
