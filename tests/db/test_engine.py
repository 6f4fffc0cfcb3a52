"""Engines are made lazily, per URL, with SQLite set up for several processes sharing a file."""

import os
import subprocess
import sys
from types import SimpleNamespace

from sqlalchemy import text

from bot.db import engine as db_engine
from bot.settings import PROJECT_ROOT


def test_sqlite_engine_creates_its_directory_and_uses_wal(tmp_path):
    path = tmp_path / "var" / "nested" / "handoffs.db"
    engine = db_engine.make_engine(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == db_engine.SQLITE_BUSY_TIMEOUT_S * 1000
    finally:
        engine.dispose()


def test_sessions_keep_objects_readable_after_commit(tmp_path):
    engine = db_engine.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        sessions = db_engine.session_factory(engine)
        assert sessions.kw["expire_on_commit"] is False
        with sessions() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_get_engine_makes_one_engine_per_url_until_disposed(tmp_path, monkeypatch):
    first_url, second_url = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    monkeypatch.setattr(db_engine, "get_settings", lambda: SimpleNamespace(database_url=first_url))
    try:
        first = db_engine.get_engine()
        assert db_engine.get_engine(first_url) is first
        assert db_engine.get_engine(second_url) is not first
        db_engine.dispose_engines()
        assert db_engine.get_engine(first_url) is not first
    finally:
        db_engine.dispose_engines()


def test_nothing_connects_at_import(tmp_path):
    """With a URL no driver can open, importing every module that uses the database still works."""
    env = {**os.environ, "DATABASE_URL": "nosuchdialect://nowhere/db", "PYTHONPATH": str(PROJECT_ROOT)}
    code = "import bot.db.engine, bot.db.migrate, bot.handoffs.service, bot.staff.app, bot.launcher"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
