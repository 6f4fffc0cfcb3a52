"""API tokens: named, stored only as SHA-256 hashes, shown once, revocable, never brought back."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.db.models import StaffApiToken
from bot.staff.api_tokens import ApiTokenError, ApiTokenInfo, ApiTokens, api_actor, check_name, digest
from tests.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(db: sessionmaker, clock: Clock) -> ApiTokens:
    return ApiTokens(db, clock=clock)


def _stored(db: sessionmaker):
    with db() as session:
        return [(row.name, row.token_hash, row.revoked_at) for row in session.scalars(select(StaffApiToken))]


def test_an_issued_token_is_random_and_only_its_sha256_is_stored(db, tokens):
    token = tokens.issue("crm")
    assert len(token) >= 43 and token != tokens.issue("billing")
    stored = _stored(db)
    assert ("crm", hashlib.sha256(token.encode()).hexdigest(), None) in stored
    assert all(token not in (name, hashed) for name, hashed, _ in stored)
    assert tokens.authenticate(token) == "crm"


def test_only_a_live_token_authenticates_each_under_its_own_name(tokens):
    crm, billing = tokens.issue("crm"), tokens.issue("billing")
    assert (tokens.authenticate(crm), tokens.authenticate(billing)) == ("crm", "billing")
    for wrong in ("", crm[:-1], crm + "x", crm.upper(), "\udcff\udcfe"):
        assert tokens.authenticate(wrong) is None


def test_a_revoked_token_stops_at_once_and_the_others_keep_working(tokens):
    crm, billing = tokens.issue("crm"), tokens.issue("billing")
    tokens.revoke("crm")
    assert tokens.authenticate(crm) is None and tokens.name_of(crm) is None
    assert tokens.authenticate(billing) == "billing"
    with pytest.raises(ApiTokenError, match="no live API token named 'crm'"):
        tokens.revoke("crm")


def test_a_name_has_one_live_token_and_can_be_issued_again_after_revoking(tokens):
    old = tokens.issue("crm")
    with pytest.raises(ApiTokenError, match="already exists; revoke it first"):
        tokens.issue("crm")
    tokens.revoke("crm")
    new = tokens.issue("crm")
    assert (tokens.authenticate(old), tokens.authenticate(new)) == (None, "crm")


def test_replace_revokes_the_names_live_token_in_the_same_step(tokens):
    old = tokens.issue("local")
    new = tokens.issue("local", replace=True)
    assert (tokens.authenticate(old), tokens.authenticate(new)) == (None, "local")
    assert [token.name for token in tokens.live()] == ["local"]


def test_the_database_itself_allows_one_live_token_per_name(db, tokens, clock):
    tokens.issue("crm")
    with pytest.raises(IntegrityError), db() as session:
        session.add(StaffApiToken(name="crm", token_hash="f" * 64, created_at=clock.now))
        session.commit()


def test_registering_a_chosen_token_is_idempotent_but_a_revoked_one_never_comes_back(tokens):
    tokens.register("local", "chosen-by-the-operator-123")
    tokens.register("local", "chosen-by-the-operator-123", replace=True)  # the same: nothing changes
    assert tokens.authenticate("chosen-by-the-operator-123") == "local"
    with pytest.raises(ApiTokenError, match="already registered as 'local'"):
        tokens.register("crm", "chosen-by-the-operator-123")
    tokens.revoke("local")
    with pytest.raises(ApiTokenError, match="was revoked"):
        tokens.register("local", "chosen-by-the-operator-123", replace=True)
    assert tokens.authenticate("chosen-by-the-operator-123") is None


def test_the_listing_has_names_and_times_never_a_token_or_hash(tokens, clock):
    created = clock.now
    crm = tokens.issue("crm")
    tokens.issue("billing")
    tokens.revoke("billing")
    clock.advance(timedelta(minutes=5))
    tokens.authenticate(crm)
    assert tokens.live() == [ApiTokenInfo("crm", created, created + timedelta(minutes=5))]
    assert set(ApiTokenInfo.__dataclass_fields__) == {"name", "created_at", "last_used_at"}


def test_last_use_is_written_at_most_once_a_minute(tokens, clock):
    token = tokens.issue("crm")
    first = clock.now
    assert tokens.live()[0].last_used_at is None
    tokens.authenticate(token)
    clock.advance(timedelta(seconds=59))
    tokens.authenticate(token)
    assert tokens.live()[0].last_used_at == first
    clock.advance(timedelta(seconds=1))
    tokens.authenticate(token)
    assert tokens.live()[0].last_used_at == first + timedelta(minutes=1)


def test_name_of_records_no_use(tokens):
    token = tokens.issue("crm")
    assert tokens.name_of(token) == "crm"
    assert tokens.live()[0].last_used_at is None


@pytest.mark.parametrize("name", ["", "-crm", "crm sync", "crm/sync", "x" * 65, "café", "api:crm"])
def test_names_are_short_plain_words(tokens, name):
    with pytest.raises(ApiTokenError, match="a token name is"):
        tokens.issue(name)


def test_good_names_and_the_audit_actor():
    assert [check_name(name) for name in ("local", "crm-sync", "Billing.v2", "x" * 64)] == [
        "local",
        "crm-sync",
        "Billing.v2",
        "x" * 64,
    ]
    assert api_actor("crm") == "api:crm"


def test_the_digest_is_sha256_hex():
    assert digest("abc") == hashlib.sha256(b"abc").hexdigest()
