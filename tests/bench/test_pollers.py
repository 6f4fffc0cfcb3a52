import asyncio
import threading
from typing import Iterator

import pytest

from bench.load import rest_url
from bench.pollers import Client, csrf_of, first_delays, poll
from tests.bench.echo_server import EchoServer, Serving

ASKS_EACH = 3


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with Serving(EchoServer(pause_s=0.0)) as server:
        yield server


class EnoughAsked:
    """Set once every client has asked `ASKS_EACH` times: the test waits on requests, not on time."""

    def __init__(self, server: EchoServer, senders: int) -> None:
        self.server, self.senders = server, senders

    def is_set(self) -> bool:
        counts = [len(messages) for messages in self.server.received.values()]
        return len(counts) == self.senders and min(counts) >= ASKS_EACH


def test_first_requests_spread_over_one_interval_the_same_way_each_run() -> None:
    delays = first_delays(200, 4.0)
    assert all(0 <= delay <= 4.0 for delay in delays)
    assert min(delays) < 1.0 and max(delays) > 3.0
    assert first_delays(200, 4.0) == delays


def test_every_client_keeps_asking_until_stopped(echo: EchoServer) -> None:
    clients = [Client("POST", rest_url(echo.url), {"sender": f"w{n}", "message": "history"}) for n in range(3)]
    started = threading.Event()
    log = asyncio.run(poll(clients, 0.01, started, EnoughAsked(echo, len(clients))))
    assert started.is_set()
    assert set(echo.received) == {"w0", "w1", "w2"}
    assert len(log) >= ASKS_EACH * len(clients)
    assert all(exchange.ok and exchange.done >= exchange.sent for exchange in log)


def test_a_refused_request_is_logged_as_not_ok() -> None:
    with Serving(EchoServer(status=429, pause_s=0.0)) as server:
        client = Client("POST", rest_url(server.url), {"sender": "w", "message": "history"})
        log = asyncio.run(poll([client], 0.01, threading.Event(), EnoughAsked(server, 1)))
    assert log and not any(exchange.ok for exchange in log)


def test_reads_the_login_forms_csrf_field() -> None:
    assert csrf_of('<form><input type="hidden" name="csrf_token" value="abc-123"></form>') == "abc-123"
    with pytest.raises(RuntimeError):
        csrf_of("<form></form>")
