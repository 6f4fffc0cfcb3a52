"""Purge deletes what is older than the retention cutoff, keeps the rest, and never the audit log."""

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator, List, NamedTuple

import pytest
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import (
    AuditEntry,
    Handoff,
    HandoffNote,
    LoginAttempt,
    SmsContact,
    SmsMessage,
    StaffSession,
    StaffUser,
)
from bot.db.session import DatabaseUnavailable
from bot.db.tracker_events import events
from bot.staff.retention import PurgeReport, purge
from bot.transcripts.transcript import TranscriptReader
from tests.ports import free_port
from tests.tracker_data import T0, RasaTrackers, answered, at, rasa_trackers, said

CUTOFF = T0  # everything before T0 is past retention
NOW = CUTOFF + timedelta(days=365)


class Databases(NamedTuple):
    app: Engine
    tracker: Engine
    rasa: RasaTrackers


@pytest.fixture(params=["one database", "two databases"])
def databases(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Databases]:  # noqa: F811
    """The app's migrated database, and Rasa's tracker store in it or in a SQLite file of its own."""
    upgrade(database_url)
    tracker_url = database_url if request.param == "one database" else f"sqlite:///{tmp_path / 'rasa' / 'tracker.db'}"
    app, tracker = make_engine(database_url), make_engine(tracker_url)
    with rasa_trackers(tracker_url) as rasa:
        yield Databases(app, tracker, rasa)
    app.dispose()
    tracker.dispose()


def _seed_app(engine: Engine) -> None:
    """One row of each kind before the cutoff and one after (a note and an audit entry on each handoff)."""
    with session_factory(engine)() as session:
        old = Handoff(kind="question", sender_id="old-patient", channel="rest", question="old?", created_at=at(-60))
        new = Handoff(kind="booking", sender_id="returning", channel="twilio", name="Sam", created_at=at(1))
        user = StaffUser(email="staff@clinic.example", password_hash="not-a-real-hash")
        session.add_all([old, new, user])
        session.flush()
        session.add_all(
            [
                HandoffNote(handoff_id=old.id, author=user.email, text="called back", created_at=at(-50)),
                HandoffNote(handoff_id=old.id, author=user.email, text="no answer", created_at=at(5)),
                HandoffNote(handoff_id=new.id, author=user.email, text="booked", created_at=at(6)),
                SmsMessage(message_sid="SM-old", phone="+15550100", received_at=at(-1)),
                SmsMessage(message_sid="SM-at-cutoff", phone="+15550100", received_at=at(0)),
                SmsContact(phone="+15550101", last_message_at=at(-10)),  # quiet since: forgotten
                SmsContact(phone="+15550102", last_message_at=at(2)),  # texted since: kept
                SmsContact(phone="+15550103", opted_out=True, opt_changed_at=at(-90), last_message_at=at(-90)),
                LoginAttempt(email=user.email, client="10.0.0.1", succeeded=False, at=at(-5)),
                LoginAttempt(email=user.email, client="10.0.0.1", succeeded=True, at=at(5)),
                StaffSession(
                    token_hash="a" * 64,
                    user_id=user.id,
                    csrf_token="c",
                    created_at=NOW - timedelta(hours=2),
                    last_seen_at=NOW - timedelta(minutes=31),
                ),
                StaffSession(
                    token_hash="b" * 64,
                    user_id=user.id,
                    csrf_token="c",
                    created_at=NOW - timedelta(hours=2),
                    last_seen_at=NOW - timedelta(minutes=5),
                ),
                AuditEntry(at=at(-40), actor=user.email, action="view", handoff_id=old.id),
                AuditEntry(at=at(7), actor=user.email, action="status", handoff_id=new.id, detail="new -> contacted"),
            ]
        )
        session.commit()


def _seed_tracker(rasa: RasaTrackers) -> None:
    rasa.save("old-patient", [said("hello", "greet", minute=-60), answered("Hi! How can I help?", minute=-60)])
    rasa.save(
        "returning",
        [
            said("does it hurt?", "faq_pain", minute=-30),
            answered("Most people feel mild discomfort.", minute=-30),
            said("can I book?", "request_booking", minute=10),
            answered("Of course.", minute=10),
        ],
    )


def _rows(engine: Engine, *columns) -> List[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(*columns).order_by(*columns))]


def _audit(engine: Engine) -> List[tuple]:
    return _rows(engine, *AuditEntry.__table__.columns)


