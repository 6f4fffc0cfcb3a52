"""Submitting stores first, notifies only new handoffs, and never lets a notifier undo a record."""

import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import List

import pytest

from bot.db.engine import dispose_engines, make_engine, session_factory
from bot.db.migrate import upgrade
from bot.handoffs import HandoffStoreUnavailable, service
from bot.handoffs.notify import LogNotifier, SmtpNotifier
from bot.handoffs.request import HandoffRequest
from bot.handoffs.service import HandoffService
from bot.handoffs.store import HandoffStore
from bot.handoffs.view import HandoffView
from tests.ports import free_port

REQUEST = HandoffRequest(kind="question", sender_id="patient-1", channel="rest", question="can a nurse call me?")


class Recorder:
    def __init__(self) -> None:
        self.seen: List[HandoffView] = []

    def notify(self, handoff: HandoffView) -> None:
        self.seen.append(handoff)


class Broken:
    def notify(self, handoff: HandoffView) -> None:
        raise RuntimeError("notifier bug")


def test_a_new_handoff_is_stored_then_notified_once(store):
    recorder = Recorder()
    submitted = HandoffService(store, recorder)
    first = submitted.submit(REQUEST)
    again = submitted.submit(REQUEST)
    assert (first.created, again.created) == (True, False)
    assert again.handoff == first.handoff
    assert recorder.seen == [first.handoff]


def test_a_failing_notifier_is_logged_and_the_handoff_kept(store, caplog):
    with caplog.at_level(logging.ERROR, logger="bot.handoffs.service"):
        result = HandoffService(store, Broken()).submit(REQUEST)
    assert result.created
    assert store.get(result.handoff.id) == result.handoff
    assert f"handoff {result.handoff.id} is stored but staff could not be notified" in caplog.text


def test_an_unreachable_smtp_server_is_logged_not_raised(store, caplog):
    smtp = SmtpNotifier(
        "127.0.0.1", free_port(), "bot@clinic.example", ["staff@clinic.example"], starttls=False, timeout=5
    )
    with caplog.at_level(logging.ERROR):
        result = HandoffService(store, smtp).submit(REQUEST)
    assert result.created and store.get(result.handoff.id) is not None
    assert "could not be notified" in caplog.text


def test_database_down_raises_and_notifies_nobody():
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    recorder = Recorder()
    try:
        with pytest.raises(HandoffStoreUnavailable):
            HandoffService(HandoffStore(session_factory(engine)), recorder).submit(REQUEST)
    finally:
        engine.dispose()
    assert recorder.seen == []


@pytest.fixture
def fresh_service(monkeypatch, tmp_path):
    """get_handoff_service() as a new process would build it, from patched settings."""
    url = f"sqlite:///{tmp_path / 'handoffs.db'}"
    settings = SimpleNamespace(database_url=url, smtp_host="", clinic=SimpleNamespace(country="US"))
    monkeypatch.setattr(service, "get_settings", lambda: settings)
    monkeypatch.setattr(service, "_service", None)
    yield url
    dispose_engines()


def test_the_default_service_is_built_lazily_once_from_settings(fresh_service):
    upgrade(fresh_service)
    default = service.get_handoff_service()
    assert service.get_handoff_service() is default
    assert isinstance(default._notifier, LogNotifier)
    assert default.submit(REQUEST).created


def test_the_default_service_says_to_migrate_when_the_table_is_missing(fresh_service):
    with pytest.raises(HandoffStoreUnavailable, match="python -m bot.db.migrate"):
        service.get_handoff_service().submit(REQUEST)


def test_a_red_flag_is_notified_once_per_group_and_hour(timed_store, clock):
    recorder = Recorder()
    submitted = HandoffService(timed_store, recorder)
    red_flag = HandoffRequest(
        kind="red_flag", sender_id="p", channel="rest", question="fever of 102", red_flags=["fever"]
    )
    first = submitted.submit(red_flag)
    clock.advance(timedelta(minutes=30))
    again = submitted.submit(red_flag)
    clock.advance(timedelta(minutes=31))
    later = submitted.submit(red_flag)
    assert (first.created, again.created, later.created) == (True, False, True)
    assert recorder.seen == [first.handoff, later.handoff]


# --- the contact is read again before it is stored ---------------------------------------


@pytest.mark.parametrize(
    "contact, kind",
    [
        ("call me maybe", "phone"),
        ("+1555010010", "phone"),  # one digit short
        ("646-555-0123", "phone"),  # a number, but not as the form stores it (E.164)
        ("646-555-0123 or ana@example.com", "email"),
        ("ana@example", "email"),
        ('=HYPERLINK("http://evil.example")', "email"),
    ],
)
def test_an_invalid_contact_is_not_stored_but_the_handoff_is(store, contact, kind, caplog):
    recorder = Recorder()
    forged = HandoffRequest(
        kind="red_flag",
        sender_id="p",
        channel="rest",
        question="my lips are swelling",
        red_flags=["swelling"],
        contact=contact,
        contact_kind=kind,
    )
    with caplog.at_level(logging.WARNING, logger="bot.handoffs.service"):
        result = HandoffService(store, recorder).submit(forged)
    stored = store.get(result.handoff.id)
    assert result.created and (stored.contact, stored.contact_kind) == (None, None)
    assert recorder.seen[0].contact is None  # staff are not told it either
    assert "stored without its contact" in caplog.text and contact not in caplog.text


@pytest.mark.parametrize(
    "contact, kind", [("+16465550123", "phone"), ("ana@example.com", "email"), ("+16465550123", "email")]
)
def test_a_valid_contact_is_stored_with_the_kind_the_reader_gives(store, contact, kind):
    request = HandoffRequest(
        kind="booking", sender_id="p", channel="rest", name="Ana Lima", contact=contact, contact_kind=kind
    )
    stored = store.get(HandoffService(store, Recorder()).submit(request).handoff.id)
    assert (stored.contact, stored.contact_kind) == (contact, "phone" if contact.startswith("+") else "email")


def test_a_clinic_abroad_keeps_its_patients_numbers(store):
    """A canonical (E.164) number reads the same in every region: the one the forms store."""
    uk = HandoffRequest(kind="question", sender_id="p", channel="twilio", contact="+442079460958", contact_kind="phone")
    stored = store.get(HandoffService(store, Recorder(), region="GB").submit(uk).handoff.id)
    assert stored.contact == "+442079460958"
