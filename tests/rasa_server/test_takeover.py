"""Taking a conversation over, replying and handing back: events in the real tracker store,
under the real lock store, read back by the same reader the channels ask."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator, List, Optional

import pytest
from rasa.core.agent import Agent
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.rasa_server import takeover
from bot.rasa_server.takeover import NoSuchConversation, StaffMember, TakeoverConflict, Takeovers, Texting
from bot.rasa_server.tracker_store import FastSQLTrackerStore
from bot.settings import PROJECT_ROOT, Settings, get_settings
from bot.sms.delivery import SmsDelivery
from bot.transcripts.takeovers import NOTICE_KEY, SMS_KEY
from tests.sms_api_stand_in import ACCOUNT_SID, messages_api

SENDER = "widget:patient-1"
SMS_SENDER = "sms:+16465550123"
ANA = StaffMember(name="Ana", actor="ana@clinic.example")
CLINIC = get_settings().clinic.name
WEB = Texting(None)  # website conversations need no texting (SMS ones are tested in test_takeover_sms.py)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


class Parses:
    """A stand-in for the model's NLU: each text's intent, as the test says."""

    def __init__(self) -> None:
        self.intents: Dict[str, str] = {}

    async def __call__(self, text: str) -> Dict[str, Any]:
        name = self.intents.get(text, "faq_pain")
        entities = [{"entity": "red_flag", "value": "fever"}] if name.startswith("red_flag") else []
        return {"text": text, "intent": {"name": name, "confidence": 0.9}, "entities": entities}


@pytest.fixture
def world(tmp_path: Path, domain: Domain) -> SimpleNamespace:
    """A tracker store on SQLite with two conversations, the lock store and the reader the channels use."""
    path = tmp_path / "tracker.db"
    store = FastSQLTrackerStore(domain, dialect="sqlite", db=str(path))
    for sender in (SENDER, SMS_SENDER):
        tracker = DialogueStateTracker.from_events(
            sender, [ActionExecuted("action_session_start"), SessionStarted(), UserUttered("I want a person")]
        )
        asyncio.run(store.save(tracker))
    parses = Parses()
    # The store as Rasa hands it to the agent: wrapped (FailSafeTrackerStore), as in a real server.
    wrapped = Agent._create_tracker_store(store, domain)
    agent = SimpleNamespace(domain=domain, tracker_store=wrapped, lock_store=InMemoryLockStore(), parse_message=parses)
    return SimpleNamespace(agent=agent, takeovers=Takeovers(), store=store, parses=parses)


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def _bot_texts(world: SimpleNamespace, sender: str = SENDER) -> List[BotUttered]:
    tracker = _run(world.store.retrieve(sender))
    return [event for event in tracker.events if isinstance(event, BotUttered)]


def test_taking_over_pauses_and_tells_the_patient_who_joined(world):
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    tracker = _run(world.store.retrieve(SENDER))
    assert tracker.is_paused()
    [joined] = _bot_texts(world)
    assert joined.text.startswith(f"Ana from {CLINIC}") and "Emergency: 911" in joined.text
    assert joined.metadata["staff"] == "Ana" and joined.metadata["notice"] == "joined"
    taken = _run(world.takeovers.active(world.agent, SENDER))
    assert (taken.staff, taken.actor) == ("Ana", "ana@clinic.example")
    assert _run(world.takeovers.active(world.agent, SMS_SENDER)) is None  # another conversation is untouched


def test_a_second_take_over_is_refused_so_the_patient_is_told_once(world):
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    with pytest.raises(TakeoverConflict, match="already taken over by Ana"):
        _run(takeover.take_over(world.agent, world.takeovers, SENDER, StaffMember("Ben", "ben@clinic.example"), WEB))
    assert len(_bot_texts(world)) == 1


def test_a_reply_is_stored_with_its_author_only_while_taken_over(world):
    with pytest.raises(TakeoverConflict):
        _run(takeover.reply(world.agent, world.takeovers, SENDER, ANA, "Hello", WEB))
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    _run(takeover.reply(world.agent, world.takeovers, SENDER, ANA, "Hi, this is Ana. How can I help?", WEB))
    reply = _bot_texts(world)[-1]
    assert reply.text == "Hi, this is Ana. How can I help?"
    assert reply.metadata == {"staff": "Ana", "actor": "ana@clinic.example"}


def test_handing_back_resumes_the_assistant_and_says_so(world):
    with pytest.raises(TakeoverConflict):
        _run(takeover.hand_back(world.agent, world.takeovers, SENDER, ANA, WEB))
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    _run(takeover.hand_back(world.agent, world.takeovers, SENDER, ANA, WEB))
    tracker = _run(world.store.retrieve(SENDER))
    assert not tracker.is_paused()
    assert _bot_texts(world)[-1].text.startswith(f"You're back with {CLINIC}")
    assert _run(world.takeovers.active(world.agent, SENDER)) is None


def test_an_unknown_conversation_is_not_created(world):
    with pytest.raises(NoSuchConversation):
        _run(takeover.take_over(world.agent, world.takeovers, "widget:nobody", ANA, WEB))
    assert not _run(world.store.exists("widget:nobody"))


def test_a_take_over_outlasts_a_new_session(world):
    """Rasa's new session (after an idle hour) clears the pause; the take-over reads every session."""
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    tracker = _run(world.store.retrieve(SENDER))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    _run(world.store.save(tracker))
    assert not _run(world.store.retrieve(SENDER)).is_paused()
    assert _run(world.takeovers.active(world.agent, SENDER)).staff == "Ana"


