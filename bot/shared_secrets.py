"""Secrets two of our processes share: one presents it as a bearer token, the other checks it.

Each comes from its environment variable, else from a token file that `make run`
generates (random, mode 0600) on first start; the launcher hands it only to the two
processes that use it:

- ACTION_SERVER_TOKEN: the Rasa servers call the action server (`bot.action_server.auth`);
- STAFF_BRIDGE_TOKEN: the staff process asks the Rasa servers to change a conversation
  (take it over, reply, hand it back: `bot.rasa_server.channels.staff_bridge`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.private_files import read_or_create_secret
from bot.settings import ConfigurationError, Settings

MIN_TOKEN_LENGTH = 16
_GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
_SCHEME = "Bearer "


@dataclass(frozen=True)
class SharedSecret:
    """One shared secret: its variable, what it is called in errors, and where its file is."""

    variable: str
    what: str

    def read(self, value: str, path: Path, create: bool = False) -> str:
        """`value` (the variable's), else the file's; with `create`, generate the file if missing.

        Raises ConfigurationError saying how to fix a missing or unusable token.
        """
        if value:
            return self._checked(value, self.variable)
        if not create and not path.exists():
            raise ConfigurationError(f"no {self.what}: set {self.variable} or create {path} (`make run` does)")
        return self._checked(read_or_create_secret(path), str(path))

    def _checked(self, token: str, source: str) -> str:
        """A token long enough not to be guessed, and sendable in an HTTP header."""
        if len(token) < MIN_TOKEN_LENGTH or not token.isascii() or not token.isprintable() or " " in token:
            raise ConfigurationError(
                f"the {self.what} from {source} must be at least {MIN_TOKEN_LENGTH} printable ASCII "
                f"characters without spaces; generate one with {_GENERATE}"
            )
        return token


ACTION_SERVER = SharedSecret("ACTION_SERVER_TOKEN", "action server token")
STAFF_BRIDGE = SharedSecret("STAFF_BRIDGE_TOKEN", "staff bridge token")


def staff_bridge_token(settings: Settings, create: bool = False) -> str:
    """The secret the staff process presents to the Rasa servers' staff bridge."""
    return STAFF_BRIDGE.read(settings.staff_bridge_token, settings.staff_bridge_token_file, create)


def authorized(header: Optional[str], token: str) -> bool:
    """True when an Authorization header value is `Bearer <token>` (compared in constant time)."""
    presented = header[len(_SCHEME) :] if header and header.startswith(_SCHEME) else ""
    return hmac.compare_digest(presented.encode("utf-8"), token.encode("utf-8"))
