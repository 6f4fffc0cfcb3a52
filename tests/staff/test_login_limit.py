"""Login rate limit: five failures in fifteen minutes block an e-mail, or a client address."""
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.db.engine import make_engine, session_factory
from bot.db.models import LoginAttempt
from bot.db.session import DatabaseUnavailable
from bot.staff.login_limit import MAX_FAILURES, WINDOW, LoginLimiter
from tests.clock import Clock

JO = "jo@clinic.example"
HOME, ELSEWHERE = "203.0.113.7", "2001:db8::42"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(db: sessionmaker, clock: Clock) -> LoginLimiter:
    return LoginLimiter(db, clock=clock)


def _fail(limiter: LoginLimiter, clock: Clock, times: int, email: str = JO, client: str = HOME) -> None:
    """`times` failed logins, one a minute; the clock ends at the last one."""
    for attempt in range(times):
        if attempt:
            clock.advance(timedelta(minutes=1))
        limiter.record(email, client, succeeded=False)


def test_the_limit_is_five_failures_in_fifteen_minutes():
    assert (MAX_FAILURES, WINDOW) == (5, timedelta(minutes=15))


def test_four_failures_still_allow_a_try_and_the_fifth_blocks_until_the_first_is_old(limiter, clock):
    _fail(limiter, clock, 4)
    assert limiter.retry_after(JO, HOME) is None
    clock.advance(timedelta(minutes=1))
    limiter.record(JO, HOME, succeeded=False)
    assert limiter.retry_after(JO, HOME) == WINDOW - timedelta(minutes=4)  # first failure was 4 minutes ago
    clock.advance(timedelta(minutes=2))
    assert limiter.retry_after(JO, HOME) == WINDOW - timedelta(minutes=6)


def test_the_window_slides_with_the_clock(limiter, clock):
    _fail(limiter, clock, MAX_FAILURES)  # at minutes 0..4
    clock.advance(timedelta(minutes=10, seconds=59))
    assert limiter.retry_after(JO, HOME) == timedelta(seconds=1)
    clock.advance(timedelta(seconds=1))
    assert limiter.retry_after(JO, HOME) is None  # the first failure has left the window
    limiter.record(JO, HOME, succeeded=False)
    assert limiter.retry_after(JO, HOME) == timedelta(minutes=1)  # until the second one leaves


def test_another_email_from_another_client_is_unaffected(limiter, clock):
    _fail(limiter, clock, MAX_FAILURES)
    assert limiter.retry_after("sam@clinic.example", ELSEWHERE) is None


def test_one_email_is_blocked_from_every_client(limiter, clock):
    for number in range(MAX_FAILURES):
        limiter.record(JO, f"198.51.100.{number}", succeeded=False)
    assert limiter.retry_after(JO, ELSEWHERE) == WINDOW


def test_one_client_is_blocked_for_every_email(limiter, clock):
    for number in range(MAX_FAILURES):
        limiter.record(f"staff{number}@clinic.example", HOME, succeeded=False)
    assert limiter.retry_after("sam@clinic.example", HOME) == WINDOW
    assert limiter.retry_after("staff0@clinic.example", ELSEWHERE) is None


def test_the_longer_of_the_two_waits_is_returned(limiter, clock):
    for number in range(MAX_FAILURES):  # JO from many clients, at minutes 0..4
        limiter.record(JO, f"198.51.100.{number}", succeeded=False)
        clock.advance(timedelta(minutes=1))
    for number in range(MAX_FAILURES):  # HOME trying other accounts, at minutes 5..9
        limiter.record(f"staff{number}@clinic.example", HOME, succeeded=False)
        clock.advance(timedelta(minutes=1))
    assert limiter.retry_after(JO, HOME) == timedelta(minutes=5 + 15 - 10)


def test_spelling_variants_of_an_email_share_one_count(limiter, clock):
    for variant in ["JO@clinic.example", " jo@Clinic.Example ", JO, "Jo@CLINIC.EXAMPLE", "jO@clinic.example"]:
        limiter.record(variant, f"198.51.100.{len(variant)}", succeeded=False)
    assert limiter.retry_after(JO, ELSEWHERE) is not None


def test_successes_are_not_failures(limiter, clock):
    for _ in range(2 * MAX_FAILURES):
        limiter.record(JO, HOME, succeeded=True)
    assert limiter.retry_after(JO, HOME) is None


def test_a_success_clears_that_clients_earlier_failures_for_that_email(limiter, clock):
    _fail(limiter, clock, MAX_FAILURES - 1)
    limiter.record(JO, HOME, succeeded=True)
    _fail(limiter, clock, MAX_FAILURES - 1)
    assert limiter.retry_after(JO, HOME) is None


def test_a_success_elsewhere_does_not_erase_failures_from_other_addresses(limiter, clock):
    _fail(limiter, clock, MAX_FAILURES - 1, client=HOME)
    limiter.record(JO, ELSEWHERE, succeeded=True)
    limiter.record(JO, HOME, succeeded=False)
    assert limiter.retry_after(JO, ELSEWHERE) is not None


def test_a_success_does_not_erase_that_clients_failures_for_other_emails(limiter, clock):
    for number in range(MAX_FAILURES - 1):
        limiter.record(f"staff{number}@clinic.example", HOME, succeeded=False)
    limiter.record(JO, HOME, succeeded=True)
    limiter.record("sam@clinic.example", HOME, succeeded=False)
    assert limiter.retry_after("anyone@clinic.example", HOME) is not None


def test_oversized_input_is_counted_not_refused_by_the_database(limiter, clock):
    email, client = "x" * 10_000, "y" * 10_000
    _fail(limiter, clock, MAX_FAILURES - 1, email=email, client=client)
    assert limiter.retry_after(email, client) is None
    limiter.record(email, client, succeeded=False)
    assert limiter.retry_after(email, client) is not None


def test_purge_older_than_deletes_only_older_attempts(db, limiter, clock):
    limiter.record(JO, HOME, succeeded=False)
    clock.advance(timedelta(hours=1))
    limiter.record(JO, ELSEWHERE, succeeded=True)
    assert limiter.purge_older_than(clock.now - timedelta(minutes=30)) == 1
    with db() as session:
        kept = session.scalars(select(LoginAttempt.succeeded)).all()
    assert kept == [True]
    assert limiter.purge_older_than(clock.now - timedelta(minutes=30)) == 0


def test_attempts_are_stored_under_the_normalised_email(db, limiter):
    limiter.record(" JO@Clinic.Example ", HOME, succeeded=False)
    with db() as session:
        assert session.scalars(select(LoginAttempt.email)).all() == [JO]


def test_a_database_without_the_schema_is_unavailable(database_url):  # noqa: F811
    engine = make_engine(database_url)
    try:
        with pytest.raises(DatabaseUnavailable, match="missing its schema"):
            LoginLimiter(session_factory(engine)).retry_after(JO, HOME)
    finally:
        engine.dispose()