def test_a_patient_message_while_taken_over_is_stored_and_not_answered(world):
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    answer = _run(takeover.log_patient_message(world.agent, world.takeovers, SENDER, "is it sore after?", "widget"))
    assert answer == []
    last = _run(world.store.retrieve(SENDER)).events[-1]
    assert isinstance(last, UserUttered) and last.text == "is it sore after?"
    assert last.intent["name"] == "faq_pain" and last.input_channel == "widget"


def test_a_red_flag_while_taken_over_still_gets_the_safety_answer_and_alerts_staff(world, monkeypatch):
    submitted: List[Any] = []
    monkeypatch.setattr(takeover, "get_handoff_service", lambda: SimpleNamespace(submit=submitted.append))
    world.parses.intents["my face is swelling and I can't breathe"] = "red_flag_emergency"
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    text = "my face is swelling and I can't breathe"
    answer = _run(takeover.log_patient_message(world.agent, world.takeovers, SENDER, text, "widget"))
    assert len(answer) == 1 and "911" in answer[0]["text"]
    assert _bot_texts(world)[-1].text == answer[0]["text"]  # in the transcript too
    [handoff] = submitted
    assert (handoff.kind, handoff.sender_id, handoff.contact, handoff.red_flags) == ("red_flag", SENDER, None, "fever")


def test_when_the_store_cannot_be_read_the_assistant_answers_as_usual(tmp_path, domain):
    store = FastSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    store.engine = make_engine(f"sqlite:///{tmp_path}/missing/dir/x.db")  # a store that went away
    assert _run(Takeovers().active(SimpleNamespace(tracker_store=store), SENDER)) is None


def test_a_store_without_sql_is_read_from_the_whole_conversation(domain):
    store = InMemoryTrackerStore(domain)
    agent = SimpleNamespace(domain=domain, tracker_store=store, lock_store=InMemoryLockStore())
    _run(store.save(DialogueStateTracker.from_events(SENDER, [UserUttered("hi")])))
    _run(takeover.take_over(agent, Takeovers(), SENDER, ANA, WEB))
    assert _run(Takeovers().active(agent, SENDER)).staff == "Ana"
    _run(takeover.hand_back(agent, Takeovers(), SENDER, ANA, WEB))
    assert _run(Takeovers().active(agent, SENDER)) is None


def test_a_message_that_cannot_be_read_is_stored_and_staff_are_alerted(world, monkeypatch):
    """Unsure whether it reports a symptom: escalate, never drop it."""
    submitted: List[Any] = []
    monkeypatch.setattr(takeover, "get_handoff_service", lambda: SimpleNamespace(submit=submitted.append))

    async def broken(text: str) -> Dict[str, Any]:
        raise RuntimeError("the model failed")

    world.agent.parse_message = broken
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    assert _run(takeover.log_patient_message(world.agent, world.takeovers, SENDER, "ow ow ow", "widget")) == []
    assert _run(world.store.retrieve(SENDER)).events[-1].text == "ow ow ow"
    [handoff] = submitted
    assert (handoff.kind, handoff.question) == ("red_flag", "ow ow ow")


# SMS: the notices and replies are texted through the Messages API (a stand-in on loopback).

CLINIC_NUMBER = "+15550100999"
PATIENT_NUMBER = SMS_SENDER.split(":", 1)[1]
TWILIO_TOKEN = "takeover-test-auth-token"


@pytest.fixture
def texting(tmp_path: Path) -> Iterator[SimpleNamespace]:
    """Real SMS delivery on a migrated SQLite database, sending to the Messages API stand-in."""
    url = f"sqlite:///{tmp_path}/handoffs.db"
    upgrade(url)
    with messages_api(TWILIO_TOKEN) as api:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM_NUMBER": CLINIC_NUMBER,
            "TWILIO_API_URL": api.url,
        }
        delivery = SmsDelivery.from_settings(Settings.from_env(env))
        yield SimpleNamespace(texting=Texting(delivery), api=api, store=delivery.store, outbox=delivery.outbox)


