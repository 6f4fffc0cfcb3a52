"""Whichever process creates a SQLite database creates it private: it holds patient data."""

import os
import stat

from sqlalchemy import text

from bot.db import engine as db_engine
from bot.db.migrate import upgrade


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_journals_are_0600_in_a_0700_directory(tmp_path):
    old = os.umask(0o022)  # what `make migrate` or `make staff-user` would run with
    try:
        path = tmp_path / "var" / "tracker.db"
        upgrade(f"sqlite:///{path}")
        engine = db_engine.make_engine(f"sqlite:///{path}")
        try:
            with engine.connect() as connection:
                connection.execute(text("CREATE TABLE t (x INTEGER)"))
                connection.execute(text("INSERT INTO t VALUES (1)"))
                journals = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
                assert all(journal.exists() for journal in journals)
                assert [_mode(journal) for journal in journals] == [0o600, 0o600]
        finally:
            engine.dispose()
    finally:
        os.umask(old)
    assert (_mode(path.parent), _mode(path)) == (0o700, 0o600)


def test_an_existing_database_and_directory_are_opened_as_they_are(tmp_path):
    path = tmp_path / "shared" / "handoffs.db"
    path.parent.mkdir()
    path.parent.chmod(0o750)  # the operator's choice; the launcher decides about var/
    upgrade(f"sqlite:///{path}")
    upgrade(f"sqlite:///{path}")  # a second open keeps the migrated tables
    assert _mode(path.parent) == 0o750
    engine = db_engine.make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM handoffs")).scalar() == 0
    finally:
        engine.dispose()
