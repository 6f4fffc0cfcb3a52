"""The guarded REST channel, mounted as `rasa run` mounts it, with Rasa replaced by a scripted bot.

What reaches the bot is what a patient may send: payloads of the domain's own intents
only, at most 2,000 characters, always on the "rest" channel and in its own `rest:`
conversations, and no more than the rate limit allows. Whatever the body, the answer is
never a 500.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
import uuid
from types import SimpleNamespace
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import UserMessage, register
from rasa.core.run import create_http_input_channels
from rasa.server import configure_cors
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.conversation_ids import namespace_of, sms_number
from bot.rasa_server.channels.guard import MemoryRateLimiter
from bot.rasa_server.channels.rest import MAX_TEXT_CHARS, GuardedRestInput
from bot.settings import PROJECT_ROOT, Settings
from tests.http_server import call, serving

PATH = "/webhooks/rest/webhook"
LIMIT = 5
ORIGIN = "https://clinic.example"


class ScriptedBot:
    """Stands in for Rasa's agent: records each message and echoes it back."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.received: List[UserMessage] = []
        self.silent = False  # as Rasa is when its action server is down mid-form

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if not self.silent:
            await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def bot(domain) -> ScriptedBot:
    return ScriptedBot(domain)


@pytest.fixture
def url(bot) -> Iterator[str]:
    """The webhook of an app configured as `rasa run --cors ORIGIN` with our credentials."""
    app = Sanic(f"rest-test-{uuid.uuid4().hex}")
    app.ctx.agent = bot
    configure_cors(app, [ORIGIN])
    register([GuardedRestInput(MemoryRateLimiter(LIMIT, 60))], app, route="/webhooks/")
    with serving(app) as base:
        yield base + PATH


def _post(url: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], Any]:
    """(status, headers, parsed JSON body); HTTP errors are results, not exceptions."""
    return call(url, "POST", body=body, headers={"Content-Type": "application/json", **(headers or {})})


def _say(url: str, body: Any, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], Any]:
    return _post(url, json.dumps(body).encode("utf-8"), headers)


def _sender() -> str:
    return f"web-{uuid.uuid4().hex}"


# --- what reaches the bot ------------------------------------------------------------


def test_the_channel_keeps_rasas_name_and_url_and_is_what_credentials_yml_loads():
    [channel] = [
        c for c in create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml")) if c.name() == "rest"
    ]
    assert isinstance(channel, GuardedRestInput) and channel.url_prefix() == "rest"


def test_a_message_reaches_the_bot_on_the_rest_channel_and_its_answer_comes_back(url, bot):
    sender = _sender()
    status, _, messages = _say(url, {"sender": sender, "message": "how long will I be red?"})
    assert status == 200 and messages == [{"recipient_id": f"rest:{sender}", "text": "echo: how long will I be red?"}]
    [message] = bot.received
    assert (message.sender_id, message.input_channel, message.metadata) == (f"rest:{sender}", "rest", None)


@pytest.mark.parametrize(
    "sender", ["+16465550123", "sms:+16465550123", "widget:AAAAAAAAAAAAAAAAAAAAAAAA", "rest:x", "eval-0a1b"]
)
def test_a_sender_only_ever_names_a_rest_conversation(url, bot, sender):
    """An SMS patient's number, or another channel's id, as `sender` is a fresh REST conversation of its own."""
    assert _say(url, {"sender": sender, "message": "what did I book?"})[0] == 200
    assert bot.received[-1].sender_id == f"rest:{sender}"
    assert namespace_of(bot.received[-1].sender_id) == "rest" and sms_number(bot.received[-1].sender_id) is None


def test_when_the_bot_answers_nothing_the_patient_gets_an_apology_with_the_contact(url, bot):
    bot.silent = True
    sender = _sender()
    status, _, [message] = _say(url, {"sender": sender, "message": "Priya Shah"})
    assert status == 200 and message["recipient_id"] == f"rest:{sender}"
    assert "something went wrong on our side" in message["text"] and "Emergency: 911." in message["text"]


@pytest.mark.parametrize(
    "typed, seen",
    [
        ("/faq_pain", "/faq_pain"),
        ('/faq_pain{"x":1}', 'faq_pain{"x":1}'),
        ('/inform{"booking_confirmed": true}', 'inform{"booking_confirmed": true}'),
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ("/faq_pain@0.99", "faq_pain@0.99"),
    ],
)
def test_only_the_domains_own_payloads_reach_the_bot_as_payloads(url, bot, typed, seen):
    assert _say(url, {"sender": _sender(), "message": typed})[0] == 200
    assert bot.received[-1].text == seen


def test_the_streamed_answer_is_guarded_too(url, bot):
    status, _, message = _say(url + "?stream=true", {"sender": _sender(), "message": "/restart"})
    assert status == 200 and message["text"] == "echo: restart"
    assert bot.received[-1].text == "restart"


def test_the_body_cannot_claim_to_be_sms_or_carry_metadata(url, bot):
    body = {"sender": "+16465550123", "message": "book me", "input_channel": "twilio", "metadata": {"x": 1}}
    assert _say(url, body)[0] == 200
    assert (bot.received[-1].input_channel, bot.received[-1].metadata) == ("rest", None)


def test_long_messages_are_truncated(url, bot):
    assert _say(url, {"sender": _sender(), "message": "a" * 5000})[0] == 200
    assert bot.received[-1].text == "a" * MAX_TEXT_CHARS


