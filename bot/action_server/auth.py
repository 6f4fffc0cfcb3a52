"""The secret the Rasa servers present to the action server.

rasa-sdk's server has no authentication: anyone who reaches its port could run our
actions with a forged conversation (store a handoff, e-mail staff). So it answers only
requests carrying `Authorization: Bearer <token>`, which the Rasa servers send from
`endpoints.yml` (`action_endpoint.headers`). A header rather than Rasa's `token` option,
which sends it in the query string, where access logs and proxies record it.

The token comes from ACTION_SERVER_TOKEN, else from ACTION_TOKEN_FILE, which `make run`
generates (random, mode 0600) on first start; the launcher hands it to the Rasa servers
and the action server only.
"""

from __future__ import annotations

import hmac
from typing import Optional

from bot.private_files import read_or_create_secret
from bot.settings import ConfigurationError, Settings

TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
MIN_TOKEN_LENGTH = 16
_GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
_SCHEME = "Bearer "


def action_token(settings: Settings, create: bool = False) -> str:
    """The action server's token; with `create`, generate the token file if it is missing.

    Raises ConfigurationError saying how to fix a missing or unusable token.
    """
    if settings.action_server_token:
        return _checked(settings.action_server_token, TOKEN_VARIABLE)
    path = settings.action_token_file
    if not create and not path.exists():
        raise ConfigurationError(f"no action server token: set {TOKEN_VARIABLE} or create {path} (`make run` does)")
    return _checked(read_or_create_secret(path), str(path))


def authorized(header: Optional[str], token: str) -> bool:
    """True when an Authorization header value is `Bearer <token>` (compared in constant time)."""
    presented = header[len(_SCHEME) :] if header and header.startswith(_SCHEME) else ""
    return hmac.compare_digest(presented.encode("utf-8"), token.encode("utf-8"))


def _checked(token: str, source: str) -> str:
    """A token long enough not to be guessed, and sendable in an HTTP header."""
    if len(token) < MIN_TOKEN_LENGTH or not token.isascii() or not token.isprintable() or " " in token:
        raise ConfigurationError(
            f"the action server token from {source} must be at least {MIN_TOKEN_LENGTH} printable ASCII "
            f"characters without spaces; generate one with {_GENERATE}"
        )
    return token
