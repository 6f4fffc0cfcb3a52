"""The action server's secret: from the environment, else a private file made once; compared in constant time."""

import dataclasses
import stat

import pytest

from bot.action_server.auth import MIN_TOKEN_LENGTH, action_token, authorized
from bot.settings import ConfigurationError, Settings

TOKEN = "action-secret-0123456789"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"VAR_DIR": str(tmp_path / "var")})


def test_the_environment_wins_and_no_file_is_made(settings):
    exported = dataclasses.replace(settings, action_server_token=TOKEN)
    assert action_token(exported, create=True) == TOKEN
    assert not settings.action_token_file.exists()


def test_the_launcher_makes_a_private_token_file_once_and_the_servers_read_it(settings):
    made = action_token(settings, create=True)
    assert len(made) >= MIN_TOKEN_LENGTH
    assert stat.S_IMODE(settings.action_token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.var_dir.stat().st_mode) == 0o700
    assert action_token(settings, create=True) == made  # the next start keeps it
    assert action_token(settings) == made  # what the action server reads


def test_without_a_token_the_action_server_says_how_to_get_one(settings):
    with pytest.raises(ConfigurationError, match="set ACTION_SERVER_TOKEN or create .*action_server_token"):
        action_token(settings)


@pytest.mark.parametrize("token", ["short", "with a space 0123456789", "n\u00f6n-ascii-0123456789"])
def test_a_guessable_or_unsendable_token_is_refused(settings, token):
    with pytest.raises(ConfigurationError, match="at least 16 printable ASCII characters without spaces"):
        action_token(dataclasses.replace(settings, action_server_token=token))


@pytest.mark.parametrize(
    "header, expected",
    [
        (f"Bearer {TOKEN}", True),
        (None, False),
        ("", False),
        (TOKEN, False),  # no scheme
        (f"Basic {TOKEN}", False),
        (f"Bearer {TOKEN}x", False),
        (f"Bearer {TOKEN[:-1]}", False),
        ("Bearer ", False),
        ("Bearer \u00e9t\u00e9", False),
    ],
)
def test_only_the_bearer_token_itself_is_authorized(header, expected):
    assert authorized(header, TOKEN) is expected
