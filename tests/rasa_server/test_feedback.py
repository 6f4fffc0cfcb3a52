"""Patients' feedback as the Rasa server's channels take it: the widget's rating of an
answer of its own conversation, and an SMS saying the last answer did not help."""

import asyncio
import dataclasses
import json
import uuid
from types import SimpleNamespace
from typing import Iterator, List

import pytest
from rasa.core.channels.channel import UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.server import configure_cors
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic
from sqlalchemy import select

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import AnswerFeedback
from bot.insights.feedback import FeedbackStore
from bot.rasa_server.channels.guard import MemoryRateLimiter
from bot.rasa_server.channels.twilio import TwilioInput
from bot.rasa_server.channels.widget import WidgetInput
from bot.rasa_server.channels.widget_tokens import WidgetTokens
from bot.rasa_server.feedback import FeedbackRecorder, answer_to_rate, responses
from bot.settings import Settings
from bot.sms.store import SmsStore
from tests import twilio_client
from tests.http_server import call, serving
from tests.rasa_server.channels.test_twilio import PATH as SMS_PATH
from tests.rasa_server.channels.test_twilio import PHONE, TOKEN
from tests.rasa_server.channels.test_widget import DOMAIN, ORIGIN, SECRET

BASE = "/webhooks/widget"
LIMIT = 4
ANSWERS = {"does it hurt": "utter_faq_pain", "hi": "utter_greet"}  # what the scripted bot answers with


def _said(text: str, response: str) -> List:
    return [UserUttered(text), BotUttered(f"({response})", metadata={"utter_action": response})]


