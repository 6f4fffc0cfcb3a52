"""The staff API's bearer token: from STAFF_API_TOKEN, else from the token file.

`make run` creates the file on first start (random, readable by its owner only) and
prints the token to the person who started it; it is never logged anywhere else.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.settings import ConfigurationError, Settings

MIN_TOKEN_LENGTH = 16
_GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def resolve_token(settings: Settings, create: bool = False) -> str:
    """The token staff must send; with `create`, generate the token file if it is missing."""
    if settings.staff_api_token:
        return _checked(settings.staff_api_token, "STAFF_API_TOKEN")
    path = settings.staff_token_file
    try:
        return _checked(path.read_text(encoding="utf-8").strip(), str(path))
    except FileNotFoundError:
        if not create:
            raise ConfigurationError(
                f"no staff API token: set STAFF_API_TOKEN or create {path} (`make run` does)"
            ) from None
    return _create(path)


def _create(path: Path) -> str:
    """Write a new token with mode 0600; if another process just wrote one, use that."""
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _checked(path.read_text(encoding="utf-8").strip(), str(path))
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    return token


def _checked(token: str, source: str) -> str:
    """A token long enough not to be guessed, and sendable in an HTTP header."""
    if len(token) < MIN_TOKEN_LENGTH or not token.isascii() or not token.isprintable() or " " in token:
        raise ConfigurationError(
            f"the staff API token from {source} must be at least {MIN_TOKEN_LENGTH} printable ASCII "
            f"characters without spaces; generate one with {_GENERATE}"
        )
    return token
