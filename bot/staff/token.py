"""The `local` staff API token: the one `make run`'s own tools use (the end-to-end tests,
the evaluation runner, a `curl` on the same machine).

Its value comes from STAFF_API_TOKEN when that is set (a deployment that chooses its
own), else from the token file (default `var/staff_api_token`, mode 0600), which is
made on the first start. Either way the database holds only its hash, under the name
`local`, like every token `add-token` issues; the launcher never prints it, the file is
where the local tools read it. A token file whose token is not live in the database (it
was revoked with `revoke-token local`, or the database is new) is replaced by a fresh
token: a revoked token never comes back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from bot.db.engine import make_engine, session_factory
from bot.private_files import write_private
from bot.settings import ConfigurationError, Settings
from bot.staff.api_tokens import ApiTokenError, ApiTokens

LOCAL = "local"
MIN_TOKEN_LENGTH = 16
_GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def local_token(settings: Settings) -> str:
    """The `local` token, live in the database of `settings` (migrated first), made if need be.

    ConfigurationError when STAFF_API_TOKEN is unusable: too weak, or revoked.
    """
    engine = make_engine(settings.database_url)  # once, at start-up: no pool kept open afterwards
    try:
        return ensure_local_token(settings, ApiTokens(session_factory(engine)))
    finally:
        engine.dispose()


def ensure_local_token(settings: Settings, tokens: ApiTokens) -> str:
    """The value of the live `local` token in `tokens`: STAFF_API_TOKEN registered, or the token file's, or a new one."""
    if settings.staff_api_token:
        token = _checked(settings.staff_api_token)
        try:
            tokens.register(LOCAL, token, replace=True)
        except ApiTokenError as exc:
            raise ConfigurationError(f"STAFF_API_TOKEN cannot be used: {exc}") from exc
        return token
    path = settings.staff_token_file
    kept = _read(path)
    if kept and tokens.name_of(kept) == LOCAL:
        return kept
    token = tokens.issue(LOCAL, replace=True)
    write_private(path, token)
    return token


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def _checked(token: str) -> str:
    """A token long enough not to be guessed, and sendable in an HTTP header."""
    if len(token) < MIN_TOKEN_LENGTH or not token.isascii() or not token.isprintable() or " " in token:
        raise ConfigurationError(
            f"STAFF_API_TOKEN must be at least {MIN_TOKEN_LENGTH} printable ASCII characters without "
            f"spaces; generate one with {_GENERATE}"
        )
    return token
