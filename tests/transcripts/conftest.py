"""Conversations saved by Rasa's own tracker store (`rasa`) into an empty database on each
backend (`database_url`, tests/db/databases.py), and what reads them back."""

from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.db.engine import make_engine
from bot.transcripts.transcript import TranscriptReader
from tests.tracker_data import RasaTrackers, rasa_trackers


@pytest.fixture
def store_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def rasa(database_url: str) -> Iterator[RasaTrackers]:
    with rasa_trackers(database_url) as trackers:
        yield trackers


@pytest.fixture
def reader(store_engine: Engine) -> TranscriptReader:
    return TranscriptReader(store_engine)
