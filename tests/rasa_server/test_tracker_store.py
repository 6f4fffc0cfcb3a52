"""FastSQLTrackerStore stores and reads exactly what Rasa's SQLTrackerStore does.

bot/rasa_server/tracker_store.py replaces Rasa's ORM queries with plain SQL and pools SQLite
connections. The staff console, `purge` and a switch back to Rasa's store depend on the
`events` rows being the ones Rasa writes, and every reply depends on the tracker read
back being Rasa's. So each test drives Rasa's store and ours through the same
conversations (real Rasa events, the project's real domain) and compares the stored rows
(every column but `id`, in `id` order) and the trackers read back, on SQLite and on
PostgreSQL (its own throwaway schema). Rows written by one store are read identically by
the other. Rasa silently falls back to an in-memory store when it cannot load a tracker
store class, so the real endpoints files are checked to build ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config
from sqlalchemy.pool import QueuePool, SingletonThreadPool

from bot.rasa_server.tracker_store import FastSQLTrackerStore
from bot.settings import PROJECT_ROOT
from tests.db.databases import BACKENDS, fresh_database

OURS = "bot.rasa_server.tracker_store.FastSQLTrackerStore"
COLUMNS = "sender_id, type_name, timestamp, intent_name, action_name, data"
Row = Tuple[Any, ...]

# Conversation IDs as they arrive from the channels, quotes and spaces included.
PATIENT = "+1 646-555-0123"
OTHER = "web-o'brien-42"
LATER = "+1 646-555-0199"  # sessions of their own, started after every one of PATIENT's


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


# --- databases -----------------------------------------------------------------------


@contextlib.contextmanager
def database(backend: str, directory: Path) -> Iterator[EndpointConfig]:
    """The endpoints `tracker_store` section of our store on a fresh database of `backend`."""
    if backend == "sqlite":
        name = directory / f"tracker-{uuid.uuid4().hex[:8]}.db"
        yield EndpointConfig(type=OURS, dialect="sqlite", db=str(name))
        return
    with fresh_database("postgresql", directory) as url:
        yield EndpointConfig(type=OURS, dialect="postgresql", url=url)


@contextlib.contextmanager
def stores(
    config: EndpointConfig, domain: Domain, broker: Optional[EventBroker] = None
) -> Iterator[Tuple[FastSQLTrackerStore, SQLTrackerStore]]:
    """Ours, built by Rasa from `config`, and Rasa's own on the same database."""
    ours = TrackerStore.create(config, domain, broker)
    assert isinstance(ours, FastSQLTrackerStore)
    rasa = SQLTrackerStore(domain=domain, host=config.url, event_broker=broker, **config.kwargs)
    try:
        yield ours, rasa
    finally:
        ours.engine.dispose()
        rasa.engine.dispose()


@contextlib.contextmanager
def two_databases(
    backend: str,
    directory: Path,
    domain: Domain,
    brokers: Tuple[Optional[EventBroker], Optional[EventBroker]] = (None, None),
) -> Iterator[Tuple[FastSQLTrackerStore, SQLTrackerStore]]:
    """Ours and Rasa's, each on its own fresh database of `backend` (and with its own event broker)."""
    with database(backend, directory) as ours_config, database(backend, directory) as rasa_config:
        with stores(ours_config, domain, brokers[0]) as (ours, _), stores(rasa_config, domain, brokers[1]) as (_, rasa):
            yield ours, rasa


class CollectingBroker(EventBroker):
    """An event broker that keeps what the tracker store publishes."""

    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


def rows(store: SQLTrackerStore) -> List[Row]:
    """Every stored column but `id`, in `id` order."""
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(f"SELECT {COLUMNS} FROM events ORDER BY id"))]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


# --- conversations -------------------------------------------------------------------

T0 = 1_700_000_000.25  # a fixed start, so both stores see identical event data


def user(text: str, intent: str, at: float, entities: Optional[List[Dict[str, Any]]] = None) -> UserUttered:
    entities = entities or []
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.93},
        "intent_ranking": [{"name": intent, "confidence": 0.93}, {"name": "out_of_scope", "confidence": 0.07}],
        "entities": entities,
    }
    return UserUttered(
        text,
        intent={"name": intent, "confidence": 0.93},
        entities=entities,
        parse_data=parse_data,
        timestamp=at,
        input_channel="rest",
        message_id=f"m{at}",
        metadata={"channel": "rest"},
    )