class AnsweringBot:
    """Stands in for Rasa: answers from ANSWERS and saves the turn, response name included, as Rasa does."""

    def __init__(self) -> None:
        self.tracker_store = InMemoryTrackerStore(DOMAIN)
        self.domain = DOMAIN
        self.received: List[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        response = ANSWERS.get(message.text, "utter_default")
        tracker = await self.tracker_store.retrieve(message.sender_id)
        events = list(tracker.events) if tracker else []
        await self.tracker_store.save(
            DialogueStateTracker.from_events(message.sender_id, events + _said(message.text, response))
        )
        await message.output_channel.send_text_message(message.sender_id, f"({response})")

    __call__ = handle_message  # the SMS channel calls its handler directly


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'our.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield url, session_factory(engine)
    engine.dispose()


def _rows(sessions):
    with sessions() as session:
        return [
            (r.conversation_id, r.response, r.helpful, r.comment)
            for r in session.execute(select(AnswerFeedback)).scalars()
        ]


# --- the widget ------------------------------------------------------------------------


@pytest.fixture
def bot() -> AnsweringBot:
    return AnsweringBot()


@pytest.fixture
def site(bot, database, tmp_path) -> Iterator[str]:
    _, sessions = database
    app = Sanic(f"feedback-{uuid.uuid4().hex}")
    app.ctx.agent = bot
    configure_cors(app, [ORIGIN])
    recorder = FeedbackRecorder(Settings.from_env({"VAR_DIR": str(tmp_path)}), FeedbackStore(sessions))
    register([WidgetInput(MemoryRateLimiter(LIMIT, 60), WidgetTokens(SECRET), recorder)], app, route="/webhooks/")
    with serving(app) as url:
        yield url + BASE


def _post(url, body):
    return call(
        url, "POST", body=json.dumps(body).encode(), headers={"Content-Type": "application/json", "Origin": ORIGIN}
    )


def _conversation(site) -> str:
    return _post(f"{site}/conversations", {})[2]["token"]


def test_a_reply_holding_an_answer_offers_it_for_rating_and_a_greeting_does_not(site):
    token = _conversation(site)
    status, _, messages = _post(f"{site}/webhook", {"sender": token, "message": "does it hurt"})
    assert status == 200 and messages[-1]["rate"] == "utter_faq_pain"
    assert "rate" not in _post(f"{site}/webhook", {"sender": token, "message": "hi"})[2][-1]


def test_a_rating_of_an_answer_of_ones_own_conversation_is_stored_before_the_200(site, database):
    token = _conversation(site)
    _post(f"{site}/webhook", {"sender": token, "message": "does it hurt"})
    rating = {"sender": token, "answer": "utter_faq_pain", "helpful": False, "comment": "It did not say how long"}
    status, headers, body = _post(f"{site}/feedback", rating)
    assert (status, body, headers["Cache-Control"]) == (200, {"ok": True}, "no-store")
    conversation = WidgetTokens(SECRET).conversation(token)
    assert _rows(database[1]) == [(conversation, "utter_faq_pain", False, "It did not say how long")]


def test_a_patient_rates_only_answers_said_in_their_own_conversation(site, database):
    mine, theirs = _conversation(site), _conversation(site)
    _post(f"{site}/webhook", {"sender": theirs, "message": "does it hurt"})
    _post(f"{site}/webhook", {"sender": mine, "message": "hi"})
    assert _post(f"{site}/feedback", {"sender": mine, "answer": "utter_faq_pain", "helpful": True})[0] == 404
    assert _post(f"{site}/feedback", {"sender": mine, "answer": "utter_greet", "helpful": True})[0] == 404
    forged = WidgetTokens(SECRET).conversation(theirs)  # the stored id, not a token
    assert _post(f"{site}/feedback", {"sender": forged, "answer": "utter_faq_pain", "helpful": True})[0] == 403
    assert _rows(database[1]) == []


@pytest.mark.parametrize(
    "change",
    [{"helpful": "yes"}, {"answer": None}, {"comment": "x" * 501}, {"comment": 5}],
)
def test_a_bad_rating_is_a_400(site, change):
    token = _conversation(site)
    _post(f"{site}/webhook", {"sender": token, "message": "does it hurt"})
    rating = {"sender": token, "answer": "utter_faq_pain", "helpful": True, **change}
    assert _post(f"{site}/feedback", rating)[0] == 400


def test_ratings_have_their_own_budget_per_conversation(site):
    token = _conversation(site)
    _post(f"{site}/webhook", {"sender": token, "message": "does it hurt"})
    rating = {"sender": token, "answer": "utter_faq_pain", "helpful": True}
    statuses = [_post(f"{site}/feedback", rating)[0] for _ in range(LIMIT + 1)]
    assert statuses == [200] * LIMIT + [429]


def test_the_answer_to_rate_is_the_last_answer_since_the_patients_last_message():
    tracker = DialogueStateTracker.from_events(
        "widget:x", _said("does it hurt", "utter_faq_pain") + _said("hi", "utter_greet")
    )
    assert responses(tracker) == ["utter_faq_pain", "utter_greet"]
    assert answer_to_rate(tracker) is None  # the latest reply was a greeting
    assert answer_to_rate(None) is None


# --- SMS ---------------------------------------------------------------------------------


@pytest.fixture
def sms(tmp_path, database, bot) -> Iterator[str]:
    url, sessions = database
    settings = dataclasses.replace(
        Settings.from_env({"VAR_DIR": str(tmp_path / "var"), "TWILIO_AUTH_TOKEN": TOKEN}), database_url=url
    )
    app = Sanic(f"sms-feedback-{uuid.uuid4().hex}")
    app.ctx.agent = bot
    app.blueprint(TwilioInput(settings, SmsStore(sessions)).blueprint(bot), url_prefix="/webhooks/twilio")
    with serving(app) as base:
        yield base + SMS_PATH


def _text(url: str, body: str) -> List[str]:
    status, twiml = twilio_client.post(url, twilio_client.sms_params(PHONE, body, None), TOKEN)
    assert status == 200, twiml
    return twilio_client.messages(twiml)


def test_a_text_saying_the_answer_did_not_help_is_recorded_and_told_how_to_reach_the_clinic(sms, bot, database):
    _text(sms, "does it hurt")
    reply = _text(sms, "that didn't really help")
    assert len(bot.received) == 1  # answered by the channel, not read as thanks by the assistant
    assert "doesn't cover that" in reply[-1] and "call" in reply[-1].lower()
    assert _rows(database[1]) == [(f"sms:{PHONE}", "utter_faq_pain", False, "that didn't really help")]


def test_without_an_answer_to_rate_the_text_goes_to_the_assistant(sms, bot, database):
    _text(sms, "hi")
    _text(sms, "that didn't help")
    assert [m.text for m in bot.received] == ["hi", "that didn't help"] and _rows(database[1]) == []


def test_a_recorder_without_an_answer_stores_nothing(database):
    agent = SimpleNamespace(tracker_store=InMemoryTrackerStore(DOMAIN))
    recorder = FeedbackRecorder(Settings.from_env({}), FeedbackStore(database[1]))
    assert asyncio.run(recorder.not_helpful(agent, "sms:+1", "no help")) is None


def test_rasa_names_the_response_of_each_answer_in_its_bot_event():
    """The internal `bot.rasa_server.feedback` reads (docs/rasa-internals.md): ActionBotResponse
    puts the response's name into the BotUttered's metadata, which the tracker store keeps."""
    from rasa.core.actions.action import ActionBotResponse
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    tracker = DialogueStateTracker.from_events("widget:x", [UserUttered("does it hurt")])
    made = asyncio.run(
        ActionBotResponse("utter_faq_pain").run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker, DOMAIN
        )
    )
    [answer] = [event for event in made if isinstance(event, BotUttered)]
    assert (
        Event.from_parameters(answer.as_dict()).metadata["utter_action"] == "utter_faq_pain"
    )  # as stored and read back
    tracker.update(answer)
    assert responses(tracker) == ["utter_faq_pain"]