def _sms_of(event: BotUttered, texting: SimpleNamespace) -> Any:
    return texting.outbox.deliveries([event.metadata[SMS_KEY]])[event.metadata[SMS_KEY]]


def test_an_sms_take_over_texts_who_joined_from_the_clinics_number(world, texting):
    _run(takeover.take_over(world.agent, world.takeovers, SMS_SENDER, ANA, texting.texting))
    [notice] = _bot_texts(world, SMS_SENDER)
    [sent] = texting.api.to(PATIENT_NUMBER)
    assert (sent.from_, sent.body) == (CLINIC_NUMBER, notice.text) and "Ana" in sent.body
    assert _sms_of(notice, texting).status == "queued"


def test_an_sms_reply_is_stored_with_its_author_and_texted(world, texting):
    _run(takeover.take_over(world.agent, world.takeovers, SMS_SENDER, ANA, texting.texting))
    message, sent = _run(
        takeover.reply(world.agent, world.takeovers, SMS_SENDER, ANA, "Hi, Ana here.", texting.texting)
    )
    assert texting.api.to(PATIENT_NUMBER)[-1].body == "Hi, Ana here."
    assert (sent.status, _bot_texts(world, SMS_SENDER)[-1].metadata["staff"]) == ("queued", "Ana")
    assert _sms_of(message, texting).status == "queued"


def test_without_texting_set_up_an_sms_conversation_is_not_taken_over(world):
    with pytest.raises(TakeoverConflict, match="call the patient"):
        _run(takeover.take_over(world.agent, world.takeovers, SMS_SENDER, ANA, Texting(None)))
    assert _bot_texts(world, SMS_SENDER) == [] and _run(world.takeovers.active(world.agent, SMS_SENDER)) is None


def test_a_patient_who_opted_out_is_neither_taken_over_nor_texted(world, texting):
    texting.store.set_opted_out(PATIENT_NUMBER, True)
    with pytest.raises(TakeoverConflict, match="opted out of texts"):
        _run(takeover.take_over(world.agent, world.takeovers, SMS_SENDER, ANA, texting.texting))
    assert texting.api.sent == [] and _bot_texts(world, SMS_SENDER) == []


def test_after_the_patient_texts_stop_a_reply_is_refused_and_nothing_is_sent(world, texting):
    _run(takeover.take_over(world.agent, world.takeovers, SMS_SENDER, ANA, texting.texting))
    texting.store.set_opted_out(PATIENT_NUMBER, True)
    with pytest.raises(TakeoverConflict, match="opted out of texts"):
        _run(takeover.reply(world.agent, world.takeovers, SMS_SENDER, ANA, "Hello?", texting.texting))
    assert len(texting.api.sent) == 1 and _bot_texts(world, SMS_SENDER)[-1].text != "Hello?"
    # Handing back still works, and texts nothing more.
    _run(takeover.hand_back(world.agent, world.takeovers, SMS_SENDER, ANA, texting.texting))
    assert len(texting.api.sent) == 1 and _run(world.takeovers.active(world.agent, SMS_SENDER)) is None


def test_a_reply_twilio_refuses_stays_in_the_record_as_not_sent_and_the_opt_out_is_learnt(world, texting):
    _run(takeover.take_over(world.agent, world.takeovers, SMS_SENDER, ANA, texting.texting))
    texting.api.unsubscribed.add(PATIENT_NUMBER)  # the patient texted STOP to Twilio directly
    message, sent = _run(takeover.reply(world.agent, world.takeovers, SMS_SENDER, ANA, "Hi", texting.texting))
    delivery = _sms_of(message, texting)
    assert (sent.status, delivery.status, delivery.failed) == ("not_sent", "not_sent", True)
    assert "opted out" in (delivery.error or "") and texting.store.state(PATIENT_NUMBER).opted_out
    assert _bot_texts(world, SMS_SENDER)[-1].text == "Hi"  # staff see what they wrote, and that it failed


def test_handing_back_an_sms_conversation_texts_that_the_assistant_is_back(world, texting):
    _run(takeover.take_over(world.agent, world.takeovers, SMS_SENDER, ANA, texting.texting))
    _run(takeover.hand_back(world.agent, world.takeovers, SMS_SENDER, ANA, texting.texting))
    assert "automated assistant" in texting.api.to(PATIENT_NUMBER)[-1].body


# The automatic hand-back after the profile's takeover_timeout_hours without a staff reply.

HOUR = 3600.0