def session_start(at: float, metadata: Optional[Dict[str, Any]] = None) -> List[Event]:
    """What Rasa's action_session_start writes; the action and the session share a timestamp."""
    return [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at, metadata=metadata or {}),
        ActionExecuted("action_listen", timestamp=at + 0.001),
    ]


def patient_turns(T0: float = T0) -> List[List[Event]]:
    """A patient's conversation as it is saved turn after turn: two sessions, equal timestamps."""
    return [
        session_start(T0, {"channel": "rest"}),
        [
            user("Hi, can I book a peel? café ñ 🙂", "book_appointment", T0 + 1),
            ActionExecuted("booking_form", policy="RulePolicy", confidence=1.0, timestamp=T0 + 1.1),
            ActiveLoop("booking_form", timestamp=T0 + 1.1),  # same timestamp as the action
            SlotSet("requested_slot", "booking_name", timestamp=T0 + 1.1),
            BotUttered(
                "What name should I book under?",
                {"buttons": []},
                {"utter_action": "utter_ask_booking_name"},
                timestamp=T0 + 1.1,
            ),
            ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0, timestamp=T0 + 1.2),
        ],
        [
            user("Ann O'Neil", "inform", T0 + 2, [{"entity": "name", "value": "Ann O'Neil", "start": 0, "end": 10}]),
            SlotSet("booking_name", "Ann O'Neil", timestamp=T0 + 2.1),
            SlotSet("booking_confirmed", True, timestamp=T0 + 2.1),
            SlotSet("form_misses", {"count": 1, "last": None}, timestamp=T0 + 2.1),
            ActiveLoop(None, timestamp=T0 + 2.2),
            SlotSet("requested_slot", None, timestamp=T0 + 2.2),
            FollowupAction("action_submit_booking", timestamp=T0 + 2.2),
            ActionExecuted("action_submit_booking", timestamp=T0 + 2.3),
            ActionExecuted("action_listen", timestamp=T0 + 2.4),
        ],
        # A later session: Rasa appends it to the tracker still holding the first one.
        [
            *session_start(T0 + 5000, {"channel": "rest", "returning": True}),
            SlotSet("booking_name", "Ann O'Neil", timestamp=T0 + 5000),  # carried over, at the session's start
        ],
        [
            user("/faq_pain", "faq_pain", T0 + 5001),
            ActionExecuted("utter_faq_pain", policy="MemoizationPolicy", confidence=1.0, timestamp=T0 + 5001),
            BotUttered("It stings for a minute or two.", timestamp=T0 + 5001),
            ActionExecuted("action_listen", timestamp=T0 + 5001),
        ],
        [
            user("thanks", "thank", T0 + 5002),
            AllSlotsReset(timestamp=T0 + 5002.5),
            ActionExecuted("action_listen", timestamp=T0 + 5003),
        ],
    ]


def sessionless_turns() -> List[List[Event]]:
    """A conversation that never had a session_started (Rasa's store returns all of it)."""
    return [
        [ActionExecuted("action_listen", timestamp=T0 + 10)],
        [
            user("hello", "greet", T0 + 11),
            ActionExecuted("utter_greet", timestamp=T0 + 11),
            BotUttered("Hello!", timestamp=T0 + 11),
            ActionExecuted("action_listen", timestamp=T0 + 11),
        ],
        [
            user("restart", "restart", T0 + 12),
            Restarted(timestamp=T0 + 12),
            ActionExecuted("action_listen", timestamp=T0 + 12.5),
        ],
    ]


def state(tracker: Optional[DialogueStateTracker]) -> Optional[Dict[str, Any]]:
    """Everything a tracker holds: its full state and its events, as dicts."""
    if tracker is None:
        return None
    return {
        "state": tracker.current_state(EventVerbosity.ALL),
        "events": [event.as_dict() for event in tracker.events],
        "slots": {name: slot.value for name, slot in tracker.slots.items()},
    }


async def converse(store: SQLTrackerStore, sender: str, turns: List[List[Event]]) -> List[Dict[str, Any]]:
    """Save `turns` as Rasa's processor does (retrieve, add the turn's events, save), recording each read."""
    seen = []
    for turn in turns:
        tracker = await store.retrieve(sender) or store.init_tracker(sender)
        for event in turn:
            tracker.update(event)
        await store.save(tracker)
        latest, full = await store.retrieve(sender), await store.retrieve_full_tracker(sender)
        seen.append({"latest": state(latest), "full": state(full)})
    return seen


