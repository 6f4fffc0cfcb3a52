"""Staff accounts for the console: e-mail plus a password kept only as an argon2id hash.

Hashing is argon2-cffi's `PasswordHasher` (argon2id, its RFC 9106 defaults), so the
parameters are maintained by the library rather than by us; when they change, a
password is re-hashed with the new ones at its next successful login. A login attempt
for an e-mail that has no account still verifies a password (against a dummy hash), so
the response time does not tell an attacker which staff accounts exist.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import ContextManager, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import StaffUser
from bot.db.session import unit_of_work

MIN_PASSWORD_LENGTH = 12

logger = logging.getLogger(__name__)


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is safe to show staff."""


@dataclass(frozen=True)
class StaffAccount:
    """Who is signed in: enough to show and to audit, never the hash."""

    id: int
    email: str
    display_name: Optional[str] = None  # what patients read when this person takes over; None: the staff title


MAX_DISPLAY_NAME = 80


def check_display_name(name: Optional[str]) -> Optional[str]:
    """A display name as stored: trimmed, one printable line of at most 80 characters; None for
    none (AccountError says what is wrong). Patients read it, so nothing that could break a line."""
    if name is None or not name.strip():
        return None
    name = name.strip()
    if len(name) > MAX_DISPLAY_NAME or not name.isprintable():
        raise AccountError(f"a display name must be one line of printable text, at most {MAX_DISPLAY_NAME} characters")
    return name


def normalize_email(email: str) -> str:
    """The form an e-mail is stored and looked up in: validated (no DNS lookup) and lower-cased.

    Lower-casing the local part too means `Alice@clinic.example` and
    `alice@clinic.example` are one account, as staff expect.
    """
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(f"not a valid e-mail address: {exc}") from exc
    return checked.normalized.lower()


def check_password(password: str) -> None:
    """Refuse a password too short to resist guessing (AccountError says why)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if not password.strip():
        raise AccountError("the password must not be only spaces")


class Accounts:
    """The `staff_users` table; each method is one unit of work (DatabaseUnavailable on outages).

    `hasher` exists for tests, which need cheap parameters; production uses the library's
    defaults.
    """

    def __init__(self, sessions: sessionmaker, *, hasher: Optional[PasswordHasher] = None) -> None:
        self._sessions = sessions
        self._hasher = hasher or PasswordHasher()

    @cached_property
    def _dummy_hash(self) -> str:
        """Checked when no account has the e-mail, so a wrong address takes as long as a wrong
        password. Made with this hasher's own parameters, on the first sign-in only: a hash
        costs about 175 ms, which `make run` and `add-user` never need."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    def add(self, email: str, password: str, display_name: Optional[str] = None) -> StaffAccount:
        """Create an active account; AccountError for a bad e-mail, a weak password, a bad
        display name or a duplicate."""
        address = normalize_email(email)
        check_password(password)
        name = check_display_name(display_name)
        row = StaffUser(email=address, password_hash=self._hasher.hash(password), active=True, display_name=name)
        with self._session() as session:
            if _by_email(session, address) is not None:
                raise AccountError(f"an account for {address} already exists")
            session.add(row)
            try:
                session.commit()
            except IntegrityError as exc:  # the same e-mail added concurrently
                raise AccountError(f"an account for {address} already exists") from exc
            return account_of(row)

    def set_password(self, email: str, password: str) -> None:
        """Replace an account's password; AccountError if there is no such account or it is weak.

        Signed-in browsers stay signed in: end them with `Sessions.end_all` if that is wanted.
        """
        check_password(password)
        self._update(email, password_hash=self._hasher.hash(password))

    def set_display_name(self, email: str, display_name: Optional[str]) -> StaffAccount:
        """Set (or, with None or blank, clear) what patients read when this person takes over."""
        return self._update(email, display_name=check_display_name(display_name))

    def set_active(self, email: str, active: bool) -> StaffAccount:
        """Enable or disable an account; AccountError if there is no such account.

        A disabled account cannot sign in, and `Sessions.resume` refuses its sessions from
        the next request on; `disable-user` also ends them (`Sessions.end_all`).
        """
        return self._update(email, active=active)

    def _update(self, email: str, **values: object) -> StaffAccount:
        """Set `values` on the account of `email` (AccountError if there is none) and commit."""
        address = normalize_email(email)
        with self._session() as session:
            row = _existing(session, address)
            for column, value in values.items():
                setattr(row, column, value)
            session.commit()
            return account_of(row)

    def verify(self, email: str, password: str) -> Optional[StaffAccount]:
        """The account if `password` is right for an active account with `email`, else None.

        Every path verifies one hash, so an unknown e-mail, an inactive account and a wrong
        password take the same time. argon2 is deliberately slow (tens of milliseconds of
        CPU): an async server should call this in a worker thread.
        """
        dummy = self._dummy_hash  # made before any lookup: the first sign-in is slow whatever its e-mail
        try:
            address = normalize_email(email)
        except AccountError:
            address = None
        with self._session() as session:
            row = _by_email(session, address) if address else None
            if not self._password_matches(row.password_hash if row else dummy, password):
                return None
            if row is None or not row.active:
                return None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
                session.commit()
            return account_of(row)

    def count(self) -> int:
        """How many accounts exist (active or not); zero means nobody can sign in yet."""
        with self._session() as session:
            return session.execute(select(func.count()).select_from(StaffUser)).scalar_one()

    def _password_matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except VerificationError:
            return False
        except InvalidHashError:
            logger.warning("a staff account has a password hash argon2 cannot read; set a new password")
            return False

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, what="staff account database")


def account_of(row: StaffUser) -> StaffAccount:
    """The account as the console and audit see it (never the hash)."""
    return StaffAccount(id=row.id, email=row.email, display_name=row.display_name or None)


def _by_email(session: Session, address: str) -> Optional[StaffUser]:
    return session.scalars(select(StaffUser).where(StaffUser.email == address)).first()


def _existing(session: Session, address: str) -> StaffUser:
    """The account for `address`; AccountError when there is none."""
    row = _by_email(session, address)
    if row is None:
        raise AccountError(f"there is no account for {address}")
    return row
