"""Console login rate limit: at most MAX_FAILURES failed logins per WINDOW, per e-mail and per client.

Counting per e-mail stops a guessing attack on one account spread over many addresses;
counting per client address stops one address trying many accounts. Attempts live in
the database, so the limit holds across restarts and across several console processes.

A successful login clears the earlier failures of the same e-mail from the same client
(the staff member's own typos), but not those from other addresses: otherwise a staff
member signing in would hand whoever is guessing their password a fresh set of tries.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, ContextManager, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import ColumnElement

from bot.db.models import LoginAttempt, utcnow
from bot.db.session import unit_of_work
from bot.staff.accounts import AccountError, normalize_email

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class LoginLimiter:
    """The `login_attempts` table; each method is one unit of work (DatabaseUnavailable on outages)."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    def retry_after(self, email: str, client: str) -> Optional[timedelta]:
        """None if a login may be tried now; else how long until the e-mail and the client may both try.

        That is when enough failures have left the window to bring both counts below the
        limit: with MAX_FAILURES failures, when the oldest of them turns WINDOW old.
        """
        now = self._clock()
        with self._session() as session:
            waits = [
                _wait(session, LoginAttempt.email == _email_key(email), now),
                _wait(session, LoginAttempt.client == _client_key(client), now),
            ]
        blocked = [wait for wait in waits if wait is not None]
        return max(blocked) if blocked else None

    def record(self, email: str, client: str, succeeded: bool) -> None:
        """Remember one login attempt; a success clears this client's earlier failures for this e-mail."""
        address, origin = _email_key(email), _client_key(client)
        with self._session() as session:
            if succeeded:
                session.execute(
                    delete(LoginAttempt).where(
                        LoginAttempt.email == address, LoginAttempt.client == origin, LoginAttempt.succeeded.is_(False)
                    )
                )
            session.add(LoginAttempt(email=address, client=origin, succeeded=succeeded, at=self._clock()))
            session.commit()

    def purge_older_than(self, cutoff: datetime) -> int:
        """Delete attempts made before `cutoff`; how many there were."""
        with self._session() as session:
            purged = session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff)).rowcount
            session.commit()
            return purged

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, what="login attempt database")


def _wait(session: Session, which: ColumnElement, now: datetime) -> Optional[timedelta]:
    """How long until the failures matching `which` drop below the limit, or None if they are below it."""
    recent: List[datetime] = list(
        session.scalars(
            select(LoginAttempt.at)
            .where(which, LoginAttempt.succeeded.is_(False), LoginAttempt.at > now - WINDOW)
            .order_by(LoginAttempt.at.desc())
            .limit(MAX_FAILURES)
        )
    )
    if len(recent) < MAX_FAILURES:
        return None
    return recent[-1] + WINDOW - now


def _email_key(email: str) -> str:
    """The e-mail as accounts store it, so spelling variants of one account share one count.

    Something that is not an e-mail at all still counts, under its lower-cased text,
    cut to the column's length (PostgreSQL refuses longer values).
    """
    try:
        address = normalize_email(email)
    except AccountError:
        address = email.strip().lower()
    return address[: _length("email")]


def _client_key(client: str) -> str:
    return client[: _length("client")]


def _length(column: str) -> int:
    return LoginAttempt.__table__.c[column].type.length