async def converse_with_one_tracker(store: SQLTrackerStore, sender: str, turns: List[List[Event]]) -> None:
    """Save `turns` on one tracker object kept across saves (it grows past the session start)."""
    tracker = store.init_tracker(sender)
    for turn in turns:
        for event in turn:
            tracker.update(event)
        await store.save(tracker)


async def all_conversations(store: SQLTrackerStore) -> List[Dict[str, Any]]:
    """Three conversations whose turns interleave in the same table."""
    seen = []
    patient, other, later = patient_turns(), sessionless_turns(), patient_turns(T0 + 100_000)
    for index in range(max(len(patient), len(other), len(later))):
        seen += await converse(store, PATIENT, patient[index : index + 1])
        seen += await converse(store, OTHER, other[index : index + 1])
        seen += await converse(store, LATER, later[index : index + 1])
    return seen


# --- Rasa builds ours from the endpoints files ---------------------------------------


def test_rasa_builds_ours_from_an_endpoint_config_like_endpoints_yml(domain, tmp_path):
    config = EndpointConfig(type=OURS, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    store = TrackerStore.create(config, domain)
    try:
        assert isinstance(store, FastSQLTrackerStore)
        assert store.domain is domain
        assert Path(store.engine.url.database) == tmp_path / "tracker.db"
        assert sa.inspect(store.engine).has_table("events")
    finally:
        store.engine.dispose()


def test_rasa_builds_ours_from_the_real_endpoints_yml(domain, tmp_path, monkeypatch):
    monkeypatch.setenv("ACTION_PORT", "5055")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "action-secret-0123456789")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "var" / "tracker.db"))
    (tmp_path / "var").mkdir()
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "tracker_store")
    assert config is not None and config.type == OURS
    store = TrackerStore.create(config, domain)
    try:
        assert isinstance(store, FastSQLTrackerStore)
        assert Path(store.engine.url.database) == tmp_path / "var" / "tracker.db"
    finally:
        store.engine.dispose()


def test_rasa_builds_ours_on_postgresql_from_the_real_endpoints_prod_yml(domain, monkeypatch, tmp_path):
    with fresh_database("postgresql", tmp_path) as url:
        monkeypatch.setenv("ACTION_PORT", "5055")
        monkeypatch.setenv("ACTION_SERVER_TOKEN", "action-secret-0123456789")
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
        monkeypatch.setenv("TRACKER_STORE_URL", url)
        config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.prod.yml"), "tracker_store")
        assert config is not None and config.type == OURS and config.url == url
        store = TrackerStore.create(config, domain)
        try:
            assert isinstance(store, FastSQLTrackerStore)
            assert store.engine.dialect.name == "postgresql"
            run(store.save(_saved_tracker(store, "prod-form")))
            assert [row[0] for row in rows(store)] == ["prod-form"] * 3
            # The rows went to the test schema, not to the `test` database's public one.
            schema = url.rsplit("%3D", 1)[1]
            with store.engine.connect() as connection:
                assert connection.execute(sa.text("SELECT current_schema()")).scalar_one() == schema
        finally:
            store.engine.dispose()


def _saved_tracker(store: SQLTrackerStore, sender: str) -> DialogueStateTracker:
    tracker = store.init_tracker(sender)
    for event in session_start(T0):
        tracker.update(event)
    return tracker


