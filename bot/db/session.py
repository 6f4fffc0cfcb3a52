"""One unit of work per store call, with database trouble turned into one exception.

Every store raises `DatabaseUnavailable` (or its own subclass of it) for an outage or a
missing schema, so a caller handles one exception instead of SQLAlchemy's hierarchy; a
programming error (a bad query, a constraint we broke) is not an outage and still
surfaces as itself.
"""

from __future__ import annotations

import contextlib
from typing import Iterator, Optional, Type

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

MIGRATE_HINT = "run `python -m bot.db.migrate` (make run does it) to create the tables"
_UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for "relation does not exist"
_SQLITE_QUERY_BUGS = ("syntax error", "no such column")


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached, is locked, or has no schema yet; the message says which."""


@contextlib.contextmanager
def unit_of_work(
    sessions: sessionmaker, unavailable: Type[DatabaseUnavailable] = DatabaseUnavailable, what: str = "database"
) -> Iterator[Session]:
    """A session from `sessions`; outages and a missing schema re-raised as `unavailable`."""
    try:
        with sessions() as session:
            yield session
    except (DBAPIError, PoolTimeoutError) as exc:
        reason = outage_reason(exc)
        if reason is None:
            raise
        raise unavailable(f"the {what} is {reason}") from exc


def outage_reason(exc: Exception) -> Optional[str]:
    """Why the database cannot serve us ("unavailable: ..."), or None for a bug (which must surface)."""
    reason = _first_line(getattr(exc, "orig", None) or exc)
    missing_table = "no such table" in reason or getattr(getattr(exc, "orig", None), "pgcode", None) == _UNDEFINED_TABLE
    if missing_table:
        return f"missing its schema: {MIGRATE_HINT}"
    if any(marker in reason for marker in _SQLITE_QUERY_BUGS):
        return None  # SQLite raises OperationalError for a bad query too; that is our bug
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return f"unavailable: {reason}"
    return None


def _first_line(error: object) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
