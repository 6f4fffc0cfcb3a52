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

from bot.settings import Settings
from bot.shared_secrets import ACTION_SERVER, MIN_TOKEN_LENGTH, authorized

__all__ = ["MIN_TOKEN_LENGTH", "action_token", "authorized"]


def action_token(settings: Settings, create: bool = False) -> str:
    """The action server's token; with `create`, generate the token file if it is missing.

    Raises ConfigurationError saying how to fix a missing or unusable token.
    """
    return ACTION_SERVER.read(settings.action_server_token, settings.action_token_file, create)
