"""Console login throttle: exponential backoff per account and per client address, never a lock.

A hard lock on an account (N failures, then nobody signs in for a while) lets anyone
who knows a staff e-mail keep that person out. So nothing here counts failures on an
account alone. Three throttles, each a wait that doubles with every failure beyond a
free allowance, up to a cap, counted over the last MEMORY:

- **account and client**: failures for one e-mail from one address (a guesser hammering
  one account, or the owner's own typos). Five free, then 1 s, 2 s, 4 s ... up to 15
  minutes. A success from that address clears its earlier failures for that e-mail.
- **client**: how many *different* e-mails failed from one address (one address trying
  many accounts). Ten free, then the same doubling up to 15 minutes.
- **account**: from how many *different* addresses an e-mail failed (a guess spread over
  many addresses). Ten free, then doubling up to one minute only, and never for an
  address that signed in to that account within KNOWN_FOR.

So a guesser hammering an account from one address slows only that address (and, when
it tries many accounts, every attempt from it), and the owner signs in from any other
address at once; a botnet makes new addresses wait at most a minute per try, while
addresses the owner has used are not slowed at all. IPv6 clients count by their /64
network, which one attacker usually holds whole.

An attempt is counted when it is admitted, before the slow password check, so guesses
sent in parallel see each other (except those arriving within the same few
milliseconds); a success then marks it so. Attempts live in the database, so the
throttle holds across restarts and across several console processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, ContextManager, Optional

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.client_address import address_key
from bot.db.models import LoginAttempt, utcnow
from bot.db.session import unit_of_work
from bot.staff.accounts import AccountError, normalize_email

MEMORY = timedelta(hours=24)
KNOWN_FOR = timedelta(days=30)
FIRST_WAIT = timedelta(seconds=1)


@dataclass(frozen=True)
class Backoff:
    """No wait for the first `free` counts, then FIRST_WAIT doubling with each count, at most `cap`."""

    free: int
    cap: timedelta

    def wait(self, count: int) -> Optional[timedelta]:
        """How long after the latest failure the next attempt must wait, or None."""
        if count < self.free:
            return None
        return min(self.cap, FIRST_WAIT * 2 ** min(count - self.free, 32))  # 2**32 s is past any cap


PAIR = Backoff(free=5, cap=timedelta(minutes=15))
CLIENT = Backoff(free=10, cap=timedelta(minutes=15))
ACCOUNT = Backoff(free=10, cap=timedelta(minutes=1))


@dataclass(frozen=True)
class Admission:
    """An attempt let through (`attempt_id`, to mark it succeeded), or how long to wait first."""

    attempt_id: Optional[int] = None
    retry_after: Optional[timedelta] = None


class LoginLimiter:
    """The `login_attempts` table; each method is one unit of work (DatabaseUnavailable on outages)."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    def admit(self, email: str, client: str) -> Admission:
        """Let one attempt through, counted as a failure until `succeeded`; or say how long to wait.

        A refused attempt is not recorded: it tested no password, so it adds no wait.
        """
        address, origin, now = email_key(email), client_key(client), self._clock()
        with self._session() as session:
            wait = _longest_wait(session, address, origin, now)
            if wait is not None:
                return Admission(retry_after=wait)
            attempt = LoginAttempt(email=address, client=origin, succeeded=False, at=now)
            session.add(attempt)
            session.commit()
            return Admission(attempt_id=attempt.id)

    def succeeded(self, attempt_id: int) -> None:
        """Mark an admitted attempt as a success, clearing that address's failures for that e-mail.

        Failures of that e-mail from other addresses stay: otherwise the owner signing in
        would hand whoever is guessing elsewhere a fresh allowance.
        """
        with self._session() as session:
            attempt = session.get(LoginAttempt, attempt_id)
            if attempt is None:
                return
            session.execute(
                delete(LoginAttempt).where(
                    LoginAttempt.email == attempt.email, LoginAttempt.client == attempt.client,
                    LoginAttempt.succeeded.is_(False), LoginAttempt.id != attempt_id,
                )
            )  # fmt: skip
            session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True))
            session.commit()

    def purge_older_than(self, cutoff: datetime) -> int:
        """Delete attempts made before `cutoff`; how many there were."""
        with self._session() as session:
            purged = session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff)).rowcount
            session.commit()
            return purged

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, what="login attempt database")


def _longest_wait(session: Session, email: str, client: str, now: datetime) -> Optional[timedelta]:
    """The longest wait any of the three throttles imposes on `email` from `client` now."""
    recent = (LoginAttempt.succeeded.is_(False), LoginAttempt.at > now - MEMORY)
    pair = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.client == client, *recent
        )
    ).one()
    spread_over_accounts = session.execute(
        select(func.count(LoginAttempt.email.distinct()), func.max(LoginAttempt.at)).where(
            LoginAttempt.client == client, *recent
        )
    ).one()
    waits = [
        _remaining(PAIR, pair[0], pair[1], now),
        _remaining(CLIENT, spread_over_accounts[0], spread_over_accounts[1], now),
    ]
    spread_over_clients = session.execute(
        select(func.count(LoginAttempt.client.distinct()), func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, *recent
        )
    ).one()
    account_wait = _remaining(ACCOUNT, spread_over_clients[0], spread_over_clients[1], now)
    if account_wait is not None and not _known(session, email, client, now):
        waits.append(account_wait)
    blocked = [wait for wait in waits if wait is not None]
    return max(blocked) if blocked else None


def _remaining(backoff: Backoff, count: int, latest: Optional[datetime], now: datetime) -> Optional[timedelta]:
    """What is left of `backoff`'s wait after the latest of `count` failures, or None."""
    wait = backoff.wait(count)
    if wait is None or latest is None:
        return None
    left = latest + wait - now  # max() keeps the column's type: aware UTC
    return left if left > timedelta(0) else None


def _known(session: Session, email: str, client: str, now: datetime) -> bool:
    """Whether `client` signed in to `email` within KNOWN_FOR."""
    return session.execute(
        select(LoginAttempt.id)
        .where(
            LoginAttempt.email == email, LoginAttempt.client == client,
            LoginAttempt.succeeded.is_(True), LoginAttempt.at > now - KNOWN_FOR,
        )
        .limit(1)
    ).first() is not None  # fmt: skip


def email_key(email: str) -> str:
    """The e-mail as accounts store it, so spelling variants of one account share one count.

    Something that is not an e-mail at all still counts, under its lower-cased text,
    cut to the column's length (PostgreSQL refuses longer values).
    """
    try:
        address = normalize_email(email)
    except AccountError:
        address = email.strip().lower()
    return address[: _length("email")]


def client_key(client: str) -> str:
    """The address an attempt is counted under (`bot.client_address.address_key`: IPv6
    by /64), cut to the column."""
    return address_key(client)[: _length("client")]


def _length(column: str) -> int:
    return LoginAttempt.__table__.c[column].type.length
