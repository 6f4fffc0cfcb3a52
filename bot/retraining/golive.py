"""Putting a kept model live without dropping a conversation.

Embedded (`make run`): the Rasa server loads the new model in a worker thread while it
keeps answering with the old one, then swaps it in (POST /webhooks/staff/model, the
staff bridge's token; bot.rasa_server.channels.staff_bridge). No restart, so no message
waits for a start-up. Production (several instances behind the proxy): each instance
gets the same call in turn, one at a time; a failed reload leaves that instance on the
old model, and the report says so.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Sequence

TIMEOUT_S = 300.0  # loading a model takes seconds to a minute on 2 cores


def reloader(rasa_urls: Sequence[str], token: Callable[[], str]) -> Callable[[Path], str]:
    """A `Plan.go_live` that asks each Rasa server in turn to load the current model."""

    def go_live(model: Path) -> str:
        results = [_reload(url, token()) for url in rasa_urls]
        return "; ".join(results)

    return go_live


def _reload(rasa_url: str, token: str) -> str:
    request = urllib.request.Request(
        f"{rasa_url.rstrip('/')}/webhooks/staff/model",
        data=b"{}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - our own server
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return f"{rasa_url} did not load it ({exc.code}); it loads at its next start"
    except (OSError, ValueError) as exc:
        return f"{rasa_url} not reached ({type(exc).__name__}); it loads the new model at its next start"
    return f"{rasa_url} now answers with it ({answer.get('loaded_in_s', '?')} s to load)"
