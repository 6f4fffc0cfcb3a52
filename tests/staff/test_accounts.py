"""Staff accounts: argon2id hashes, validated e-mails, strong-enough passwords, same work for unknown e-mails."""

from typing import List

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from bot.db.engine import make_engine, session_factory
from bot.db.models import StaffUser
from bot.db.session import DatabaseUnavailable
from bot.staff.accounts import MIN_PASSWORD_LENGTH, AccountError, Accounts, StaffAccount

PASSWORD = "correct horse battery"
# Cheap parameters keep the suite fast; production uses the library's defaults.
FAST = dict(time_cost=1, memory_cost=8, parallelism=1)


class CountingHasher(PasswordHasher):
    """A fast hasher that counts its verifications, to show every login path does one."""

    def __init__(self, **params: int) -> None:
        super().__init__(**{**FAST, **params})
        self.verified: List[str] = []

    def verify(self, hash, password):  # type: ignore[no-untyped-def]
        self.verified.append(hash)
        return super().verify(hash, password)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def accounts(db: sessionmaker, hasher: CountingHasher) -> Accounts:
    return Accounts(db, hasher=hasher)


def _stored_hash(db: sessionmaker, email: str) -> str:
    with db() as session:
        return session.scalars(select(StaffUser.password_hash).where(StaffUser.email == email)).one()


def test_an_added_account_verifies_with_its_password(accounts):
    added = accounts.add("Nurse.Jo@Clinic.example", PASSWORD)
    assert added == StaffAccount(id=added.id, email="nurse.jo@clinic.example")
    assert accounts.verify("nurse.jo@clinic.example", PASSWORD) == added
    assert accounts.verify("  NURSE.JO@clinic.EXAMPLE ", PASSWORD) == added


def test_a_wrong_password_does_not_verify(accounts):
    accounts.add("jo@clinic.example", PASSWORD)
    assert accounts.verify("jo@clinic.example", PASSWORD + "!") is None
    assert accounts.verify("jo@clinic.example", "") is None


@pytest.mark.parametrize("email", ["nobody@clinic.example", "not an e-mail", ""])
def test_an_unknown_email_does_not_verify_but_costs_one_hash_verification(db, accounts, hasher, email):
    accounts.add("jo@clinic.example", PASSWORD)
    assert accounts.verify(email, PASSWORD) is None
    assert len(hasher.verified) == 1  # the dummy hash, as much work as a real account
    assert hasher.verified[0] != _stored_hash(db, "jo@clinic.example")


def test_an_inactive_account_never_verifies_yet_costs_the_same(db, accounts, hasher):
    accounts.add("jo@clinic.example", PASSWORD)
    with db() as session:
        session.execute(update(StaffUser).values(active=False))
        session.commit()
    assert accounts.verify("jo@clinic.example", PASSWORD) is None
    assert len(hasher.verified) == 1


def test_a_disabled_account_cannot_sign_in_until_enabled_again(accounts):
    jo = accounts.add("jo@clinic.example", PASSWORD)
    sam = accounts.add("sam@clinic.example", PASSWORD)
    assert accounts.set_active(" JO@Clinic.Example ", False) == jo
    assert accounts.verify("jo@clinic.example", PASSWORD) is None
    assert accounts.verify("sam@clinic.example", PASSWORD) == sam
    assert accounts.set_active("jo@clinic.example", True) == jo
    assert accounts.verify("jo@clinic.example", PASSWORD) == jo


@pytest.mark.parametrize("email", ["nobody@clinic.example", "not an e-mail"])
def test_enabling_or_disabling_an_unknown_account_is_an_error(accounts, email):
    with pytest.raises(AccountError):
        accounts.set_active(email, False)


