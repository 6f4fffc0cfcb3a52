"""The website widget's conversation tokens: issued by the server, signed, checked on every request.

The widget used to choose its own sender id and keep it in localStorage; anyone who
learned (or guessed) it could continue that conversation. Now the server issues the id:

    token = <id>.<signature>
    id        = 24 URL-safe characters from `secrets` (144 random bits)
    signature = HMAC-SHA256(WIDGET_SECRET, "widget-conversation:" + id), URL-safe base64

The conversation is stored as `widget:<id>` (`bot.conversation_ids`). Only the holder of
the token can send to it or read it back (`bot.rasa_server.channels.widget`), because only the
server can sign an id: a made-up, altered or old unsigned id is refused, and the widget
then asks for a new one. The id alone (it shows in staff views) addresses nothing.

There is no expiry in the token: what a stolen token could reveal is bounded by the
conversation itself, whose session Rasa closes after its idle time (and a new session
carries nothing over, domain.yml), and the widget forgets its token after a day idle.

The secret is WIDGET_SECRET, or else a random one generated into WIDGET_SECRET_FILE
(mode 0600): by the launcher, which hands it to every Rasa server it starts, or by a
Rasa server started on its own. Rasa servers on several hosts must share it: set
WIDGET_SECRET. Changing it starts every widget conversation afresh.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Optional

from bot.conversation_ids import WIDGET, conversation_id
from bot.private_files import read_or_create_secret
from bot.settings import ConfigurationError, Settings

MIN_SECRET_LENGTH = 32
ID_BYTES = 18  # 24 URL-safe characters
_ID = re.compile(r"[A-Za-z0-9_-]{24}")
_CONTEXT = b"widget-conversation:"  # the signature means "this id is a widget conversation", nothing else
MAX_TOKEN_LENGTH = 24 + 1 + 43


class WidgetTokens:
    """Issues conversation tokens and reads back the conversation a genuine one names."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(f"the widget secret must be at least {MIN_SECRET_LENGTH} characters")
        self._key = secret.encode("utf-8")

    def issue(self) -> str:
        """A token for a new conversation."""
        conversation = secrets.token_urlsafe(ID_BYTES)
        return f"{conversation}.{self._sign(conversation)}"

    def conversation(self, token: object) -> Optional[str]:
        """The sender id (`widget:<id>`) of a token this server signed; None for anything else."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            return None
        conversation, dot, signature = token.partition(".")
        if not (dot and _ID.fullmatch(conversation)):
            return None
        if not hmac.compare_digest(signature.encode("ascii", "replace"), self._sign(conversation).encode("ascii")):
            return None
        return conversation_id(WIDGET, conversation)

    def _sign(self, conversation: str) -> str:
        digest = hmac.new(self._key, _CONTEXT + conversation.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def widget_secret(settings: Settings) -> str:
    """WIDGET_SECRET, else the secret file's (created, mode 0600, when missing)."""
    if settings.widget_secret:
        secret, source = settings.widget_secret, "WIDGET_SECRET"
    else:
        secret, source = read_or_create_secret(settings.widget_secret_file), str(settings.widget_secret_file)
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"the widget secret from {source} must be at least {MIN_SECRET_LENGTH} characters; "
            "generate one with python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return secret
