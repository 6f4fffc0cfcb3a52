"""unit_of_work turns outages and a missing schema into the store's error; bugs surface as themselves."""

import contextlib
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.db.engine import make_engine, session_factory
from bot.db.session import MIGRATE_HINT, DatabaseUnavailable, outage_reason, unit_of_work


class ExampleUnavailable(DatabaseUnavailable):
    """Stands in for a store's own "unavailable" error."""


@contextlib.contextmanager
def _sessions(url: str) -> Iterator[sessionmaker]:
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def _work(sessions: sessionmaker):
    return unit_of_work(sessions, ExampleUnavailable, "example database")


def test_an_outage_becomes_the_given_error_naming_what_is_down(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with _sessions(f"sqlite:///{blocker / 'x.db'}") as sessions:
        with pytest.raises(ExampleUnavailable, match="^the example database is unavailable: ") as caught:
            with _work(sessions) as session:
                session.execute(text("SELECT 1"))
    assert isinstance(caught.value.__cause__, OperationalError)
    assert "\n" not in str(caught.value)  # one line, not the SQL and its parameters


def test_a_missing_table_says_to_migrate(database_url):
    with _sessions(database_url) as sessions:
        with pytest.raises(ExampleUnavailable) as caught:
            with _work(sessions) as session:
                session.execute(text("SELECT * FROM no_such_table"))
    assert str(caught.value) == f"the example database is missing its schema: {MIGRATE_HINT}"
    assert "python -m bot.db.migrate" in MIGRATE_HINT


def test_a_broken_constraint_is_a_bug_not_an_outage(database_url):
    with _sessions(database_url) as sessions:
        with sessions() as session:
            session.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY)"))
            session.execute(text("INSERT INTO items (id) VALUES (1)"))
            session.commit()
        with pytest.raises(IntegrityError):
            with _work(sessions) as session:
                session.execute(text("INSERT INTO items (id) VALUES (1)"))
                session.commit()


def test_a_bad_statement_on_sqlite_is_a_bug_not_an_outage(tmp_path):
    with _sessions(f"sqlite:///{tmp_path / 'x.db'}") as sessions:
        with pytest.raises(ProgrammingError, match="bindings"):
            with _work(sessions) as session:
                session.connection().exec_driver_sql("SELECT ?", ())


@pytest.mark.parametrize("statement", ["SELEC 1", "SELECT nope FROM (SELECT 1 AS one) AS t"])
def test_bad_sql_is_a_bug_not_an_outage_even_on_sqlite(database_url, statement):
    with _sessions(database_url) as sessions:
        with pytest.raises((OperationalError, ProgrammingError)):
            with _work(sessions) as session:
                session.execute(text(statement))


def test_other_exceptions_pass_through_untouched(tmp_path):
    with _sessions(f"sqlite:///{tmp_path / 'x.db'}") as sessions:
        with pytest.raises(KeyError, match="not a database problem"):
            with _work(sessions):
                raise KeyError("not a database problem")


def test_an_exhausted_pool_is_unavailable(tmp_path):
    engine = create_engine(
        f"sqlite:///{tmp_path / 'x.db'}",
        future=True,
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.01,
    )
    try:
        with engine.connect():  # holds the only connection
            with pytest.raises(ExampleUnavailable, match="unavailable") as caught:
                with _work(session_factory(engine)) as session:
                    session.execute(text("SELECT 1"))
        assert isinstance(caught.value.__cause__, PoolTimeoutError)
    finally:
        engine.dispose()


def _dbapi_error(kind=DBAPIError, message="server closed the connection\nmore detail", **flags):
    return kind("SELECT 1", {}, Exception(message), **flags)


def test_outage_reasons_are_one_line():
    assert outage_reason(_dbapi_error(OperationalError)) == "unavailable: server closed the connection"
    assert outage_reason(_dbapi_error(InterfaceError)) == "unavailable: server closed the connection"
    assert outage_reason(_dbapi_error(connection_invalidated=True)) == "unavailable: server closed the connection"


def test_a_plain_dbapi_error_on_a_live_connection_is_a_bug():
    assert outage_reason(_dbapi_error()) is None
    assert outage_reason(_dbapi_error(IntegrityError, "duplicate key")) is None


def test_postgresqls_undefined_table_code_means_missing_schema():
    class UndefinedTable(Exception):
        pgcode = "42P01"

    error = ProgrammingError("SELECT 1", {}, UndefinedTable('relation "sms_contacts" does not exist'))
    assert outage_reason(error) == f"missing its schema: {MIGRATE_HINT}"