@pytest.mark.parametrize("again", ["jo@clinic.example", "JO@Clinic.Example", " jo@clinic.example "])
def test_an_email_can_have_only_one_account_whatever_its_case(accounts, again):
    accounts.add("jo@clinic.example", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add(again, "another password entirely")
    assert accounts.count() == 1
    assert accounts.verify("jo@clinic.example", "another password entirely") is None


@pytest.mark.parametrize("password", ["", "short", "x" * (MIN_PASSWORD_LENGTH - 1), " " * 20, "\t\n" * 8])
def test_a_weak_password_is_refused(accounts, password):
    with pytest.raises(AccountError, match="password"):
        accounts.add("jo@clinic.example", password)
    assert accounts.count() == 0


def test_a_password_of_exactly_the_minimum_length_is_accepted(accounts):
    password = "p" * MIN_PASSWORD_LENGTH
    accounts.add("jo@clinic.example", password)
    assert accounts.verify("jo@clinic.example", password) is not None


@pytest.mark.parametrize(
    "email",
    ["", "jo", "jo@", "@clinic.example", "jo clinic@example.com", "jo@@clinic.example", "a" * 250 + "@x.example"],
)
def test_a_bad_email_is_refused(accounts, email):
    with pytest.raises(AccountError, match="not a valid e-mail address"):
        accounts.add(email, PASSWORD)
    assert accounts.count() == 0


def test_the_password_is_stored_only_as_an_argon2id_hash(db, accounts):
    accounts.add("jo@clinic.example", PASSWORD)
    stored = _stored_hash(db, "jo@clinic.example")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.production_hasher
def test_by_default_the_library_parameters_are_used(db):
    Accounts(db).add("jo@clinic.example", PASSWORD)
    assert not PasswordHasher().check_needs_rehash(_stored_hash(db, "jo@clinic.example"))


def test_set_password_replaces_the_old_one(accounts):
    accounts.add("jo@clinic.example", PASSWORD)
    accounts.set_password("JO@clinic.example", "a brand new passphrase")
    assert accounts.verify("jo@clinic.example", PASSWORD) is None
    assert accounts.verify("jo@clinic.example", "a brand new passphrase") is not None


def test_set_password_refuses_an_unknown_account_and_a_weak_password(accounts):
    accounts.add("jo@clinic.example", PASSWORD)
    with pytest.raises(AccountError, match="no account"):
        accounts.set_password("sam@clinic.example", "a brand new passphrase")
    with pytest.raises(AccountError, match="password"):
        accounts.set_password("jo@clinic.example", "short")
    assert accounts.verify("jo@clinic.example", PASSWORD) is not None


def test_a_hash_with_old_parameters_is_replaced_at_the_next_login(db, accounts):
    added = accounts.add("jo@clinic.example", PASSWORD)
    old = _stored_hash(db, "jo@clinic.example")
    stronger = Accounts(db, hasher=CountingHasher(time_cost=2, memory_cost=16))

    assert stronger.verify("jo@clinic.example", PASSWORD) == added
    new = _stored_hash(db, "jo@clinic.example")
    assert new != old and "m=16,t=2,p=1" in new
    assert stronger.verify("jo@clinic.example", PASSWORD) == added
    assert _stored_hash(db, "jo@clinic.example") == new  # current parameters: left alone


def test_a_failed_login_never_rehashes(db, accounts):
    accounts.add("jo@clinic.example", PASSWORD)
    old = _stored_hash(db, "jo@clinic.example")
    Accounts(db, hasher=CountingHasher(time_cost=2)).verify("jo@clinic.example", "not the password")
    assert _stored_hash(db, "jo@clinic.example") == old


def test_count_counts_accounts(accounts):
    assert accounts.count() == 0
    accounts.add("jo@clinic.example", PASSWORD)
    accounts.add("sam@clinic.example", PASSWORD)
    assert accounts.count() == 2


def test_a_database_without_the_schema_is_unavailable(database_url):  # noqa: F811
    engine = make_engine(database_url)
    try:
        accounts = Accounts(session_factory(engine), hasher=CountingHasher())
        with pytest.raises(DatabaseUnavailable, match="missing its schema"):
            accounts.verify("jo@clinic.example", PASSWORD)
    finally:
        engine.dispose()


def test_a_display_name_is_what_the_account_carries_and_can_be_changed_or_cleared(accounts):
    added = accounts.add("ana@clinic.example", PASSWORD, "  Ana  ")
    assert added.display_name == "Ana" and accounts.verify("ana@clinic.example", PASSWORD) == added
    assert accounts.set_display_name("ana@clinic.example", "Nurse Ana").display_name == "Nurse Ana"
    assert accounts.set_display_name("ana@clinic.example", " ").display_name is None


@pytest.mark.parametrize("name", ["Ana\nBcc: x", "A" * 81, "Ana\u0000"])
def test_a_display_name_patients_could_not_read_as_one_line_is_refused(accounts, name):
    with pytest.raises(AccountError, match="display name"):
        accounts.add("ana@clinic.example", PASSWORD, name)


def test_setting_the_name_of_an_unknown_account_is_an_error(accounts):
    with pytest.raises(AccountError, match="no account"):
        accounts.set_display_name("nobody@clinic.example", "Ana")
