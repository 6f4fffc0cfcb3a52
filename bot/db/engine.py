"""Engines and sessions for the handoff database, created on first use, never at import.

Three processes share the database: the action server writes handoffs, the staff API
reads and updates them, and (with the SQLite default) the Rasa server writes
conversations into the same file. SQLite therefore runs in WAL mode, where readers do
not block the writer, and waits up to `SQLITE_BUSY_TIMEOUT_S` for a lock instead of
failing at once. PostgreSQL connections are checked before use, so a database restart
costs one reconnect rather than one failed patient request. A SQLite file holds patient
data, so whichever process creates it creates it private: the file 0600 (SQLite gives
its journals the same mode) in a directory made 0700.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Dict, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import sessionmaker

from bot.private_files import create_private_file, private_dir
from bot.settings import get_settings

SQLITE_BUSY_TIMEOUT_S = 15.0
# A PostgreSQL host that drops packets would otherwise hang a patient's request for minutes.
POSTGRES_CONNECT_TIMEOUT_S = 10

logger = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """A 2.0-style engine for `url`, tuned for the backend (see the module docstring)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _create_private_file(parsed)
        engine = create_engine(
            parsed,
            future=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    options: Dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if backend == "postgresql" and parsed.get_driver_name() == "psycopg2" and "connect_timeout" not in parsed.query:
        options["connect_args"] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    return create_engine(parsed, **options)


def _create_private_file(url: URL) -> None:
    """Create the SQLite file (0600) and its directory (0700) unless they exist; if that
    fails, the first connection says why."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return
    path = Path(url.database)
    try:
        if not path.parent.is_dir():
            private_dir(path.parent)
        create_private_file(path)
    except OSError as exc:
        logger.warning("cannot create the SQLite database %s: %s", url.database, exc)


def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def session_factory(engine: Engine) -> sessionmaker:
    """Sessions whose objects stay readable after commit (views are built from them)."""
    return sessionmaker(engine, future=True, expire_on_commit=False)


def get_engine(url: Optional[str] = None) -> Engine:
    """This process's engine for `url` (default: settings.database_url), created once."""
    url = url or get_settings().database_url
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
    return engine


def dispose_engines() -> None:
    """Close the pooled connections of every engine `get_engine` made, and forget them."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


_engines: Dict[str, Engine] = {}
_engines_lock = threading.Lock()
