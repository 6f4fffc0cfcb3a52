"""The patient channels under abuse: one client address rotating sender ids, a full line into Rasa.

The REST and widget channels are mounted as `rasa run` mounts them, with Rasa replaced
by a scripted bot. Behind a proxy (PROXIES_COUNT, which the launcher sets from
PATIENT_PROXIES as SANIC_PROXIES_COUNT) a client is the address the proxy forwarded;
without one, X-Forwarded-For is a client's own words and never believed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import threading
import time
import urllib.request
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa.core.channels.channel import UserMessage, register
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import upgrade
from bot.rasa_server.channels import guard
from bot.rasa_server.channels.admission import RETRY_AFTER_S, Gate, channel_gate
from bot.rasa_server.channels.guard import AddressLimit, MemoryRateLimiter
from bot.rasa_server.channels.rest import GuardedRestInput
from bot.rasa_server.channels.twilio import TwilioInput
from bot.rasa_server.channels.widget import WidgetInput
from bot.rasa_server.channels.widget_tokens import WidgetTokens
from bot.settings import PROJECT_ROOT, Settings
from bot.sms.store import SmsStore
from tests import twilio_client
from tests.http_server import call, serving
from tests.rasa_server.channels.test_rest import ScriptedBot
from tests.rasa_server.channels.test_twilio import TOKEN as TWILIO_TOKEN
from tests.rasa_server.channels.test_twilio import ScriptedBot as ScriptedSmsBot

REST = "/webhooks/rest/webhook"
WIDGET = "/webhooks/widget"
ADDRESS_LIMIT = 4
SECRET = "a-widget-secret-of-at-least-32-characters"
CLIENT = "203.0.113.7"
NEIGHBOUR = "198.51.100.20"
SAFETY_S = 10.0  # how long a test waits for the server to reach a state; never an expectation


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


class HeldBot(ScriptedBot):
    """The scripted bot; while `hold` is clear, each message waits inside until it is set.
    `entered` lists the conversations whose messages got inside, in order."""

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.hold = threading.Event()
        self.hold.set()
        self.entered: List[str] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.entered.append(message.sender_id)
        while not self.hold.is_set():
            await asyncio.sleep(0.005)
        await super().handle_message(message)


@pytest.fixture
def bot(domain) -> HeldBot:
    return HeldBot(domain)


def _app(bot: HeldBot, proxies: Optional[int], gate: Optional[Gate] = None) -> Tuple[Sanic, GuardedRestInput]:
    """REST and widget channels sharing one address limit, behind `proxies` trusted proxies;
    the app and its REST channel."""
    app = Sanic(f"abuse-test-{uuid.uuid4().hex}")
    app.ctx.agent = bot
    if proxies is not None:
        app.config.PROXIES_COUNT = proxies
    addresses = AddressLimit(MemoryRateLimiter(ADDRESS_LIMIT, 60))
    rest = GuardedRestInput(MemoryRateLimiter(1000, 60), addresses)
    widget = WidgetInput(MemoryRateLimiter(1000, 60), WidgetTokens(SECRET))
    widget.addresses = addresses  # as from_credentials shares the process's one
    for channel in (rest, widget):
        channel.gate = gate or channel.gate
    register([rest, widget], app, route="/webhooks/")
    return app, rest


@pytest.fixture
def proxied(bot) -> Iterator[str]:
    """Behind one trusted proxy (PATIENT_PROXIES=1)."""
    app, _ = _app(bot, proxies=1)
    with serving(app) as base:
        yield base


def _post(url: str, body: Any, client: Optional[str] = None) -> Tuple[int, Dict[str, str], Any]:
    headers = {"Content-Type": "application/json"}
    if client is not None:
        headers["X-Forwarded-For"] = client
    return call(url, "POST", body=json.dumps(body).encode("utf-8"), headers=headers)


def _say(base: str, client: Optional[str] = None, sender: str = "") -> Tuple[int, Dict[str, str], Any]:
    return _post(base + REST, {"sender": sender or f"rotating-{uuid.uuid4().hex}", "message": "hi"}, client)


# --- the address limit ---------------------------------------------------------------


def test_one_address_rotating_sender_ids_is_limited_with_429_and_retry_after(proxied, bot):
    answers = [_say(proxied, CLIENT) for _ in range(ADDRESS_LIMIT)]
    assert [status for status, _, _ in answers] == [200] * ADDRESS_LIMIT
    status, headers, body = _say(proxied, CLIENT)
    assert status == 429 and "too many requests" in body["error"]
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert len(bot.received) == ADDRESS_LIMIT  # the refused message never reached Rasa
    assert _say(proxied, NEIGHBOUR)[0] == 200  # another client behind the same proxy is not held up


def test_the_widgets_new_conversations_history_and_messages_share_the_addresss_count(proxied, bot):
    status, _, body = _post(f"{proxied}{WIDGET}/conversations", {}, CLIENT)
    token = body["token"]
    assert status == 200
    assert _post(f"{proxied}{WIDGET}/webhook", {"sender": token, "message": "hi"}, CLIENT)[0] == 200
    assert _post(f"{proxied}{WIDGET}/history", {"sender": token}, CLIENT)[0] in (200, 503)  # no tracker store here
    # The fourth request, on the REST channel: each request was counted once, though both
    # channels (and so both blueprints' middleware) are mounted.
    assert _say(proxied, CLIENT)[0] == 200
    assert _post(f"{proxied}{WIDGET}/conversations", {}, CLIENT)[0] == 429  # no new ids to rotate through
    assert _post(f"{proxied}{WIDGET}/webhook", {"sender": token, "message": "hi"}, CLIENT)[0] == 429
    assert len(bot.received) == 2
    script = urllib.request.Request(f"{proxied}{WIDGET}/widget.js", headers={"X-Forwarded-For": CLIENT})
    with urllib.request.urlopen(script, timeout=SAFETY_S) as response:
        assert response.status == 200  # the widget's files are not counted, nor refused


def test_ipv6_clients_count_by_their_64_bit_network(proxied):
    assert [_say(proxied, f"2001:db8:1:2::{host}")[0] for host in range(1, ADDRESS_LIMIT + 2)] == [200] * 4 + [429]
    assert _say(proxied, "2001:db8:1:3::1")[0] == 200


def test_only_the_entry_the_trusted_proxy_wrote_is_believed(proxied):
    """A client's own X-Forwarded-For entries come before the proxy's, and change nothing."""
    made_up = [_say(proxied, f"10.9.8.{n}, {CLIENT}")[0] for n in range(ADDRESS_LIMIT + 1)]
    assert made_up == [200] * ADDRESS_LIMIT + [429]


def test_without_trusted_proxies_x_forwarded_for_is_not_believed(bot, caplog):
    """Here every request comes from this host, which is not counted; a forwarded address
    would have been, and a warning says the proxy in front needs PATIENT_PROXIES."""
    app, _ = _app(bot, proxies=None)
    with caplog.at_level(logging.WARNING, logger=guard.__name__), serving(app) as base:
        statuses = [_say(base, CLIENT)[0] for _ in range(ADDRESS_LIMIT + 2)]
    assert statuses == [200] * (ADDRESS_LIMIT + 2)
    warnings = [record for record in caplog.records if "PATIENT_PROXIES" in record.getMessage()]
    assert len(warnings) == 1


def test_this_host_is_never_counted(proxied):
    """The operator's own tools, the end-to-end tests and the benchmarks talk from loopback."""
    assert {_say(proxied)[0] for _ in range(ADDRESS_LIMIT + 2)} == {200}
    assert {_say(proxied, "::1")[0] for _ in range(ADDRESS_LIMIT + 2)} == {200}


