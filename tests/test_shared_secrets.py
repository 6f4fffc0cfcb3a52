"""The staff bridge's secret is made and checked like the action server's (tests/action_server/test_auth.py)."""

import dataclasses
import stat

import pytest

from bot.settings import ConfigurationError, Settings
from bot.shared_secrets import authorized, staff_bridge_token


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"VAR_DIR": str(tmp_path / "var")})


def test_the_launcher_makes_a_private_token_file_once_and_the_servers_read_it(settings):
    settings.var_dir.mkdir()
    with pytest.raises(ConfigurationError, match="STAFF_BRIDGE_TOKEN"):
        staff_bridge_token(settings)  # a server never makes it: the launcher does, before any starts
    made = staff_bridge_token(settings, create=True)
    assert stat.S_IMODE(settings.staff_bridge_token_file.stat().st_mode) == 0o600
    assert staff_bridge_token(settings) == made and authorized(f"Bearer {made}", made)
    assert not authorized(f"Bearer {made}x", made) and not authorized(None, made)


def test_a_set_token_wins_and_a_short_one_is_refused(settings):
    chosen = dataclasses.replace(settings, staff_bridge_token="chosen-bridge-token-0123456789")
    assert staff_bridge_token(chosen) == "chosen-bridge-token-0123456789"
    with pytest.raises(ConfigurationError, match="staff bridge token from STAFF_BRIDGE_TOKEN must be at least 16"):
        staff_bridge_token(dataclasses.replace(settings, staff_bridge_token="short"))
