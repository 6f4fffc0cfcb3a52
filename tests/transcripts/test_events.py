"""The tracker store's engine, and reading the rows Rasa writes."""

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, inspect, select

from bot.db.engine import dispose_engines, make_engine, session_factory
from bot.db.session import DatabaseUnavailable
from bot.db.tracker_events import events
from bot.settings import Settings
from bot.transcripts import events as events_module
from bot.transcripts.events import (
    PatientMessage,
    epoch,
    event_data,
    event_time,
    patient_message,
    tracker_engine,
    with_events,
)
from tests.tracker_data import T0, answered, said


def test_the_columns_are_those_rasa_created(rasa, store_engine):
    rasa.save("someone", [said("hi", "greet")])
    created = {column["name"] for column in inspect(store_engine).get_columns("events")}
    assert created == set(events.columns.keys())


def test_a_row_written_by_rasa_reads_back(rasa, store_engine):
    rasa.save("someone", [said("Is it painful?", "faq_pain", confidence=0.81, minute=3, channel="twilio")])
    with store_engine.connect() as connection:
        row = connection.execute(select(events).where(events.c.type_name == "user")).one()
    message = patient_message(event_data(row.data))
    assert message == PatientMessage("Is it painful?", "twilio", "faq_pain", 0.81)
    assert not message.is_payload
    assert row.intent_name == "faq_pain"
    assert event_time(row.timestamp) == datetime(2026, 3, 2, 9, 3, tzinfo=timezone.utc)


def test_a_button_payload_is_recognised():
    assert patient_message({"text": "/faq_pain"}).is_payload
    assert patient_message({"text": ' /inform{"time": "morning"}'}).is_payload
    assert not patient_message({"text": "what is 1/2 of it"}).is_payload


def test_a_message_without_nlu_data_has_no_intent():
    message = patient_message({"text": "hi", "parse_data": None})
    assert (message.intent, message.confidence, message.channel) == (None, None, None)


def test_empty_or_odd_data_reads_as_nothing():
    assert event_data(None) == {}
    assert event_data("") == {}
    assert event_data(json.dumps([1, 2])) == {}
    assert event_data('{"text": "hi"}') == {"text": "hi"}


def test_times_are_aware_utc_and_round_trip():
    assert event_time(T0.timestamp()) == T0
    assert event_time(T0.timestamp()).tzinfo == timezone.utc
    assert epoch(T0) == T0.timestamp()


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        epoch(datetime(2026, 3, 2, 9, 0))


def test_without_the_table_the_work_is_skipped(store_engine):
    ran = []
    result = with_events(session_factory(store_engine), lambda connection: ran.append(1), "no table")
    assert (result, ran) == ("no table", [])


def test_with_the_table_the_work_runs_and_commits(rasa, store_engine):
    rasa.save("someone", [said("hi", "greet"), answered("Hello!")])
    deleted = with_events(
        session_factory(store_engine),
        lambda connection: connection.execute(events.delete().where(events.c.type_name == "bot")).rowcount,
        0,
    )
    assert deleted == 1
    with store_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(events)).scalar_one() == 1


def test_an_outage_is_database_unavailable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    engine = make_engine(f"sqlite:///{blocker / 'tracker.db'}")
    try:
        with pytest.raises(DatabaseUnavailable, match="^the tracker store is unavailable: "):
            with_events(session_factory(engine), lambda connection: None, None)
    finally:
        engine.dispose()


def test_the_engine_is_made_once_per_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    try:
        engine = tracker_engine(url)
        assert tracker_engine(url) is engine
        assert str(engine.url) == url
    finally:
        dispose_engines()


def test_the_engine_defaults_to_the_configured_tracker_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    settings = Settings.from_env({"VAR_DIR": str(tmp_path / "var"), "TRACKER_STORE_URL": url})
    monkeypatch.setattr(events_module, "get_settings", lambda: settings)
    try:
        assert str(tracker_engine().url) == url
    finally:
        dispose_engines()
