"""Server-side console sessions: the browser holds a random token, the database its SHA-256.

Keeping sessions on the server (rather than in a signed cookie) is what makes the idle
logout, "sign out everywhere" after a password change and the purge real: a session
ends when its row is gone, whatever the browser still holds. Each session carries its
own CSRF token, which every form that changes something must send back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, ContextManager, Dict, Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import StaffSession, StaffUser, utcnow
from bot.db.session import unit_of_work
from bot.staff.accounts import StaffAccount, account_of

IDLE_TIMEOUT = timedelta(minutes=30)
COOKIE_NAME = "staff_session"
TOKEN_BYTES = 32
# What secrets.token_urlsafe(TOKEN_BYTES) produces: 43 URL-safe base64 characters.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class SignedIn:
    """A resumed session: who it is, and the CSRF token its forms must carry."""

    account: StaffAccount
    csrf_token: str


class Sessions:
    """The `staff_sessions` table; each method is one unit of work (DatabaseUnavailable on outages)."""

    def __init__(
        self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow, idle: timedelta = IDLE_TIMEOUT
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._idle = idle

    def start(self, account: StaffAccount) -> str:
        """Open a session for `account` and return the token for its cookie (stored only hashed)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock()
        with self._session() as session:
            session.add(
                StaffSession(
                    token_hash=_digest(token),
                    user_id=account.id,
                    csrf_token=new_csrf_token(),
                    created_at=now,
                    last_seen_at=now,
                )
            )
            session.commit()
        return token

    def resume(self, token: str, activity: bool = True) -> Optional[SignedIn]:
        """The session's account and CSRF token, sliding its idle timeout on `activity`; None if it is not valid.

        A page's own background checks (the console's live updates) are no activity: a
        console left open still signs out after the idle timeout.

        A session idle for longer than the timeout, or whose account was deactivated, is
        deleted on the spot. A cookie value that cannot be one of our tokens (too long,
        other characters) is refused without a query.
        """
        if not _TOKEN_SHAPE.fullmatch(token or ""):
            return None
        now = self._clock()
        with self._session() as session:
            found = session.execute(
                select(StaffSession, StaffUser)
                .join(StaffUser, StaffUser.id == StaffSession.user_id)
                .where(StaffSession.token_hash == _digest(token))
            ).first()
            if found is None:
                return None
            row, user = found
            if row.last_seen_at < now - self._idle or not user.active:
                session.delete(row)
                session.commit()
                return None
            if activity:
                row.last_seen_at = now
                session.commit()
            return SignedIn(account_of(user), row.csrf_token)

    def end(self, token: str) -> None:
        """Sign out the session with this token (nothing happens if there is none)."""
        if not _TOKEN_SHAPE.fullmatch(token or ""):
            return
        with self._session() as session:
            session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))
            session.commit()

    def end_all(self, account_id: int) -> int:
        """Sign out every session of an account (after a password change); how many there were."""
        with self._session() as session:
            ended = session.execute(delete(StaffSession).where(StaffSession.user_id == account_id)).rowcount
            session.commit()
            return ended

    def purge_expired(self) -> int:
        """Delete the sessions idle for longer than the timeout; how many there were."""
        cutoff = self._clock() - self._idle
        with self._session() as session:
            purged = session.execute(delete(StaffSession).where(StaffSession.last_seen_at < cutoff)).rowcount
            session.commit()
            return purged

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, what="staff session database")


def new_csrf_token() -> str:
    """A fresh unguessable CSRF token (43 URL-safe characters, fits `staff_sessions.csrf_token`)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def csrf_matches(expected: str, submitted: Optional[str]) -> bool:
    """Whether a form's CSRF token is the session's, compared in constant time.

    Compared as bytes: `hmac.compare_digest` refuses non-ASCII strings, and a submitted
    value may hold anything (even lone surrogates from undecodable input).
    """
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), submitted.encode("utf-8", "surrogatepass"))


def cookie_options(secure: bool) -> Dict[str, Any]:
    """Attributes for the session cookie, as Sanic 21.12's `response.cookies[name][key]` accepts them.

    HttpOnly keeps page scripts from reading it; SameSite=Lax keeps other sites' forms
    from posting with it; Secure when the console is served over https. No expires or
    max-age: the browser drops it when closed, and the server enforces the idle timeout.
    """
    return {"httponly": True, "samesite": "Lax", "secure": secure, "path": "/"}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()
