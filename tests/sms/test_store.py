"""The SMS store remembers opt-outs, menus and handled messages on both backends, and fails in one way."""

import contextlib
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import SmsContact
from bot.sms.store import Claim, ContactState, SmsStore, SmsStoreUnavailable
from tests.clock import Clock
from tests.db.databases import BACKENDS, fresh_database
from tests.ports import free_port

PHONE = "+15550100100"
IDLE = timedelta(hours=12)
START = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


class RacingClock(Clock):
    """A clock the test moves by hand; `on_read` runs once, at the next reading, to stage a race."""

    def __init__(self) -> None:
        super().__init__(start=START)
        self.on_read: Optional[Callable[[], None]] = None

    def __call__(self) -> datetime:
        hook, self.on_read = self.on_read, None
        if hook is not None:
            hook()
        return self.now


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker]:
    """Sessions on a fresh, migrated database of each backend."""
    with fresh_database(request.param, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            yield session_factory(engine)
        finally:
            engine.dispose()


@pytest.fixture
def clock() -> RacingClock:
    return RacingClock()


@pytest.fixture
def store(sessions: sessionmaker, clock: RacingClock) -> SmsStore:
    return SmsStore(sessions, clock=clock)


def _contact_rows(sessions: sessionmaker) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(SmsContact)).scalar_one()


def _insert_contact(sessions: sessionmaker, phone: str) -> Callable[[], None]:
    """Another instance creating the number's row between our read and our insert."""

    def insert() -> None:
        with sessions() as session:
            session.add(SmsContact(phone=phone, opted_out=False))
            session.commit()

    return insert


def test_the_first_claim_is_new_and_a_retry_is_not(store):
    assert store.claim("SM1", PHONE) == Claim(new=True)
    assert store.claim("SM1", PHONE) == Claim(new=False, reply=None)  # still being processed
    assert store.claim("SM2", PHONE) == Claim(new=True)


def test_a_retry_after_finishing_gets_the_stored_reply(store):
    store.claim("SM1", PHONE)
    store.finish("SM1", PHONE, ["Hello \u00e9 <b>", "Reply 1: Book"], menu=["/book"])
    assert store.claim("SM1", PHONE) == Claim(new=False, reply=["Hello \u00e9 <b>", "Reply 1: Book"])


def test_a_sid_claimed_for_another_number_is_no_retry_of_its_reply(store):
    store.claim("SM1", PHONE)
    store.finish("SM1", PHONE, ["Here's your request: Priya Shah, (646) 555-0123"])
    assert store.claim("SM1", "+15550100999") == Claim(new=False, reply=None)  # not processed, and nothing of theirs


def test_a_reply_of_nothing_is_not_mistaken_for_unfinished(store):
    store.claim("SM1", PHONE)
    store.finish("SM1", PHONE, [])
    assert store.claim("SM1", PHONE) == Claim(new=False, reply=[])


def test_an_unknown_number_has_the_defaults(store):
    assert store.state(PHONE) == ContactState()
    assert store.state(PHONE) == ContactState(opted_out=False, last_message_at=None, menu=[])


def test_finish_remembers_the_menu_and_the_time(store, clock):
    store.claim("SM1", PHONE)
    store.finish("SM1", PHONE, ["body"], menu=["/book", "/price"])
    state = store.state(PHONE)
    assert state.menu == ["/book", "/price"]
    assert state.last_message_at == clock.now
    assert state.last_message_at.utcoffset() == timedelta(0)
    assert store.state("+15550100199") == ContactState()  # another number is untouched


def test_finish_without_a_menu_leaves_menu_and_clock_alone(store, clock):
    store.finish("SM1", PHONE, ["first"], menu=["/book"])
    first_time = clock.now
    clock.advance(timedelta(minutes=5))
    store.claim("SM2", PHONE)
    store.finish("SM2", PHONE, ["help text"], menu=None)
    assert store.state(PHONE) == ContactState(last_message_at=first_time, menu=["/book"])
    assert store.claim("SM2", PHONE).reply == ["help text"]


def test_an_empty_menu_clears_the_last_one(store):
    store.finish("SM1", PHONE, ["a"], menu=["/book"])
    store.finish("SM2", PHONE, ["b"], menu=[])
    assert store.state(PHONE).menu == []