def test_purge_deletes_what_is_older_than_the_cutoff_and_keeps_the_rest(databases):
    _seed_app(databases.app)
    _seed_tracker(databases.rasa)
    audit_before = _audit(databases.app)

    report = purge(databases.app, databases.tracker, CUTOFF, clock=lambda: NOW)

    assert report == PurgeReport(
        cutoff=CUTOFF,
        handoffs=1,
        tracker_events=4,
        sms_messages=1,
        sms_contacts=1,
        staff_sessions=1,
        login_attempts=1,
    )
    assert _rows(databases.app, Handoff.sender_id) == [("returning",)]
    assert _rows(databases.app, HandoffNote.text) == [("booked",)]  # both notes of the old handoff went with it
    assert _rows(databases.app, SmsMessage.message_sid) == [("SM-at-cutoff",)]
    assert _rows(databases.app, SmsContact.phone) == [("+15550102",), ("+15550103",)]  # an opt-out is kept
    assert _rows(databases.app, LoginAttempt.succeeded) == [(True,)]
    assert _rows(databases.app, StaffSession.token_hash) == [("b" * 64,)]
    assert _audit(databases.app) == audit_before
    assert len(audit_before) == 2
    assert all(timestamp >= CUTOFF.timestamp() for (timestamp,) in _rows(databases.tracker, events.c.timestamp))


def test_the_conversations_left_still_read_for_staff_and_for_rasa(databases):
    _seed_tracker(databases.rasa)
    purge(databases.app, databases.tracker, CUTOFF, clock=lambda: NOW)
    reader = TranscriptReader(databases.tracker)
    assert reader.transcript("old-patient").turns == ()
    assert [turn.text for turn in reader.transcript("returning").turns] == ["can I book?", "Of course."]
    tracker = asyncio.run(databases.rasa.store.retrieve_full_tracker("returning"))
    assert [event.text for event in tracker.events] == ["can I book?", "Of course."]


def test_slots_a_session_start_carried_over_are_purged_whatever_their_age(databases):
    """Before carry-over was turned off, each new session restated the last one's slots under
    a fresh timestamp: a name given long ago would never reach the cutoff."""
    moment = lambda minute: at(minute).timestamp()  # noqa: E731
    databases.rasa.save(
        "sms:+16465550123",
        [
            said("I'm Priya Shah", "inform", minute=-600),
            SlotSet("booking_name", "Priya Shah", timestamp=moment(-600)),
            ActionExecuted("action_session_start", timestamp=moment(30)),
            SessionStarted(timestamp=moment(30)),
            SlotSet("booking_name", "Priya Shah", timestamp=moment(30)),  # carried over
            SlotSet("booking_contact", "+16465550123", timestamp=moment(30)),  # carried over
            ActionExecuted("action_listen", timestamp=moment(30)),
            said("Saturdays", "inform", minute=31),
            SlotSet("booking_time", "Saturdays", timestamp=moment(31)),  # said in this session: kept
        ],
    )
    report = purge(databases.app, databases.tracker, CUTOFF, clock=lambda: NOW)
    assert report.tracker_events == 4  # the old message and slot, the two copies
    left = _rows(databases.tracker, events.c.id, events.c.type_name, events.c.action_name)
    assert [(kind, name) for _, kind, name in left] == [
        ("action", "action_session_start"), ("session_started", None), ("action", "action_listen"),
        ("user", None), ("slot", "booking_time"),
    ]  # fmt: skip
    assert purge(databases.app, databases.tracker, CUTOFF, clock=lambda: NOW).tracker_events == 0


def test_a_second_purge_finds_nothing(databases):
    _seed_app(databases.app)
    _seed_tracker(databases.rasa)
    purge(databases.app, databases.tracker, CUTOFF, clock=lambda: NOW)
    assert purge(databases.app, databases.tracker, CUTOFF, clock=lambda: NOW) == PurgeReport(CUTOFF, 0, 0, 0, 0, 0, 0)


def test_a_naive_cutoff_is_refused_before_anything_is_deleted(databases):
    _seed_app(databases.app)
    with pytest.raises(ValueError, match="naive"):
        purge(databases.app, databases.tracker, datetime(2026, 3, 2, 9, 0), clock=lambda: NOW)
    assert len(_rows(databases.app, Handoff.id)) == 2


def test_a_tracker_store_rasa_never_wrote_to_is_not_an_error(database_url, tmp_path):  # noqa: F811
    upgrade(database_url)
    app, tracker = make_engine(database_url), make_engine(f"sqlite:///{tmp_path / 'empty' / 'tracker.db'}")
    try:
        _seed_app(app)
        report = purge(app, tracker, CUTOFF, clock=lambda: NOW)
    finally:
        app.dispose()
        tracker.dispose()
    assert (report.tracker_events, report.handoffs) == (0, 1)


def test_notes_go_even_where_sqlite_does_not_enforce_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    plain = create_engine(url, future=True)  # no PRAGMA foreign_keys: ON DELETE CASCADE does nothing
    try:
        _seed_app(plain)
        purge(plain, plain, CUTOFF, clock=lambda: NOW)
        with plain.connect() as connection:
            orphans = connection.execute(
                select(func.count()).select_from(HandoffNote).where(HandoffNote.handoff_id.not_in(select(Handoff.id)))
            ).scalar_one()
    finally:
        plain.dispose()
    assert orphans == 0


def test_an_outage_is_database_unavailable(tmp_path):
    down = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    try:
        with pytest.raises(DatabaseUnavailable):
            purge(down, down, CUTOFF, clock=lambda: NOW)
    finally:
        down.dispose()
