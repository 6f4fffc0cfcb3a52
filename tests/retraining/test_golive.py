"""Putting a kept model live: each Rasa server is asked in turn, with the bridge's token, and
one that fails or cannot be reached is reported, never fatal."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import List

from sanic import Sanic, response

from bot.retraining.golive import reloader
from tests.http_server import serving
from tests.ports import free_port


def _server(calls: List[str], status: int = 200) -> Sanic:
    app = Sanic(f"golive-{uuid.uuid4().hex}")

    @app.post("/webhooks/staff/model")
    async def model(request):
        calls.append(request.headers.get("authorization", ""))
        if status != 200:
            return response.json({"error": "no"}, status=status)
        return response.json({"loaded_in_s": 2.5})

    return app


def test_each_server_is_asked_in_turn_with_the_token_and_the_report_says_how_it_went():
    first: List[str] = []
    second: List[str] = []
    tokens = iter(["token-1", "token-2"])
    with serving(_server(first)) as good, serving(_server(second, status=500)) as failing:
        down = f"http://127.0.0.1:{free_port()}"
        report = reloader([good + "/", failing, down], lambda: next(tokens, "token-3"))(Path("current.tar.gz"))
    assert first == ["Bearer token-1"] and second == ["Bearer token-2"]
    assert report.startswith(
        f"{good}/ now answers with it (2.5 s to load); {failing} did not load it (500); it loads at its next start; "
        f"{down} not reached ("
    )
    assert report.endswith("); it loads the new model at its next start")