# --- the same rows and trackers as Rasa's store --------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_turn_by_turn_conversations_store_and_read_what_rasa_does(backend, domain, tmp_path):
    with two_databases(backend, tmp_path, domain) as (ours, rasa):
        ours_seen = run(all_conversations(ours))
        rasa_seen = run(all_conversations(rasa))

        assert ours_seen == rasa_seen  # every read after every save
        assert rows(ours) == rows(rasa)
        assert len(rows(rasa)) == sum(len(turn) for turn in 2 * patient_turns() + sessionless_turns())
        for sender in (PATIENT, OTHER, LATER):
            assert state(run(ours.retrieve(sender))) == state(run(rasa.retrieve(sender)))
            assert state(run(ours.retrieve_full_tracker(sender))) == state(run(rasa.retrieve_full_tracker(sender)))
        assert sorted(run(ours.keys())) == sorted(run(rasa.keys())) == sorted([PATIENT, OTHER, LATER])


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_latest_session_starts_at_the_last_session_started(backend, domain, tmp_path):
    """Not a comparison only: the reads are what a session means, so equal wrong answers fail too."""
    with two_databases(backend, tmp_path, domain) as (ours, _):
        run(all_conversations(ours))
        latest = run(ours.retrieve(PATIENT))
        full = run(ours.retrieve_full_tracker(PATIENT))
        turns = patient_turns()
        second_session = [event.as_dict() for turn in turns[3:] for event in turn]
        # action_session_start shares the SessionStarted timestamp, so it is part of the session.
        assert [event.as_dict() for event in latest.events] == second_session
        assert [event.as_dict() for event in full.events] == [event.as_dict() for turn in turns for event in turn]
        assert latest.get_slot("booking_name") is None  # reset by AllSlotsReset in the latest session


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_growing_tracker_saved_again_and_again_stores_what_rasa_does(backend, domain, tmp_path):
    """A tracker holding both sessions is sliced by the count of the latest stored session, as Rasa does."""
    with two_databases(backend, tmp_path, domain) as (ours, rasa):
        run(converse_with_one_tracker(ours, PATIENT, patient_turns()))
        run(converse_with_one_tracker(rasa, PATIENT, patient_turns()))
        assert rows(ours) == rows(rasa)
        assert state(run(ours.retrieve(PATIENT))) == state(run(rasa.retrieve(PATIENT)))
        assert state(run(ours.retrieve_full_tracker(PATIENT))) == state(run(rasa.retrieve_full_tracker(PATIENT)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_saving_a_full_tracker_after_a_new_session_stores_what_rasa_does(backend, domain, tmp_path):
    """An unusual caller (the full tracker saved back) gets Rasa's rows, whatever they are."""

    async def scenario(store: SQLTrackerStore) -> None:
        await converse(store, PATIENT, patient_turns())
        tracker = await store.retrieve_full_tracker(PATIENT)
        tracker.update(user("one more thing", "ask_price", T0 + 6000))
        await store.save(tracker)

    with two_databases(backend, tmp_path, domain) as (ours, rasa):
        run(scenario(ours))
        run(scenario(rasa))
        assert rows(ours) == rows(rasa)
        assert state(run(ours.retrieve(PATIENT))) == state(run(rasa.retrieve(PATIENT)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_conversation_without_session_started_returns_all_its_events(backend, domain, tmp_path):
    with two_databases(backend, tmp_path, domain) as (ours, rasa):
        for store in (ours, rasa):
            run(converse(store, OTHER, sessionless_turns()))
        expected = [event.as_dict() for turn in sessionless_turns() for event in turn]
        assert [event.as_dict() for event in run(ours.retrieve(OTHER)).events] == expected
        assert state(run(ours.retrieve(OTHER))) == state(run(rasa.retrieve(OTHER)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_session_started_row_without_a_timestamp_reads_as_rasa_reads_it(backend, domain, tmp_path):
    """Rasa never writes one, but a hand-edited or imported row must not hide a conversation."""
    with database(backend, tmp_path) as config, stores(config, domain) as (ours, rasa):
        run(converse(ours, OTHER, sessionless_turns()))
        with ours.engine.begin() as connection:
            connection.execute(
                sa.text(f"INSERT INTO events ({COLUMNS}) VALUES (:sender, 'session_started', NULL, NULL, NULL, :data)"),
                {"sender": OTHER, "data": '{"event": "session_started"}'},
            )
        # The row's event gets the time it is read at, so compare what was read, not when.
        read = [[event.type_name for event in run(store.retrieve(OTHER)).events] for store in (ours, rasa)]
        assert read[0] == read[1] and len(read[0]) > 1 and read[0][-1] == "session_started"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unknown_sender_has_no_tracker(backend, domain, tmp_path):
    with two_databases(backend, tmp_path, domain) as (ours, rasa):
        run(converse(ours, PATIENT, patient_turns()[:2]))
        assert run(ours.retrieve("nobody")) is None
        assert run(ours.retrieve_full_tracker("nobody")) is None
        assert run(rasa.retrieve("nobody")) is None
        # A sender whose ID is a prefix of a stored one is unknown too.
        assert run(ours.retrieve(PATIENT[:-1])) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_saving_the_same_tracker_twice_adds_nothing(backend, domain, tmp_path):
    with two_databases(backend, tmp_path, domain) as (ours, rasa):
        for store in (ours, rasa):
            run(converse(store, PATIENT, patient_turns()))
        before = rows(ours)
        tracker = run(ours.retrieve(PATIENT))
        run(ours.save(tracker))
        run(ours.save(tracker))
        assert rows(ours) == before
        run(rasa.save(run(rasa.retrieve(PATIENT))))
        assert rows(ours) == rows(rasa)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_event_broker_gets_the_events_rasa_would_publish(backend, domain, tmp_path):
    """Saving streams each new event once (Rasa diffs against `retrieve`, which is ours)."""
    ours_broker, rasa_broker = CollectingBroker(), CollectingBroker()
    with two_databases(backend, tmp_path, domain, (ours_broker, rasa_broker)) as (ours, rasa):
        run(all_conversations(ours))
        run(all_conversations(rasa))
        assert ours_broker.published == rasa_broker.published
        assert len(rasa_broker.published) == len(rows(rasa))


# --- the same database, read and written by both -------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_rows_written_by_one_store_are_read_identically_by_the_other(backend, domain, tmp_path):
    with database(backend, tmp_path) as config, stores(config, domain) as (ours, rasa):
        run(converse(ours, PATIENT, patient_turns()))
        run(converse(rasa, OTHER, sessionless_turns()))
        for sender in (PATIENT, OTHER):
            assert state(run(rasa.retrieve(sender))) == state(run(ours.retrieve(sender)))
            assert state(run(rasa.retrieve_full_tracker(sender))) == state(run(ours.retrieve_full_tracker(sender)))
        assert run(ours.retrieve(PATIENT)) is not None and run(ours.retrieve(OTHER)) is not None


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_stores_can_take_turns_on_one_conversation(backend, domain, tmp_path):
    """A switch between the stores mid-conversation (a rollback, a mixed deploy) stores Rasa's rows."""
    with database(backend, tmp_path) as shared_config, database(backend, tmp_path) as rasa_config:
        with stores(shared_config, domain) as (ours, rasa_shared), stores(rasa_config, domain) as (_, rasa_alone):
            turns = patient_turns()
            for index, turn in enumerate(turns):
                run(converse(ours if index % 2 else rasa_shared, PATIENT, [turn]))
            run(converse(rasa_alone, PATIENT, turns))
            assert rows(ours) == rows(rasa_alone)
            assert state(run(ours.retrieve(PATIENT))) == state(run(rasa_alone.retrieve(PATIENT)))


# --- engines -------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["db", "url"])
def test_a_sqlite_file_gets_a_pool_of_connections(domain, tmp_path, form: str):
    path = tmp_path / "tracker.db"
    config = (
        EndpointConfig(type=OURS, dialect="sqlite", db=str(path))
        if form == "db"
        else EndpointConfig(type=OURS, url=f"sqlite:///{path}")
    )
    with stores(config, domain) as (ours, rasa):
        assert isinstance(ours.engine.pool, QueuePool)
        assert not isinstance(rasa.engine.pool, QueuePool)  # what ours is for: Rasa's NullPool
        assert Path(ours.engine.url.database) == path
        assert ours.sessionmaker.kw["bind"] is ours.engine  # Rasa's own reads use the pool too
        run(converse(ours, PATIENT, patient_turns()[:2]))
        assert ours.engine.pool.checkedin() >= 1  # the connection went back to the pool, still open
        assert state(run(ours.retrieve_full_tracker(PATIENT))) == state(run(rasa.retrieve_full_tracker(PATIENT)))


def test_pooled_sqlite_connections_work_from_another_thread(domain, tmp_path):
    """Rasa may run the store from a worker thread (e.g. `rasa export`); the pool hands connections across."""
    with database("sqlite", tmp_path) as config, stores(config, domain) as (ours, _):
        run(converse(ours, PATIENT, patient_turns()[:2]))  # a connection is now pooled by this thread
        results: List[Any] = []

        thread = threading.Thread(target=lambda: results.append(state(run(ours.retrieve(PATIENT)))))
        thread.start()
        thread.join(timeout=30)
        assert results and results[0] == state(run(ours.retrieve(PATIENT)))


@pytest.mark.parametrize(
    "make",
    [
        lambda domain: FastSQLTrackerStore(domain, dialect="sqlite", db=":memory:"),
        lambda domain: FastSQLTrackerStore(domain, host="sqlite://"),
    ],
    ids=["db-memory", "url-memory"],
)
def test_an_in_memory_sqlite_keeps_rasas_engine(domain, make: Callable[[Domain], FastSQLTrackerStore]):
    store = make(domain)
    try:
        assert isinstance(store.engine.pool, SingletonThreadPool)  # Rasa's: one shared in-memory database
        run(converse(store, PATIENT, patient_turns()))
        assert [event.as_dict() for event in run(store.retrieve_full_tracker(PATIENT)).events] == [
            event.as_dict() for turn in patient_turns() for event in turn
        ]
    finally:
        store.engine.dispose()
