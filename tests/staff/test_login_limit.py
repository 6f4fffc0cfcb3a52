"""Login throttle: exponential backoff per account and address, per address, and (capped, not
for known addresses) per account spread over addresses; never a lock that keeps the owner out."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.db.engine import make_engine, session_factory
from bot.db.models import LoginAttempt
from bot.db.session import DatabaseUnavailable
from bot.staff.login_limit import (
    ACCOUNT,
    CLIENT,
    FIRST_WAIT,
    KNOWN_FOR,
    MEMORY,
    PAIR,
    Backoff,
    LoginLimiter,
    client_key,
)
from tests.clock import Clock

JO = "jo@clinic.example"
ATTACKER, OWNER_ELSEWHERE, HOME = "203.0.113.7", "198.51.100.20", "192.0.2.10"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(db: sessionmaker, clock: Clock) -> LoginLimiter:
    return LoginLimiter(db, clock=clock)


def _fail(limiter: LoginLimiter, clock: Clock, times: int, email: str = JO, client: str = ATTACKER) -> None:
    """`times` failed attempts, each as soon as the throttle allows (a patient guesser)."""
    for _ in range(times):
        admission = limiter.admit(email, client)
        if admission.retry_after is not None:
            clock.advance(admission.retry_after)
            admission = limiter.admit(email, client)
        assert admission.attempt_id is not None


def _sign_in(limiter: LoginLimiter, email: str = JO, client: str = HOME) -> None:
    admission = limiter.admit(email, client)
    assert admission.retry_after is None
    limiter.succeeded(admission.attempt_id)


def test_the_backoff_is_free_then_doubles_up_to_its_cap():
    backoff = Backoff(free=3, cap=timedelta(seconds=10))
    assert [backoff.wait(count) for count in range(8)] == [
        None,
        None,
        None,
        FIRST_WAIT,
        2 * FIRST_WAIT,
        4 * FIRST_WAIT,
        8 * FIRST_WAIT,
        timedelta(seconds=10),
    ]
    assert backoff.wait(10_000) == timedelta(seconds=10)


def test_the_settings_never_lock_and_cap_the_account_wide_wait_at_a_minute():
    assert (PAIR.free, PAIR.cap) == (5, timedelta(minutes=15))
    assert (CLIENT.free, CLIENT.cap) == (10, timedelta(minutes=15))
    assert (ACCOUNT.free, ACCOUNT.cap) == (10, timedelta(minutes=1))
    assert (MEMORY, KNOWN_FOR) == (timedelta(hours=24), timedelta(days=30))


def test_five_free_failures_then_waits_that_double_from_the_latest_failure(limiter, clock):
    _fail(limiter, clock, PAIR.free)
    assert limiter.admit(JO, ATTACKER).retry_after == timedelta(seconds=1)
    clock.advance(timedelta(seconds=1))
    assert limiter.admit(JO, ATTACKER).attempt_id is not None  # the sixth failure
    assert limiter.admit(JO, ATTACKER).retry_after == timedelta(seconds=2)
    clock.advance(timedelta(milliseconds=1500))
    assert limiter.admit(JO, ATTACKER).retry_after == timedelta(milliseconds=500)


def test_hammering_reaches_the_cap_and_stays_there(limiter, clock):
    _fail(limiter, clock, PAIR.free + 20)
    assert limiter.admit(JO, ATTACKER).retry_after == PAIR.cap


def test_a_refused_attempt_tested_no_password_and_adds_no_wait(limiter, clock):
    _fail(limiter, clock, PAIR.free)
    for _ in range(20):
        assert limiter.admit(JO, ATTACKER).retry_after == timedelta(seconds=1)


def test_an_attempt_counts_from_its_admission_before_the_password_is_checked(limiter):
    """Guesses sent in parallel are all admitted before any password check ends: they count at once."""
    admitted = [limiter.admit(JO, ATTACKER) for _ in range(PAIR.free)]
    assert all(admission.attempt_id for admission in admitted)
    assert limiter.admit(JO, ATTACKER).retry_after is not None


def test_hammering_an_account_from_one_address_never_stops_the_owner_elsewhere(limiter, clock):
    _fail(limiter, clock, 50)  # well past the cap: hours of guessing JO's password from one address
    assert limiter.admit(JO, ATTACKER).retry_after is not None
    assert limiter.admit(JO, OWNER_ELSEWHERE).retry_after is None  # an address the owner never used before
    _sign_in(limiter, JO, OWNER_ELSEWHERE)


def test_one_address_trying_many_accounts_is_slowed_for_every_account(limiter, clock):
    for number in range(CLIENT.free):
        _fail(limiter, clock, 1, email=f"staff{number}@clinic.example")
    assert limiter.admit("sam@clinic.example", ATTACKER).retry_after == FIRST_WAIT
    assert limiter.admit("sam@clinic.example", OWNER_ELSEWHERE).retry_after is None
    assert limiter.admit("staff0@clinic.example", OWNER_ELSEWHERE).retry_after is None


def test_a_guess_spread_over_many_addresses_slows_new_addresses_by_a_minute_at_most(limiter, clock):
    for number in range(ACCOUNT.free + 30):
        _fail(limiter, clock, 1, client=f"198.18.{number // 250}.{number % 250}")
    assert limiter.admit(JO, OWNER_ELSEWHERE).retry_after == ACCOUNT.cap
    clock.advance(ACCOUNT.cap)
    _sign_in(limiter, JO, OWNER_ELSEWHERE)


def test_an_address_the_owner_signed_in_from_is_not_slowed_by_a_spread_guess(limiter, clock):
    _sign_in(limiter, JO, HOME)
    clock.advance(timedelta(days=29))
    for number in range(ACCOUNT.free + 5):
        _fail(limiter, clock, 1, client=f"198.18.0.{number}")
    assert limiter.admit(JO, OWNER_ELSEWHERE).retry_after is not None
    assert limiter.admit(JO, HOME).retry_after is None


def test_an_address_is_known_only_for_thirty_days(limiter, clock):
    _sign_in(limiter, JO, HOME)
    clock.advance(KNOWN_FOR)
    for number in range(ACCOUNT.free):
        _fail(limiter, clock, 1, client=f"198.18.0.{number}")
    assert limiter.admit(JO, HOME).retry_after is not None


def test_failures_are_forgotten_after_a_day(limiter, clock):
    _fail(limiter, clock, PAIR.free + 10)
    clock.advance(MEMORY)
    assert limiter.admit(JO, ATTACKER).attempt_id is not None


def test_a_success_clears_that_addresss_failures_for_that_account_only(limiter, clock):
    _fail(limiter, clock, PAIR.free - 1, client=HOME)  # the owner's typos
    _fail(limiter, clock, PAIR.free, client=ATTACKER)
    _sign_in(limiter, JO, HOME)
    _fail(limiter, clock, PAIR.free - 1, client=HOME)
    assert limiter.admit(JO, HOME).attempt_id is not None  # a fresh allowance for the owner
    assert limiter.admit(JO, ATTACKER).retry_after is not None  # but not for the guesser


def test_a_success_does_not_clear_that_addresss_failures_for_other_accounts(limiter, clock):
    for number in range(CLIENT.free):
        _fail(limiter, clock, 1, email=f"staff{number}@clinic.example")
    clock.advance(FIRST_WAIT)
    _sign_in(limiter, "mallory@clinic.example", ATTACKER)  # the guesser's own account
    assert limiter.admit("sam@clinic.example", ATTACKER).attempt_id is not None  # the eleventh account
    assert limiter.admit("ola@clinic.example", ATTACKER).retry_after == 2 * FIRST_WAIT


def test_ipv6_addresses_count_by_their_64_bit_network(limiter, clock):
    for host in range(PAIR.free):
        _fail(limiter, clock, 1, client=f"2001:db8:1:2::{host + 1}")
    assert limiter.admit(JO, "2001:db8:1:2:ffff::9").retry_after is not None
    assert limiter.admit(JO, "2001:db8:1:3::1").retry_after is None


@pytest.mark.parametrize(
    "client, key",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("unknown", "unknown"),
        ("z" * 100, "z" * 64),
    ],
)
def test_client_keys(client, key):
    assert client_key(client) == key


def test_spelling_variants_of_an_email_share_one_count(limiter, clock):
    for variant in ["JO@clinic.example", " jo@Clinic.Example ", JO, "Jo@CLINIC.EXAMPLE", "jO@clinic.example"]:
        _fail(limiter, clock, 1, email=variant)
    assert limiter.admit(JO, ATTACKER).retry_after is not None


def test_oversized_input_is_counted_not_refused_by_the_database(limiter, clock):
    email, client = "x" * 10_000, "y" * 10_000
    _fail(limiter, clock, PAIR.free, email=email, client=client)
    assert limiter.admit(email, client).retry_after is not None


def test_purge_older_than_deletes_only_older_attempts(db, limiter, clock):
    _fail(limiter, clock, 1)
    clock.advance(timedelta(hours=1))
    _sign_in(limiter, JO, OWNER_ELSEWHERE)
    assert limiter.purge_older_than(clock.now - timedelta(minutes=30)) == 1
    with db() as session:
        kept = session.scalars(select(LoginAttempt.succeeded)).all()
    assert kept == [True]
    assert limiter.purge_older_than(clock.now - timedelta(minutes=30)) == 0


def test_attempts_are_stored_under_the_normalised_email(db, limiter):
    limiter.admit(" JO@Clinic.Example ", HOME)
    with db() as session:
        assert session.scalars(select(LoginAttempt.email)).all() == [JO]


def test_a_database_without_the_schema_is_unavailable(database_url):  # noqa: F811
    engine = make_engine(database_url)
    try:
        with pytest.raises(DatabaseUnavailable, match="missing its schema"):
            LoginLimiter(session_factory(engine)).admit(JO, HOME)
    finally:
        engine.dispose()
