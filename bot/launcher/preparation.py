"""What must hold before any server starts: databases ready, private files private.

Migrating here, once, means no server ever sees an old schema or races another to
create it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import redis
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.db import migrate
from bot.db.engine import make_engine
from bot.db.tracker_events import ensure_indexes, tracker_metadata
from bot.launcher.profiles import EMBEDDED, PROD
from bot.private_files import make_private
from bot.settings import Settings


def prepare_databases(settings: Settings, profile: str = EMBEDDED) -> None:
    """What must exist before any server starts: the handoff schema migrated and, for
    PROD, Redis answering and Rasa's `events` table created once, before several Rasa
    servers would race to create it (Rasa only logs the loser's error). RuntimeError
    says which store failed."""
    migrate_handoffs(settings.database_url)
    if profile != PROD:
        return
    try:
        redis.Redis.from_url(settings.redis_url, socket_timeout=5).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis is not reachable at REDIS_URL: {exc}") from exc
    create_tracker_tables(settings.tracker_store_url)


def migrate_handoffs(url: str) -> None:
    """Alembic's upgrade of the handoff database at `url`, or a RuntimeError naming it."""
    try:
        migrate.upgrade(url)
    except SQLAlchemyError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise RuntimeError(f"could not migrate the handoff database {shown}: {exc}") from exc


def create_tracker_tables(url: str) -> None:
    """Rasa's `events` table at `url` (if missing) with our indexes (also on a table made
    before them, so the Rasa servers starting next do not race to add them), or a
    RuntimeError naming the store."""
    engine = make_engine(url)
    try:
        tracker_metadata.create_all(engine)
        ensure_indexes(engine)
    except SQLAlchemyError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise RuntimeError(f"could not prepare the tracker store {shown}: {exc}") from exc
    finally:
        engine.dispose()


def secure_files(settings: Settings, log_dir: Path) -> None:
    """Tighten what an earlier run (or an older version) left readable to others: the
    SQLite databases with their journals, the token files and the servers' logs (0600).
    New files are created private: by `bot.private_files`, and by the servers, which
    run with umask 077."""
    databases = {_sqlite_path(url) for url in (settings.database_url, settings.tracker_store_url)} - {None}
    files = [
        *(Path(f"{database}{suffix}") for database in databases for suffix in ("", "-wal", "-shm", "-journal")),
        settings.staff_token_file,
        settings.action_token_file,
        settings.staff_bridge_token_file,
        settings.widget_secret_file,
        *log_dir.glob("*.log"),
    ]
    for path in files:
        make_private(path)


def _sqlite_path(url: str) -> Optional[Path]:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)
