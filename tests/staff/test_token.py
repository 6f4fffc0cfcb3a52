"""The `local` API token: STAFF_API_TOKEN or a private file made on first start, only its hash in the database."""

import dataclasses
import stat

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db.engine import dispose_engines, get_engine, session_factory
from bot.db.migrate import upgrade
from bot.settings import ConfigurationError, Settings
from bot.staff.api_tokens import ApiTokens
from bot.staff.token import LOCAL, MIN_TOKEN_LENGTH, ensure_local_token, local_token


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})


@pytest.fixture
def tokens(db: sessionmaker) -> ApiTokens:
    return ApiTokens(db)


def test_the_first_start_writes_an_owner_only_file_and_registers_its_hash(settings, tokens):
    token = ensure_local_token(settings, tokens)
    path = settings.staff_token_file
    assert path.read_text() == token + "\n" and len(token) >= 43
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens.name_of(token) == LOCAL
    assert ensure_local_token(settings, tokens) == token  # later starts keep it
    assert [info.name for info in tokens.live()] == [LOCAL]


def test_a_revoked_local_token_is_replaced_never_brought_back(settings, tokens):
    old = ensure_local_token(settings, tokens)
    tokens.revoke(LOCAL)
    new = ensure_local_token(settings, tokens)
    assert new != old
    assert settings.staff_token_file.read_text().strip() == new
    assert stat.S_IMODE(settings.staff_token_file.stat().st_mode) == 0o600
    assert (tokens.name_of(old), tokens.name_of(new)) == (None, LOCAL)


@pytest.mark.parametrize("kept", ["written-by-hand-but-unknown-123", "short", ""])
def test_a_file_whose_token_the_database_does_not_know_is_replaced(settings, tokens, kept):
    settings.staff_token_file.parent.mkdir(parents=True)
    settings.staff_token_file.write_text(kept)
    token = ensure_local_token(settings, tokens)
    assert token != kept and tokens.name_of(kept) is None and tokens.name_of(token) == LOCAL


def test_staff_api_token_is_registered_as_local_and_no_file_is_written(settings, tokens):
    chosen = dataclasses.replace(settings, staff_api_token="from-the-environment-123")
    assert ensure_local_token(chosen, tokens) == "from-the-environment-123"
    assert ensure_local_token(chosen, tokens) == "from-the-environment-123"
    assert tokens.name_of("from-the-environment-123") == LOCAL
    assert not settings.staff_token_file.exists()
    changed = dataclasses.replace(settings, staff_api_token="a-new-value-from-the-env-456")
    ensure_local_token(changed, tokens)
    assert (tokens.name_of("from-the-environment-123"), tokens.name_of("a-new-value-from-the-env-456")) == (None, LOCAL)


def test_a_revoked_staff_api_token_is_refused_with_a_clear_message(settings, tokens):
    chosen = dataclasses.replace(settings, staff_api_token="from-the-environment-123")
    ensure_local_token(chosen, tokens)
    tokens.revoke(LOCAL)
    with pytest.raises(ConfigurationError, match="STAFF_API_TOKEN cannot be used: that token was revoked"):
        ensure_local_token(chosen, tokens)


@pytest.mark.parametrize("token", ["short", "has spaces in the middle of it", "caf\u00e9-token-123456789"])
def test_a_weak_or_unsendable_staff_api_token_is_refused(settings, tokens, token):
    with pytest.raises(ConfigurationError, match=f"at least {MIN_TOKEN_LENGTH}"):
        ensure_local_token(dataclasses.replace(settings, staff_api_token=token), tokens)
    assert tokens.live() == []


def test_local_token_works_on_the_database_of_the_settings(settings):
    upgrade(settings.database_url)
    token = local_token(settings)
    assert local_token(settings) == token
    try:
        assert ApiTokens(session_factory(get_engine(settings.database_url))).name_of(token) == LOCAL
    finally:
        dispose_engines()