def _request(remote_addr: str = "", ip: str = "", forwarded: Optional[str] = None, proxies: Optional[int] = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    app = SimpleNamespace(config=SimpleNamespace(PROXIES_COUNT=proxies))
    return SimpleNamespace(remote_addr=remote_addr, ip=ip, headers=headers, app=app)


def test_without_a_proxy_the_peer_is_the_client_and_is_counted():
    limit = AddressLimit(MemoryRateLimiter(2, 60))

    def wait(peer: str) -> Optional[int]:
        return asyncio.run(limit.wait(_request(ip=peer, forwarded="10.0.0.1")))

    assert [wait(CLIENT), wait(CLIENT), wait(CLIENT) is not None, wait(NEIGHBOUR)] == [None, None, True, None]


def test_a_forwarded_ipv6_address_is_counted_by_its_network_whatever_sanics_brackets():
    seen: List[Tuple[str, str]] = []

    class Recording:
        async def allow(self, channel: str, sender: str) -> Optional[int]:
            seen.append((channel, sender))
            return None

    asyncio.run(AddressLimit(Recording()).wait(_request(remote_addr="[2001:db8:1:2::9]", proxies=1)))
    assert seen == [("address", "2001:db8:1:2::/64")]  # RedisRateLimiter keys hold a SHA-256 of it


def test_the_process_has_one_address_limit_for_both_website_channels(tmp_path):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path), "PATIENT_ADDRESS_LIMIT": "9"})
    rest, widget = (
        GuardedRestInput(MemoryRateLimiter(1, 60)),
        WidgetInput(MemoryRateLimiter(1, 60), WidgetTokens(SECRET)),
    )
    assert guard.address_limit(settings) is guard.address_limit(dataclasses.replace(settings))
    assert guard.address_limit(settings).limiter.limit == 9
    assert rest.addresses is widget.addresses  # both from this process's settings


# --- a full line into Rasa -----------------------------------------------------------


def _until(condition: Callable[[], bool]) -> None:
    """Poll until the server reaches `condition` (bounded by SAFETY_S, as a safety net only)."""
    for _ in range(int(SAFETY_S / 0.005)):
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("the server never reached the expected state")