def _taken_over_at(world: SimpleNamespace, sender: str, paused_at: float, staff_reply_at: Optional[float]) -> None:
    """A conversation taken over at `paused_at` (epoch), with a staff reply at `staff_reply_at` if any."""
    made: List[Any] = [
        UserUttered("a person please", timestamp=paused_at - 60),
        ConversationPaused(timestamp=paused_at, metadata=ANA.metadata()),
        BotUttered("Ana joined", timestamp=paused_at, metadata={**ANA.metadata(), NOTICE_KEY: "joined"}),
    ]
    if staff_reply_at is not None:
        made.append(BotUttered("Hi, Ana here", timestamp=staff_reply_at, metadata=ANA.metadata()))
    _run(world.store.save(DialogueStateTracker.from_events(sender, made)))


def test_a_take_over_with_no_staff_reply_for_the_set_time_goes_back_to_the_assistant(world):
    now = time.time()
    _taken_over_at(world, "widget:quiet", now - 5 * HOUR, None)  # only the joined notice: idle
    _taken_over_at(world, "widget:replied-late", now - 5 * HOUR, now - 1 * HOUR)  # a reply 1 h ago
    _taken_over_at(world, "widget:recent", now - 1 * HOUR, None)
    assert _run(takeover.hand_back_idle(world.agent, world.takeovers, WEB, 4.0, now)) == 1
    assert _run(world.takeovers.active(world.agent, "widget:quiet")) is None
    assert "hasn't been able to reply" in _bot_texts(world, "widget:quiet")[-1].text
    for busy in ("widget:replied-late", "widget:recent"):
        assert _run(world.takeovers.active(world.agent, busy)) is not None
    # A second sweep (another Rasa server's) finds nothing left to do.
    assert _run(takeover.hand_back_idle(world.agent, world.takeovers, WEB, 4.0, now)) == 0


def test_the_automatic_hand_back_is_recorded_as_the_assistants(world):
    now = time.time()
    _taken_over_at(world, "widget:quiet", now - 5 * HOUR, None)
    _run(takeover.hand_back_idle(world.agent, world.takeovers, WEB, 4.0, now))
    tracker = _run(world.store.retrieve("widget:quiet"))
    [resumed] = [event for event in tracker.events if isinstance(event, ConversationResumed)]
    assert resumed.metadata["actor"] == "the assistant (no staff reply for 4 h)"


def test_the_person_who_took_over_is_alerted_with_a_link_when_the_patient_writes(world, monkeypatch):
    alerted: List[Any] = []
    alerts = SimpleNamespace(patient_wrote=lambda actor, sender, handoff: alerted.append((actor, sender, handoff)))
    monkeypatch.setattr(takeover, "takeover_alerts", lambda: alerts)
    monkeypatch.setattr(takeover, "_alert_sender", SimpleNamespace(submit=lambda send, *args: send(*args)))
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB, handoff_id=12))
    assert _run(world.takeovers.active(world.agent, SENDER)).handoff_id == 12
    _run(takeover.log_patient_message(world.agent, world.takeovers, SENDER, "are you there?", "widget"))
    assert alerted == [("ana@clinic.example", SENDER, 12)]


def test_the_sql_engine_is_found_through_the_wrappers_rasa_puts_around_the_store(world):
    """Guards a Rasa internal (docs/rasa-internals.md): the agent's store is a FailSafeTrackerStore
    around ours; without looking through it, take-overs were read from whole trackers and the
    automatic hand-back never ran."""
    assert type(world.agent.tracker_store).__name__ == "FailSafeTrackerStore"
    assert takeover.sql_engine(world.agent.tracker_store) is world.store.engine
    assert takeover.sql_engine(InMemoryTrackerStore(world.agent.domain)) is None


def test_a_slow_mail_server_never_holds_back_the_patients_answer(world, monkeypatch):
    """The e-mail to the person who took over leaves on its own thread: a red flag's safety
    answer comes back while the mail server still hangs."""
    world.parses.intents["I have a fever of 103"] = "red_flag_emergency"
    monkeypatch.setattr(takeover, "get_handoff_service", lambda: SimpleNamespace(submit=lambda request: None))
    released, sent = threading.Event(), threading.Event()

    def hanging(actor: str, sender: str, handoff: Optional[int]) -> None:
        released.wait(10)
        sent.set()

    monkeypatch.setattr(takeover, "takeover_alerts", lambda: SimpleNamespace(patient_wrote=hanging))
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA, WEB))
    answer = _run(takeover.log_patient_message(world.agent, world.takeovers, SENDER, "I have a fever of 103", "widget"))
    assert "911" in answer[0]["text"] and not sent.is_set()  # answered; the e-mail still waits
    released.set()
    assert sent.wait(10)
