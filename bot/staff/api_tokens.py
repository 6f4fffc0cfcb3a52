"""Named bearer tokens of the staff JSON API: issued once, stored hashed, revocable.

A token is 32 random bytes (`secrets.token_urlsafe`), so the SHA-256 of it is as good
as a password hash: nothing can be guessed back from it, and a copy of the database
cannot call the API. Only the hash is stored and the token is shown once, when it is
issued (`python -m bot.staff add-token NAME`); nothing prints it again. Each token has
a name, so the audit log says which integration did what (actor `api:<name>`), and
`revoke-token NAME` ends one integration's access without touching the others. A
revoked token keeps its row: its hash can never be registered again.

Authentication looks the presented token up by its hash and compares the stored hash
in constant time as well. `last_used_at` is written at most once a minute per token,
so a busy integration does not turn every read into a write.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, ContextManager, List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import StaffApiToken, utcnow
from bot.db.session import unit_of_work

TOKEN_BYTES = 32
NAME_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
LAST_USED_RESOLUTION = timedelta(minutes=1)
ACTOR_PREFIX = "api:"


class ApiTokenError(ValueError):
    """A token request that cannot be done; the message is safe to show (it never holds a token)."""


@dataclass(frozen=True)
class ApiTokenInfo:
    """What `list-tokens` shows about a live token: never the token, nor its hash."""

    name: str
    created_at: datetime
    last_used_at: Optional[datetime]


def digest(token: str) -> str:
    """The stored form of a token: its SHA-256, hex. Undecodable header bytes (kept as
    surrogates by Sanic) are hashed as the bytes they were, so they are a wrong token."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def api_actor(name: str) -> str:
    """How the audit log names a request made with the token `name`."""
    return ACTOR_PREFIX + name


def check_name(name: str) -> str:
    """`name` if it is 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or digit)."""
    if not NAME_SHAPE.fullmatch(name or ""):
        raise ApiTokenError(
            f"a token name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, not {name!r}"
        )
    return name


class ApiTokens:
    """The `staff_api_tokens` table; each method is one unit of work (DatabaseUnavailable on outages)."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    def issue(self, name: str, *, replace: bool = False) -> str:
        """A new random token under `name`, returned once and stored only hashed.

        ApiTokenError when `name` already has a live token, unless `replace`: then that
        one is revoked in the same transaction (how the `local` token is renewed).
        """
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.register(name, token, replace=replace)
        return token

    def register(self, name: str, token: str, *, replace: bool = False) -> None:
        """Store the hash of a token chosen elsewhere (STAFF_API_TOKEN) under `name`.

        Registering the live token of `name` again changes nothing. ApiTokenError when the
        token was revoked (a revoked token never comes back), belongs to another name, or
        `name` has another live token and `replace` is not set.
        """
        check_name(name)
        hashed = digest(token)
        with self._session() as session:
            known = _by_hash(session, hashed)
            if known is not None:
                if known.revoked_at is not None:
                    raise ApiTokenError(f"that token was revoked (it was named {known.name!r}); use a new one")
                if known.name != name:
                    raise ApiTokenError(f"that token is already registered as {known.name!r}")
                return
            live = _live(session, name)
            if live is not None:
                if not replace:
                    raise ApiTokenError(f"a token named {name!r} already exists; revoke it first")
                live.revoked_at = self._clock()
                session.flush()  # the partial unique index sees the old one revoked before the insert
            session.add(StaffApiToken(name=name, token_hash=hashed, created_at=self._clock()))
            try:
                session.commit()
            except IntegrityError as exc:  # the same name issued concurrently
                raise ApiTokenError(f"a token named {name!r} already exists; revoke it first") from exc

    def revoke(self, name: str) -> None:
        """End the live token `name` at once (the next request with it gets 401); ApiTokenError if there is none."""
        with self._session() as session:
            live = _live(session, name)
            if live is None:
                raise ApiTokenError(f"there is no live API token named {name!r} (see list-tokens)")
            live.revoked_at = self._clock()
            session.commit()

    def live(self) -> List[ApiTokenInfo]:
        """Every live token, by name."""
        query = select(StaffApiToken).where(StaffApiToken.revoked_at.is_(None)).order_by(StaffApiToken.name)
        with self._session() as session:
            return [ApiTokenInfo(row.name, row.created_at, row.last_used_at) for row in session.scalars(query)]

    def name_of(self, token: str) -> Optional[str]:
        """The name of the live token `token`, or None; records nothing."""
        with self._session() as session:
            row = _matching(session, token)
            return row.name if row else None

    def authenticate(self, token: str) -> Optional[str]:
        """The name of the live token `token` (noting when it was used), or None."""
        now = self._clock()
        with self._session() as session:
            row = _matching(session, token)
            if row is None:
                return None
            if row.last_used_at is None or row.last_used_at <= now - LAST_USED_RESOLUTION:
                row.last_used_at = now
                session.commit()
            return row.name

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, what="staff API token database")


def _matching(session: Session, token: str) -> Optional[StaffApiToken]:
    """The live row whose hash is the token's; the final check is constant-time."""
    hashed = digest(token)
    row = _by_hash(session, hashed)
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, hashed):
        return None
    return row


def _by_hash(session: Session, hashed: str) -> Optional[StaffApiToken]:
    return session.scalars(select(StaffApiToken).where(StaffApiToken.token_hash == hashed)).first()


def _live(session: Session, name: str) -> Optional[StaffApiToken]:
    return session.scalars(
        select(StaffApiToken).where(StaffApiToken.name == name, StaffApiToken.revoked_at.is_(None))
    ).first()