@pytest.fixture
def held(bot) -> Iterator[Tuple[str, Gate, ThreadPoolExecutor]]:
    """One place and a line of one; the bot holds each message until `bot.hold` is set."""
    gate = Gate(1, 1)
    app, _ = _app(bot, proxies=1, gate=gate)
    bot.hold.clear()
    with serving(app) as base, ThreadPoolExecutor(max_workers=4) as pool:
        try:
            yield base, gate, pool
        finally:
            bot.hold.set()


def test_a_message_finding_the_line_full_gets_503_with_retry_after_and_never_reaches_rasa(held, bot):
    base, gate, pool = held
    inside: Future = pool.submit(_say, base, CLIENT, "inside")
    _until(lambda: bot.entered == ["rest:inside"])
    waiting: Future = pool.submit(_say, base, CLIENT, "waiting")
    _until(lambda: gate.waiting == 1)
    status, headers, body = _say(base, NEIGHBOUR, "refused")
    assert status == 503 and headers["Retry-After"] == str(RETRY_AFTER_S) and "busy" in body["error"]
    bot.hold.set()
    assert [inside.result(SAFETY_S)[0], waiting.result(SAFETY_S)[0]] == [200, 200]
    assert [message.sender_id for message in bot.received] == ["rest:inside", "rest:waiting"]
    assert _say(base, NEIGHBOUR, "later")[0] == 200  # room again


@pytest.mark.parametrize("stream", [False, True])
def test_a_message_the_gate_refuses_after_the_check_gets_the_apology_and_never_reaches_rasa(bot, stream):
    gate = Gate(1, 1)
    app, rest = _app(bot, proxies=1, gate=gate)
    rest.gate = Gate(1, 1000)  # the channel's check saw room: the line filled after the check
    bot.hold.clear()
    with serving(app) as base, ThreadPoolExecutor(max_workers=4) as pool:
        try:
            inside = pool.submit(_say, base, CLIENT, "inside")
            _until(lambda: bot.entered == ["rest:inside"])
            waiting = pool.submit(_say, base, CLIENT, "waiting")
            _until(lambda: gate.waiting == 1)
            status, text = _read_to_end(base + REST + ("?stream=true" if stream else ""))
        finally:
            bot.hold.set()
        assert [inside.result(SAFETY_S)[0], waiting.result(SAFETY_S)[0]] == [200, 200]
    assert [message.sender_id for message in bot.received] == ["rest:inside", "rest:waiting"]
    assert status == 200
    if stream:
        assert text == ""  # the stream ends: an exception inside Rasa's stream would never end it
    else:
        assert "something went wrong on our side" in json.loads(text)[0]["text"]


def _read_to_end(url: str) -> Tuple[int, str]:
    """(status, whole body) of one message to `url`, a streamed answer read to its end."""
    request = urllib.request.Request(
        url, data=json.dumps({"sender": "refused", "message": "hi"}).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Forwarded-For": NEIGHBOUR},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=SAFETY_S) as response:
        return response.status, response.read().decode()


# --- SMS with a full line ------------------------------------------------------------


@pytest.fixture
def sms_store(tmp_path) -> Iterator[SmsStore]:
    url = f"sqlite:///{tmp_path / 'sms.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield SmsStore(session_factory(engine))
    engine.dispose()


def test_a_text_finding_the_line_full_gets_the_outage_answer_at_once(tmp_path, domain, sms_store):
    """Twilio would not pass a 503 on to the patient, so the text is answered with the number to call."""
    settings = dataclasses.replace(
        Settings.from_env({"VAR_DIR": str(tmp_path / "var"), "TWILIO_AUTH_TOKEN": TWILIO_TOKEN}),
        message_concurrency=1, message_queue_limit=1,
    )  # fmt: skip
    release, entered, sms_bot = threading.Event(), [], ScriptedSmsBot()

    async def held_bot(message: UserMessage) -> None:
        entered.append(message.sender_id)
        while not release.is_set():
            await asyncio.sleep(0.005)
        await sms_bot(message)

    app = Sanic(f"abuse-sms-{uuid.uuid4().hex}")
    app.ctx.agent = SimpleNamespace(domain=domain)
    app.blueprint(TwilioInput(settings, sms_store).blueprint(held_bot), url_prefix="/webhooks/twilio")
    gate = channel_gate(settings)
    with serving(app) as base, ThreadPoolExecutor(max_workers=4) as pool:
        webhook = base + "/webhooks/twilio/webhook"

        def text(phone: str) -> Tuple[int, str]:
            return twilio_client.post(webhook, twilio_client.sms_params(phone, "hello"), TWILIO_TOKEN)

        try:
            first = pool.submit(text, "+16465550101")
            _until(lambda: entered == ["sms:+16465550101"])
            second = pool.submit(text, "+16465550102")
            _until(lambda: gate.waiting == 1)
            status, twiml = text("+16465550103")
        finally:
            release.set()
        assert [first.result(SAFETY_S)[0], second.result(SAFETY_S)[0]] == [200, 200]
    assert status == 200
    [answer] = twilio_client.messages(twiml)
    assert "can't answer texts right now" in answer and "Emergency: 911." in answer
    assert [message.sender_id for message in sms_bot.received] == ["sms:+16465550101", "sms:+16465550102"]
