"""Our declaration of Rasa's `events` table matches Rasa's, and stays out of Alembic's sight."""

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import inspect

from bot.db.engine import make_engine
from bot.db.models import metadata as app_metadata
from bot.db.tracker_events import PERIOD_INDEX, ensure_indexes, events
from tests.tracker_data import rasa_trackers


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


def test_ensure_indexes_adds_the_period_index_to_a_table_rasa_made_once(database_url):
    with rasa_trackers(database_url) as rasa:
        engine = rasa.store.engine
        assert PERIOD_INDEX.name not in _indexes(engine)
        ensure_indexes(engine)
        ensure_indexes(engine)  # again: a restart finds it there
        assert PERIOD_INDEX.name in _indexes(engine)


def test_ensure_indexes_leaves_a_database_without_the_table_alone(database_url):
    engine = make_engine(database_url)
    try:
        ensure_indexes(engine)
        assert not inspect(engine).has_table(events.name)
    finally:
        engine.dispose()


def _indexes(engine):
    return {index["name"] for index in inspect(engine).get_indexes(events.name)}
