"""Migrations create the handoffs table, match the models, and leave Rasa's tables alone."""

import os
import sqlite3
import subprocess
import sys
from types import SimpleNamespace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.db import migrate
from bot.db.engine import make_engine
from bot.db.models import metadata
from bot.settings import PROJECT_ROOT


def _tables(url):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_there_is_one_line_of_revisions():
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1


def test_upgrade_creates_the_table_and_is_idempotent(database_url):
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)
    assert {"handoffs", "alembic_version"} <= _tables(database_url)


def test_the_migrated_schema_matches_the_models(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": migrate.include_name, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "column, value",
    [
        ("kind", "call"),
        ("kind", "red_flags"),
        ("status", "done"),
        ("contact_kind", "fax"),
        ("screening_outcome", "maybe"),
    ],
)
def test_the_database_itself_refuses_unknown_values(database_url, column, value):
    migrate.upgrade(database_url)
    row = {
        "kind": "booking",
        "status": "new",
        "sender_id": "p",
        "channel": "rest",
        "created_at": "2026-01-01 00:00:00+00:00",
        "updated_at": "2026-01-01 00:00:00+00:00",
        column: value,
    }
    engine = make_engine(database_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(f"INSERT INTO handoffs ({', '.join(row)}) VALUES ({', '.join(':' + name for name in row)})"), row
            )
    finally:
        engine.dispose()


def test_downgrade_removes_only_the_handoffs_table(database_url):
    migrate.upgrade(database_url)
    migrate.downgrade(database_url, "base")
    assert "handoffs" not in _tables(database_url)
    migrate.upgrade(database_url)
    assert "handoffs" in _tables(database_url)


def test_rasa_tracker_tables_in_the_same_sqlite_file_are_untouched(tmp_path):
    path = tmp_path / "tracker.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
        connection.execute("INSERT INTO events (sender_id, data) VALUES ('patient', '{}')")
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT sender_id FROM events").fetchall() == [("patient",)]


def test_the_command_line_migrates_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'var' / 'handoffs.db'}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.db.migrate"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    assert "handoffs" in _tables(url)


def test_the_command_line_never_prints_a_password(monkeypatch, capsys):
    monkeypatch.setattr(migrate, "upgrade", lambda url: None)
    monkeypatch.setattr(
        migrate, "get_settings", lambda: SimpleNamespace(database_url="postgresql://clinic:s3cret@db/clinic")
    )
    assert migrate.main([]) == 0
    printed = capsys.readouterr().out
    assert "s3cret" not in printed
    assert "postgresql://clinic:***@db/clinic" in printed


def _insert(connection, table, **row):
    connection.execute(text(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + n for n in row)})"), row)


AT = "2026-01-01 00:00:00+00:00"


def test_the_database_accepts_a_red_flag_with_its_groups(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            _insert(
                connection,
                "handoffs",
                kind="red_flag",
                status="new",
                sender_id="p",
                channel="rest",
                red_flags="breathing,swelling",
                created_at=AT,
                updated_at=AT,
            )
            assert connection.execute(text("SELECT kind, red_flags FROM handoffs")).one() == (
                "red_flag",
                "breathing,swelling",
            )
    finally:
        engine.dispose()


def test_0004_keeps_every_handoff_and_note_both_ways(database_url):
    """SQLite rebuilds the table for the new check constraint: the notes that refer to it
    (ON DELETE CASCADE) must survive that, and a downgrade keeps red flags as questions."""
    migrate.upgrade(database_url, "0003")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            _insert(
                connection,
                "handoffs",
                id=1,
                kind="booking",
                status="new",
                sender_id="p",
                channel="rest",
                name="Ana",
                created_at=AT,
                updated_at=AT,
            )
            _insert(connection, "handoff_notes", handoff_id=1, author="api", text="left a voicemail", created_at=AT)
        migrate.upgrade(database_url)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT text FROM handoff_notes")).scalars().all() == ["left a voicemail"]
            assert connection.execute(text("SELECT name, red_flags FROM handoffs")).one() == ("Ana", None)
            _insert(
                connection,
                "handoffs",
                id=2,
                kind="red_flag",
                status="new",
                sender_id="q",
                channel="twilio",
                question="fever of 102",
                red_flags="fever",
                created_at=AT,
                updated_at=AT,
            )
            _insert(connection, "handoff_notes", handoff_id=2, author="api", text="called back", created_at=AT)
        migrate.downgrade(database_url, "0003")
        with engine.begin() as connection:
            assert connection.execute(text("SELECT id, kind, question FROM handoffs ORDER BY id")).all() == [
                (1, "booking", None),
                (2, "question", "fever of 102"),
            ]
            assert connection.execute(text("SELECT count(*) FROM handoff_notes")).scalar() == 2
            assert "red_flags" not in {column["name"] for column in inspect(connection).get_columns("handoffs")}
    finally:
        engine.dispose()


def test_the_notes_still_refer_to_the_rebuilt_table(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _insert(connection, "handoff_notes", handoff_id=99, author="api", text="orphan", created_at=AT)
        with engine.begin() as connection:
            _insert(
                connection,
                "handoffs",
                id=1,
                kind="red_flag",
                status="new",
                sender_id="p",
                channel="rest",
                red_flags="fever",
                created_at=AT,
                updated_at=AT,
            )
            _insert(connection, "handoff_notes", handoff_id=1, author="api", text="called", created_at=AT)
            connection.execute(text("DELETE FROM handoffs"))
            assert connection.execute(text("SELECT count(*) FROM handoff_notes")).scalar() == 0
    finally:
        engine.dispose()