@pytest.mark.parametrize("message", ["", "   \n\t "], ids=["empty", "blank"])
def test_empty_messages_go_to_the_bot_as_rasa_would_take_them(url, bot, message):
    status, _, messages = _say(url, {"sender": _sender(), "message": message})
    assert status == 200 and len(messages) == 1
    assert bot.received[-1].text == ""  # Rasa's UserMessage strips it; NLU reads it as nlu_fallback


def test_lone_surrogates_become_replacement_characters(url, bot):
    body = b'{"sender": "web-1", "message": "hi \\ud800 there"}'
    assert _post(url, body)[0] == 200
    assert bot.received[-1].text == "hi \ufffd there"


def test_the_health_check_is_rasas(url):
    with urllib.request.urlopen(url.rsplit("/", 1)[0] + "/", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok"}


# --- bad bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b'{"sender": "a", "message": ',
        b"\xff\xfe",
        b"[]",
        b'"hello"',
        b"null",
        b'{"message": "hi"}',
        b'{"sender": null, "message": "hi"}',
        b'{"sender": 42, "message": "hi"}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": "a\\u0000b", "message": "hi"}',
        b'{"sender": "a\\ud800", "message": "hi"}',
        b'{"sender": "' + b"s" * 256 + b'", "message": "hi"}',
        b'{"sender": "a"}',
        b'{"sender": "a", "message": null}',
        b'{"sender": "a", "message": 7}',
        b'{"sender": "a", "message": ["hi"]}',
    ],
)
def test_a_body_rasa_cannot_handle_is_a_400_with_a_json_error(url, bot, body):
    status, headers, answer = _post(url, body, {"Origin": ORIGIN})
    assert status == 400 and isinstance(answer["error"], str)
    assert headers["Access-Control-Allow-Origin"] == ORIGIN  # the widget can read why
    assert bot.received == []


def test_a_sender_fits_the_tracker_stores_255_characters_with_its_namespace(url, bot):
    assert _say(url, {"sender": "s" * 250, "message": "hi"})[0] == 200
    assert bot.received[-1].sender_id == "rest:" + "s" * 250
    assert _say(url, {"sender": "s" * 251, "message": "hi"})[0] == 400


def test_a_huge_body_is_a_413(url, bot):
    status, _, answer = _say(url, {"sender": "a", "message": "x" * 100_000})
    assert status == 413 and "error" in answer
    assert bot.received == []


# --- rate limit ----------------------------------------------------------------------


def test_past_the_limit_the_answer_is_polite_with_retry_after_and_the_bot_sees_nothing(url, bot):
    sender = _sender()
    for _ in range(LIMIT):
        assert _say(url, {"sender": sender, "message": "hi"})[0] == 200
    status, headers, messages = _say(url, {"sender": sender, "message": "hi again"}, {"Origin": ORIGIN})
    assert status == 200 and 1 <= int(headers["Retry-After"]) <= 60
    [answer] = messages
    assert answer["recipient_id"] == f"rest:{sender}"
    assert "faster than I can answer" in answer["text"] and "Emergency: 911." in answer["text"]
    assert "Atalo Aesthetics" in answer["text"]  # the clinic's contact, filled in
    assert headers["Access-Control-Allow-Origin"] == ORIGIN  # so the widget can read it
    assert len(bot.received) == LIMIT
    assert _say(url, {"sender": _sender(), "message": "hi"})[0] == 200  # others are not limited
    assert len(bot.received) == LIMIT + 1


def test_a_bad_body_does_not_count_against_the_sender(url, bot):
    sender = _sender()
    for _ in range(LIMIT + 2):
        assert _say(url, {"sender": sender, "message": 1})[0] == 400
    assert _say(url, {"sender": sender, "message": "hi"})[0] == 200
    assert len(bot.received) == 1


def test_before_a_model_is_loaded_the_limit_still_answers_with_retry_after(bot):
    app = Sanic(f"rest-test-{uuid.uuid4().hex}")
    app.ctx.agent = SimpleNamespace(domain=None, handle_message=bot.handle_message)
    register([GuardedRestInput(MemoryRateLimiter(1, 60))], app, route="/webhooks/")
    with serving(app) as base:
        _say(base + PATH, {"sender": "a", "message": "/faq_pain"})
        status, headers, messages = _say(base + PATH, {"sender": "a", "message": "hi"})
    assert (status, messages) == (200, []) and int(headers["Retry-After"]) >= 1
    assert [m.text for m in bot.received] == ["faq_pain"]  # no domain: no payload passes


def test_the_limits_come_from_settings(tmp_path, monkeypatch):
    settings = dataclasses.replace(Settings.from_env({"VAR_DIR": str(tmp_path)}), patient_rate_limit=3)
    monkeypatch.setattr("bot.rasa_server.channels.rest.get_settings", lambda: settings)
    limiter = GuardedRestInput.from_credentials(None).limiter
    assert isinstance(limiter, MemoryRateLimiter) and limiter.limit == 3


# --- no body makes it fail -----------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
_BODIES = st.one_of(
    _JSON,
    st.fixed_dictionaries(
        {"sender": st.text(max_size=300) | _JSON, "message": st.text(max_size=3000) | _JSON},
        optional={"input_channel": _JSON, "metadata": _JSON},
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_BODIES)
def test_no_json_body_gets_a_500(url, body):
    status, _, answer = _say(url, body)
    assert status in (200, 400), (status, answer)
    assert isinstance(answer, list) if status == 200 else isinstance(answer.get("error"), str)
