"""Our declaration of Rasa's `events` table matches Rasa's, and stays out of Alembic's sight."""

from rasa.core.tracker_store import SQLTrackerStore

from bot.db.models import metadata as app_metadata
from bot.db.tracker_events import events


def _shape(table):
    return {
        column.name: (type(column.type), getattr(column.type, "length", None), column.nullable, column.primary_key)
        for column in table.columns
    }


def test_the_table_is_declared_as_rasa_declares_it():
    assert _shape(events) == _shape(SQLTrackerStore.SQLEvent.__table__)
    assert events.name == SQLTrackerStore.SQLEvent.__tablename__


def test_alembic_never_sees_rasas_table():
    assert "events" not in app_metadata.tables
    assert events.metadata is not app_metadata
