"""Console sessions: hashed tokens, per-session CSRF, a sliding idle timeout, sign-out, purge, cookie flags."""

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sanic.response import HTTPResponse
from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from bot.db.engine import make_engine, session_factory
from bot.db.models import StaffSession, StaffUser
from bot.db.session import DatabaseUnavailable
from bot.staff.accounts import Accounts, StaffAccount
from bot.staff.sessions import (
    COOKIE_NAME,
    IDLE_TIMEOUT,
    Sessions,
    SignedIn,
    cookie_options,
    csrf_matches,
    new_csrf_token,
)
from tests.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def logins(db: sessionmaker, clock: Clock) -> Sessions:
    return Sessions(db, clock=clock)


@pytest.fixture
def accounts(db: sessionmaker) -> Accounts:
    return Accounts(db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def jo(accounts: Accounts) -> StaffAccount:
    return accounts.add("jo@clinic.example", "correct horse battery")


def _session_rows(db: sessionmaker) -> int:
    with db() as session:
        return session.execute(select(func.count()).select_from(StaffSession)).scalar_one()


def test_a_started_session_resumes_as_its_account_with_a_csrf_token(logins, jo):
    token = logins.start(jo)
    signed_in = logins.resume(token)
    assert isinstance(signed_in, SignedIn)
    assert signed_in.account == jo
    assert len(signed_in.csrf_token) >= 32
    assert logins.resume(token) == signed_in  # the CSRF token stays for the session's life


def test_each_session_gets_its_own_token_and_csrf_token(logins, jo):
    first, second = logins.start(jo), logins.start(jo)
    assert first != second
    assert logins.resume(first).csrf_token != logins.resume(second).csrf_token


def test_the_database_holds_only_the_tokens_sha256(db, logins, jo):
    token = logins.start(jo)
    with db() as session:
        row = session.scalars(select(StaffSession)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.csrf_token)


def test_activity_within_the_idle_timeout_keeps_the_session_alive(logins, jo, clock):
    token = logins.start(jo)
    for _ in range(3):  # 87 minutes in all, never 30 idle
        clock.advance(timedelta(minutes=29))
        assert logins.resume(token) is not None


def test_a_session_idle_for_longer_than_the_timeout_is_ended_and_deleted(db, logins, jo, clock):
    token = logins.start(jo)
    clock.advance(timedelta(minutes=29))
    assert logins.resume(token) is not None
    clock.advance(timedelta(minutes=31))
    assert logins.resume(token) is None
    assert _session_rows(db) == 0
    clock.now -= timedelta(minutes=31)  # even back inside the window: it is gone
    assert logins.resume(token) is None


def test_the_idle_timeout_is_thirty_minutes_and_configurable(db, jo, clock):
    assert IDLE_TIMEOUT == timedelta(minutes=30)
    short = Sessions(db, clock=clock, idle=timedelta(minutes=5))
    token = short.start(jo)
    clock.advance(timedelta(minutes=6))
    assert short.resume(token) is None


def test_a_deactivated_account_loses_its_sessions(db, logins, jo):
    token = logins.start(jo)
    with db() as session:
        session.execute(update(StaffUser).values(active=False))
        session.commit()
    assert logins.resume(token) is None
    assert _session_rows(db) == 0


def test_end_signs_out_only_that_session(logins, jo):
    ended, kept = logins.start(jo), logins.start(jo)
    logins.end(ended)
    assert logins.resume(ended) is None
    assert logins.resume(kept) is not None


def test_end_all_signs_out_every_session_of_one_account(logins, accounts, jo):
    sam = accounts.add("sam@clinic.example", "another good passphrase")
    jos = [logins.start(jo), logins.start(jo)]
    sams = logins.start(sam)
    assert logins.end_all(jo.id) == 2
    assert [logins.resume(token) for token in jos] == [None, None]
    assert logins.resume(sams).account == sam
    assert logins.end_all(jo.id) == 0


def test_purge_expired_deletes_only_idle_sessions(db, logins, jo, clock):
    stale = logins.start(jo)
    clock.advance(timedelta(minutes=20))
    fresh = logins.start(jo)
    clock.advance(timedelta(minutes=11))
    assert logins.purge_expired() == 1
    assert _session_rows(db) == 1
    assert logins.resume(fresh) is not None
    assert logins.resume(stale) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "A" * 43,
        "A" * 44,
        "A" * 100_000,
        "é" * 43,
        "\udcff" * 43,
        "A" * 42 + "\x00",
        "A" * 42 + "=",
        "../" * 15,
    ],
)
def test_unknown_or_malformed_tokens_resume_nothing(logins, jo, token):
    logins.start(jo)
    assert logins.resume(token) is None
    logins.end(token)  # a no-op, not an error


def test_a_token_differing_by_one_character_resumes_nothing(logins, jo):
    token = logins.start(jo)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert logins.resume(altered) is None


def test_a_database_without_the_schema_is_unavailable(database_url):  # noqa: F811
    engine = make_engine(database_url)
    try:
        with pytest.raises(DatabaseUnavailable, match="missing its schema"):
            Sessions(session_factory(engine)).resume(new_csrf_token())
    finally:
        engine.dispose()


def test_new_csrf_tokens_are_random_and_fit_their_column():
    tokens = {new_csrf_token() for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(token) <= StaffSession.__table__.c.csrf_token.type.length for token in tokens)


@pytest.mark.parametrize(
    "submitted, matches",
    [
        ("tok-123", True),
        ("tok-124", False),
        ("tok-12", False),
        ("tok-1234", False),
        ("", False),
        (None, False),
        ("tök-123", False),
        ("\udcff", False),
    ],
)
def test_csrf_matches_only_the_exact_token(submitted, matches):
    assert csrf_matches("tok-123", submitted) is matches


def test_an_empty_expected_csrf_token_matches_nothing():
    assert not csrf_matches("", "")


@pytest.mark.parametrize("secure", [True, False])
def test_the_cookie_options_make_an_httponly_lax_browser_session_cookie_in_sanic(secure):
    response = HTTPResponse()
    response.cookies[COOKIE_NAME] = "the-token"
    for key, value in cookie_options(secure).items():
        response.cookies[COOKIE_NAME][key] = value
    header = response.headers.getall("Set-Cookie")
    assert len(header) == 1
    parts = set(str(header[0]).split("; "))
    expected = {"staff_session=the-token", "Path=/", "HttpOnly", "SameSite=Lax"} | ({"Secure"} if secure else set())
    assert parts == expected  # no Expires / Max-Age: gone when the browser closes
