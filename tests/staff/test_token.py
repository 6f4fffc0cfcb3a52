"""The staff token comes from the environment or a private file that `make run` creates."""
import dataclasses
import stat

import pytest

from bot.settings import ConfigurationError, Settings
from bot.staff.token import MIN_TOKEN_LENGTH, resolve_token


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"VAR_DIR": str(tmp_path / "var")})


def test_the_environment_token_wins(settings):
    settings = dataclasses.replace(settings, staff_api_token="from-the-environment-123")
    assert resolve_token(settings, create=True) == "from-the-environment-123"
    assert not settings.staff_token_file.exists()


def test_create_writes_a_random_owner_only_file_once(settings):
    token = resolve_token(settings, create=True)
    path = settings.staff_token_file
    assert len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_token(settings) == token
    assert resolve_token(settings, create=True) == token


def test_without_a_token_and_without_create_it_says_how_to_get_one(settings):
    with pytest.raises(ConfigurationError, match="STAFF_API_TOKEN"):
        resolve_token(settings)
    assert not settings.staff_token_file.exists()


@pytest.mark.parametrize("token", ["", "short", "has spaces in the middle of it", "caf\u00e9-token-123456789"])
def test_weak_or_unsendable_tokens_are_refused(settings, token):
    settings.staff_token_file.parent.mkdir(parents=True)
    settings.staff_token_file.write_text(token)
    with pytest.raises(ConfigurationError, match=f"at least {MIN_TOKEN_LENGTH}"):
        resolve_token(settings)
