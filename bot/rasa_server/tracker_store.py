"""Rasa's SQL tracker store, reading and writing the same rows, at a third of the cost.

Rasa's own SQLTrackerStore was the largest cost of a message after DIET in
docs/performance.md's profile (about 40% of the Rasa server's time on a FAQ question):

- on SQLite it opens and closes a connection for every read and every write, because
  SQLAlchemy 1.4 gives file databases a NullPool, and closing the last connection to a
  WAL database checkpoints it;
- it rebuilds its ORM queries for every message, and SQLAlchemy spends longer computing
  their cache keys than SQLite spends answering them.

This subclass keeps SQLite connections in a pool and reads and writes the latest
conversation session with three plain SQL statements built once (select the session,
count what is stored, insert the rest in one batch), instead of six statements on two
new connections. It writes exactly the rows Rasa would (the same `events` table and
columns), so the staff console, `purge` and a switch back to Rasa's store are
unaffected. Reading every session (`retrieve_full_tracker`) stays Rasa's own code.

As it starts it also adds our indexes to the `events` table Rasa just made (or found):
the tracker store may be another database than ours, beyond our Alembic migrations'
reach (`bot.db.tracker_events.ensure_indexes`).

Enabled in endpoints.yml and endpoints.prod.yml: `type: bot.rasa_server.tracker_store.FastSQLTrackerStore`.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.db.tracker_events import ensure_indexes, events

# The latest session's events, exactly as Rasa's `_event_query` selects them: those from
# the conversation's last `session_started` on, or all of them when it has none.
_SESSION_START = "(SELECT max(timestamp) FROM events WHERE sender_id = :sender AND type_name = 'session_started')"
_LATEST_SESSION = f"sender_id = :sender AND (timestamp >= {_SESSION_START} OR {_SESSION_START} IS NULL)"
SESSION_EVENTS = sa.text(f"SELECT data FROM events WHERE {_LATEST_SESSION} ORDER BY id")
SESSION_COUNT = sa.text(f"SELECT count(*) FROM events WHERE {_LATEST_SESSION}")
INSERT_EVENT = events.insert()  # Rasa's `events` table, as bot.transcripts declares it


class FastSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore with pooled SQLite connections and plain SQL for the latest session."""

    engine: Any  # Rasa's attribute, untyped there

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            url = self.engine.url
            self.engine.dispose()
            # Rasa calls the store from the event loop's thread only; the flag lets the
            # pool hand a connection to whichever thread asks, as a pool must.
            self.engine = sa.create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})
            self.sessionmaker = sessionmaker(bind=self.engine)
        ensure_indexes(self.engine)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.engine.connect() as connection:
            rows = connection.execute(SESSION_EVENTS, {"sender": sender_id}).scalars().all()
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events of `tracker` beyond those of its session already stored."""
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            stored = connection.execute(SESSION_COUNT, {"sender": tracker.sender_id}).scalar_one()
            rows = [_row(tracker.sender_id, event) for event in itertools.islice(tracker.events, stored, None)]
            if rows:
                connection.execute(INSERT_EVENT, rows)


def _row(sender_id: Text, event: Event) -> Dict[str, Any]:
    """The `events` row Rasa's SQLTrackerStore.save writes for `event`."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
