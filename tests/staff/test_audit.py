"""The audit log keeps every entry in order, and the database refuses to change or delete one."""

from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.session import DatabaseUnavailable
from bot.staff.audit import AuditEntryView, AuditLog
from tests.clock import Clock
from tests.ports import free_port

START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:  # noqa: F811
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(start=START)


@pytest.fixture
def audit(engine: Engine, clock: Clock) -> AuditLog:
    return AuditLog(session_factory(engine), clock=clock)


def test_entries_are_newest_first_with_who_what_and_when(audit, clock):
    audit.record("ana@clinic.example", "view_transcript", handoff_id=7)
    clock.now += timedelta(minutes=1)
    audit.record("api", "status_change", handoff_id=7, detail="new -> contacted")
    clock.now += timedelta(minutes=1)
    audit.record("anonymous", "login_failed", detail="who@example.com")
    assert audit.entries() == [
        AuditEntryView(START + timedelta(minutes=2), "anonymous", "login_failed", None, "who@example.com"),
        AuditEntryView(START + timedelta(minutes=1), "api", "status_change", 7, "new -> contacted"),
        AuditEntryView(START, "ana@clinic.example", "view_transcript", 7, None),
    ]
    assert [entry.action for entry in audit.entries(handoff_id=7)] == ["status_change", "view_transcript"]
    assert [entry.action for entry in audit.entries(limit=1)] == ["login_failed"]
    assert audit.entries(handoff_id=8) == []


def test_an_over_long_actor_is_cut_to_fit_rather_than_lost(audit):
    audit.record("x" * 1000 + "@example.com", "login_failed")
    assert audit.entries()[0].actor == "x" * 254


@pytest.mark.parametrize("action", ["", "a" * 33])
def test_a_missing_or_over_long_action_is_a_bug(audit, action):
    with pytest.raises(ValueError, match="action"):
        audit.record("api", action)
    assert audit.entries() == []


@pytest.mark.parametrize("limit", [0, 1001])
def test_entries_refuse_a_limit_out_of_range(audit, limit):
    with pytest.raises(ValueError, match="limit"):
        audit.entries(limit=limit)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"], ids=["update", "delete"]
)
def test_the_database_refuses_to_change_or_delete_entries(audit, engine, statement):
    audit.record("ana@clinic.example", "add_note", handoff_id=1)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(text(statement))
    assert [entry.actor for entry in audit.entries()] == ["ana@clinic.example"]


def test_an_unreachable_database_is_unavailable():
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    try:
        with pytest.raises(DatabaseUnavailable, match="audit log"):
            AuditLog(session_factory(engine)).record("api", "view_transcript")
    finally:
        engine.dispose()