def test_stop_changes_once_and_start_clears_it(store):
    assert store.set_opted_out(PHONE, True) is True
    assert store.set_opted_out(PHONE, True) is False
    assert store.state(PHONE).opted_out is True
    assert store.set_opted_out(PHONE, False) is True
    assert store.set_opted_out(PHONE, False) is False
    assert store.state(PHONE).opted_out is False


def test_start_from_an_unknown_number_changes_nothing(store):
    assert store.set_opted_out(PHONE, False) is False
    assert store.state(PHONE).opted_out is False


def test_opting_out_keeps_the_menu_and_clock(store, clock):
    store.finish("SM1", PHONE, ["a"], menu=["/book"])
    store.set_opted_out(PHONE, True)
    assert store.state(PHONE) == ContactState(opted_out=True, last_message_at=clock.now, menu=["/book"])


def test_a_conversation_starts_with_the_first_message_and_after_the_idle_window(store, clock):
    assert store.state(PHONE).starts_conversation(store.now(), IDLE)
    store.finish("SM1", PHONE, ["hi"], menu=[])
    clock.advance(IDLE - timedelta(seconds=1))
    assert not store.state(PHONE).starts_conversation(store.now(), IDLE)
    clock.advance(timedelta(seconds=1))
    assert store.state(PHONE).starts_conversation(store.now(), IDLE)


def test_each_turn_restarts_the_idle_window(store, clock):
    store.finish("SM1", PHONE, ["hi"], menu=[])
    clock.advance(IDLE - timedelta(minutes=1))
    store.finish("SM2", PHONE, ["again"], menu=[])
    clock.advance(timedelta(minutes=2))
    assert not store.state(PHONE).starts_conversation(store.now(), IDLE)


@pytest.mark.parametrize(
    "act, expected",
    [
        (lambda store: store.set_opted_out(PHONE, True), ContactState(opted_out=True)),
        (
            lambda store: store.finish("SM1", PHONE, ["a"], menu=["/book"]),
            ContactState(last_message_at=START, menu=["/book"]),
        ),
    ],
    ids=["set_opted_out", "finish"],
)
def test_losing_the_race_to_create_the_row_applies_the_change_to_the_winner(sessions, store, clock, act, expected):
    clock.on_read = _insert_contact(sessions, PHONE)  # fires after our read found no row
    act(store)
    assert clock.on_read is None  # the competing insert really happened
    assert store.state(PHONE) == expected
    assert _contact_rows(sessions) == 1


def test_threads_racing_on_a_new_number_make_one_row(sessions, store):
    workers = 8
    barrier = threading.Barrier(workers)
    errors: List[BaseException] = []

    def work(index: int) -> None:
        barrier.wait()
        try:
            if index % 2:
                store.set_opted_out(PHONE, True)
            else:
                store.finish(f"SM{index}", PHONE, ["reply"], menu=["/book"])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _contact_rows(sessions) == 1
    state = store.state(PHONE)
    assert (state.opted_out, state.menu) == (True, ["/book"])


@contextlib.contextmanager
def _store_at(url: str) -> Iterator[SmsStore]:
    """A store on `url` with the default clock, its engine disposed afterwards."""
    engine = make_engine(url)
    try:
        yield SmsStore(session_factory(engine))
    finally:
        engine.dispose()


_CALLS = {
    "claim": lambda store: store.claim("SM1", PHONE),
    "state": lambda store: store.state(PHONE),
    "set_opted_out": lambda store: store.set_opted_out(PHONE, True),
    "finish": lambda store: store.finish("SM1", PHONE, ["a"], menu=["/book"]),
}


@pytest.mark.parametrize("call", sorted(_CALLS))
def test_an_unopenable_sqlite_file_is_unavailable(tmp_path, call):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with _store_at(f"sqlite:///{blocker / 'sms.db'}") as store:
        with pytest.raises(SmsStoreUnavailable, match="the SMS database is unavailable"):
            _CALLS[call](store)


def test_an_unreachable_postgresql_is_unavailable():
    with _store_at(f"postgresql://postgres@127.0.0.1:{free_port()}/test") as store:
        with pytest.raises(SmsStoreUnavailable, match="unavailable"):
            store.state(PHONE)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call", sorted(_CALLS))
def test_a_database_without_the_tables_says_to_migrate(tmp_path, backend, call):
    with fresh_database(backend, tmp_path) as url, _store_at(url) as store:
        with pytest.raises(SmsStoreUnavailable, match=r"missing its schema: run `python -m bot\.db\.migrate`"):
            _CALLS[call](store)
