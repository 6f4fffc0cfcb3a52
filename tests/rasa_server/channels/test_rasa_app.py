"""The Rasa server's own Sanic app, as `rasa run` makes it with our credentials.yml in the
environment the launcher gives the Rasa server (`bot.profiles.rasa_env`).

Rasa builds its app itself (`rasa.core.run.configure_app`) and offers no hook for its
settings; Sanic reads SANIC_-prefixed variables into the config of every app it makes.
These tests rely on both, so they guard them: a body over `bot.rasa_server.channels.MAX_BODY_BYTES`
is refused with 413 as soon as its headers announce it, while the rest is never sent (a
server that waited for it would answer nothing, and the read would fail); and a prod
instance believes the X-Forwarded-For entry its proxy wrote, so the address limit
counts the client, not the proxy. The model is not loaded: nothing here needs one.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Iterator, Mapping, Tuple

import pytest
from rasa.core.run import configure_app, create_http_input_channels
from sanic import Sanic

from bot.launcher import profiles
from bot.rasa_server.channels import MAX_BODY_BYTES
from bot.settings import PROJECT_ROOT, Settings, get_settings
from tests.http_server import serving

WEBHOOK = "/webhooks/rest/webhook"
SAFETY_S = 10.0  # a socket timeout, as a safety net only: a refused body is answered at once
ADDRESS_LIMIT = 3


def _settings(var_dir: Path) -> Settings:
    return Settings.from_env({"VAR_DIR": str(var_dir), "PATIENT_ADDRESS_LIMIT": str(ADDRESS_LIMIT)})


@pytest.fixture
def rasa_app(monkeypatch, tmp_path, request) -> Iterator[Tuple[Sanic, Mapping[str, str]]]:
    """The app `rasa run --credentials credentials.yml` makes (no HTTP API, CORS for one
    site), in `rasa_env` of the profile the test names (indirect parameter), and that env."""
    profile = getattr(request, "param", profiles.EMBEDDED)
    env = profiles.rasa_env(_settings(tmp_path / "var"), profile)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(Sanic, "test_mode", True)  # Rasa names its app the same every time
    get_settings.cache_clear()  # the channels read the environment just set
    try:
        channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
        yield configure_app(channels, cors=["https://clinic.example"], enable_api=False), env
    finally:
        get_settings.cache_clear()


def _raw(base: str, head: str, body: bytes) -> bytes:
    """Send `head` and `body` on one connection, then read the answer until the server closes."""
    host, port = base.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=SAFETY_S) as connection:
        connection.sendall(head.encode("latin-1") + b"\r\n" + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def _head(length: int) -> str:
    return (
        f"POST {WEBHOOK} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n"
    )


def test_the_launcher_gives_the_rasa_server_sanics_body_cap_and_its_proxies(tmp_path):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path), "PATIENT_PROXIES": "2"})
    embedded, prod = profiles.rasa_env(settings), profiles.rasa_env(settings, profiles.PROD)
    assert embedded["SANIC_REQUEST_MAX_SIZE"] == prod["SANIC_REQUEST_MAX_SIZE"] == str(MAX_BODY_BYTES)
    assert (embedded["SANIC_PROXIES_COUNT"], prod["SANIC_PROXIES_COUNT"]) == ("2", "3")  # prod: + bot/launcher/proxy.py
    assert profiles.rasa_env(Settings.from_env({"VAR_DIR": str(tmp_path)}))["SANIC_PROXIES_COUNT"] == "0"


def test_rasas_app_takes_the_cap_and_the_proxies_from_the_environment(rasa_app):
    app, env = rasa_app
    assert app.config.REQUEST_MAX_SIZE == MAX_BODY_BYTES == int(env["SANIC_REQUEST_MAX_SIZE"])
    assert app.config.PROXIES_COUNT == 0
    assert {route.path for route in app.router.routes} >= {"webhooks/rest/webhook", "webhooks/widget/webhook"}


def test_a_body_over_the_cap_is_refused_before_it_is_read(rasa_app):
    app, _ = rasa_app
    with serving(app) as base:
        # Only the first bytes follow the headers: the server must answer without the rest.
        answer = _raw(base, _head(MAX_BODY_BYTES + 1), b'{"sender": "a", "message": "')
        huge = _raw(base, _head(10 * 1024 * 1024 * 1024), b"")  # a claimed 10 GiB
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert huge.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_body_is_refused_once_it_passes_the_cap(rasa_app):
    app, _ = rasa_app
    chunk = b"x" * (16 * 1024)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(MAX_BODY_BYTES // len(chunk) + 1))
    head = f"POST {WEBHOOK} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    with serving(app) as base:
        answer = _raw(base, head, chunks)  # no last chunk: the server refuses before the body ends
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_body_at_the_cap_is_read_and_judged_by_the_channel(rasa_app):
    app, _ = rasa_app
    with serving(app) as base:
        answer = _raw(base, _head(MAX_BODY_BYTES), b"x" * MAX_BODY_BYTES)
    assert answer.startswith(b"HTTP/1.1 400 ")  # not JSON: the REST channel's own answer


@pytest.mark.parametrize("rasa_app", [profiles.PROD], indirect=True)
def test_a_prod_instance_counts_the_client_its_proxy_forwarded(rasa_app):
    """Behind bot/launcher/proxy.py (which appends the client's address), rotating sender ids from one
    client are limited, and a client of the same proxy with another address is not."""
    app, env = rasa_app
    assert app.config.PROXIES_COUNT == 1

    def say(client: str) -> bytes:
        body = b'{"sender": "%s", "message": "hi"}' % uuid.uuid4().hex.encode()
        head = _head(len(body)) + f"X-Forwarded-For: {client}\r\n"
        return _raw(base, head, body)

    with serving(app) as base:
        statuses = [say("203.0.113.7").split(b" ")[1] for _ in range(ADDRESS_LIMIT + 1)]
        neighbour = say("198.51.100.20").split(b" ")[1]
    assert statuses == [b"200"] * ADDRESS_LIMIT + [b"429"]
    assert neighbour == b"200"
