import asyncio
from typing import Iterator

import pytest

from bench.load import Exchange, closed_loop, run_level, summarize, warm_up
from tests.bench.echo_server import EchoServer, Serving

CONVERSATIONS = (("hi", "how long will I be red?", "thanks"), ("hello", "bye"))


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with Serving(EchoServer()) as server:
        yield server


def test_keeps_exactly_the_given_number_of_conversations_in_flight(echo: EchoServer) -> None:
    level = run_level(echo.url, CONVERSATIONS, 4, 0.5, "t")
    assert echo.most_in_flight == 4
    assert level.concurrency == 4 and level.errors == 0
    assert level.answered == sum(len(messages) for messages in echo.received.values())
    assert level.throughput > 0


def test_each_conversation_is_a_new_sender_sending_its_messages_in_order(echo: EchoServer) -> None:
    run_level(echo.url, CONVERSATIONS, 3, 0.5, "t")
    for sender, messages in echo.received.items():
        assert sender.startswith("t-")
        script = next(c for c in CONVERSATIONS if c[0] == messages[0])
        assert tuple(messages) == script[: len(messages)]
    assert len(echo.received) > 3  # conversations ended and new senders started


def test_stops_by_itself_and_waits_for_the_replies_in_flight(echo: EchoServer) -> None:
    echo.pause_s = 0.2
    log = asyncio.run(closed_loop(echo.url, CONVERSATIONS, 2, 0.1, "t"))
    assert len(log) == 2 and all(exchange.ok for exchange in log)
    assert echo.in_flight == 0


def test_counts_error_answers_apart_from_latencies(echo: EchoServer) -> None:
    echo.status = 500
    with pytest.raises(RuntimeError, match="no message was answered"):
        run_level(echo.url, CONVERSATIONS, 2, 0.2, "t")


def test_warm_up_talks_through_every_conversation_once(echo: EchoServer) -> None:
    warm_up(echo.url, CONVERSATIONS, "w")
    assert sorted(echo.received.values()) == sorted(list(c) for c in CONVERSATIONS)


def test_warm_up_fails_when_the_assistant_does_not_answer(echo: EchoServer) -> None:
    echo.status = 503
    with pytest.raises(RuntimeError, match="got no answer"):
        warm_up(echo.url, CONVERSATIONS, "w")


def test_throughput_counts_only_replies_within_the_window() -> None:
    log = [Exchange(0.0, 0.5, True), Exchange(0.5, 0.9, True), Exchange(0.9, 1.4, True), Exchange(1.0, 1.1, False)]
    level = summarize(log, 1, 1.0)
    assert level.answered == 3 and level.errors == 1
    assert level.throughput == 2.0
    assert level.p50_ms == pytest.approx(500.0)
