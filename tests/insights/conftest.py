"""A migrated database that also holds Rasa's tracker tables, on each backend, with the
sessions Insights reads it through."""

from typing import Iterator

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import upgrade
from tests.tracker_data import RasaTrackers, rasa_trackers


@pytest.fixture
def rasa(database_url: str) -> Iterator[RasaTrackers]:
    upgrade(database_url)
    with rasa_trackers(database_url) as trackers:
        yield trackers


@pytest.fixture
def sessions(database_url: str, rasa: RasaTrackers) -> Iterator[sessionmaker]:
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()
