"""Taking a conversation over, replying and handing back: events in the real tracker store,
under the real lock store, read back by the same reader the channels ask."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db.engine import make_engine
from bot.rasa_server import takeover
from bot.rasa_server.takeover import NoSuchConversation, StaffMember, TakeoverConflict, Takeovers
from bot.rasa_server.tracker_store import FastSQLTrackerStore
from bot.settings import PROJECT_ROOT, get_settings

SENDER = "widget:patient-1"
SMS_SENDER = "sms:+16465550123"
ANA = StaffMember(name="Ana", actor="ana@clinic.example")
CLINIC = get_settings().clinic.name


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
    agent = SimpleNamespace(domain=domain, tracker_store=store, lock_store=InMemoryLockStore(), parse_message=parses)
    return SimpleNamespace(agent=agent, takeovers=Takeovers(), store=store, parses=parses)


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def _bot_texts(world: SimpleNamespace, sender: str = SENDER) -> List[BotUttered]:
    tracker = _run(world.store.retrieve(sender))
    return [event for event in tracker.events if isinstance(event, BotUttered)]


def test_taking_over_pauses_and_tells_the_patient_who_joined(world):
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA))
    tracker = _run(world.store.retrieve(SENDER))
    assert tracker.is_paused()
    [joined] = _bot_texts(world)
    assert joined.text.startswith(f"Ana from {CLINIC}") and "Emergency: 911" in joined.text
    assert joined.metadata["staff"] == "Ana" and joined.metadata["notice"] == "joined"
    taken = _run(world.takeovers.active(world.agent, SENDER))
    assert (taken.staff, taken.actor) == ("Ana", "ana@clinic.example")
    assert _run(world.takeovers.active(world.agent, SMS_SENDER)) is None  # another conversation is untouched


def test_an_sms_conversation_cannot_be_taken_over_until_replies_go_by_sms(world):
    with pytest.raises(TakeoverConflict, match="call or text the patient"):
        _run(takeover.take_over(world.agent, world.takeovers, SMS_SENDER, ANA))
    assert _bot_texts(world, SMS_SENDER) == []


def test_a_second_take_over_is_refused_so_the_patient_is_told_once(world):
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA))
    with pytest.raises(TakeoverConflict, match="already taken over by Ana"):
        _run(takeover.take_over(world.agent, world.takeovers, SENDER, StaffMember("Ben", "ben@clinic.example")))
    assert len(_bot_texts(world)) == 1


def test_a_reply_is_stored_with_its_author_only_while_taken_over(world):
    with pytest.raises(TakeoverConflict):
        _run(takeover.reply(world.agent, world.takeovers, SENDER, ANA, "Hello"))
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA))
    _run(takeover.reply(world.agent, world.takeovers, SENDER, ANA, "Hi, this is Ana. How can I help?"))
    reply = _bot_texts(world)[-1]
    assert reply.text == "Hi, this is Ana. How can I help?"
    assert reply.metadata == {"staff": "Ana", "actor": "ana@clinic.example"}


def test_handing_back_resumes_the_assistant_and_says_so(world):
    with pytest.raises(TakeoverConflict):
        _run(takeover.hand_back(world.agent, world.takeovers, SENDER, ANA))
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA))
    _run(takeover.hand_back(world.agent, world.takeovers, SENDER, ANA))
    tracker = _run(world.store.retrieve(SENDER))
    assert not tracker.is_paused()
    assert _bot_texts(world)[-1].text.startswith(f"You're back with {CLINIC}")
    assert _run(world.takeovers.active(world.agent, SENDER)) is None


def test_an_unknown_conversation_is_not_created(world):
    with pytest.raises(NoSuchConversation):
        _run(takeover.take_over(world.agent, world.takeovers, "widget:nobody", ANA))
    assert not _run(world.store.exists("widget:nobody"))


def test_a_take_over_outlasts_a_new_session(world):
    """Rasa's new session (after an idle hour) clears the pause; the take-over reads every session."""
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA))
    tracker = _run(world.store.retrieve(SENDER))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    _run(world.store.save(tracker))
    assert not _run(world.store.retrieve(SENDER)).is_paused()
    assert _run(world.takeovers.active(world.agent, SENDER)).staff == "Ana"


def test_a_patient_message_while_taken_over_is_stored_and_not_answered(world):
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA))
    answer = _run(takeover.log_patient_message(world.agent, world.takeovers, SENDER, "is it sore after?", "widget"))
    assert answer == []
    last = _run(world.store.retrieve(SENDER)).events[-1]
    assert isinstance(last, UserUttered) and last.text == "is it sore after?"
    assert last.intent["name"] == "faq_pain" and last.input_channel == "widget"


def test_a_red_flag_while_taken_over_still_gets_the_safety_answer_and_alerts_staff(world, monkeypatch):
    submitted: List[Any] = []
    monkeypatch.setattr(takeover, "get_handoff_service", lambda: SimpleNamespace(submit=submitted.append))
    world.parses.intents["my face is swelling and I can't breathe"] = "red_flag_emergency"
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA))
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
    _run(takeover.take_over(agent, Takeovers(), SENDER, ANA))
    assert _run(Takeovers().active(agent, SENDER)).staff == "Ana"
    _run(takeover.hand_back(agent, Takeovers(), SENDER, ANA))
    assert _run(Takeovers().active(agent, SENDER)) is None


def test_a_message_that_cannot_be_read_is_stored_and_staff_are_alerted(world, monkeypatch):
    """Unsure whether it reports a symptom: escalate, never drop it."""
    submitted: List[Any] = []
    monkeypatch.setattr(takeover, "get_handoff_service", lambda: SimpleNamespace(submit=submitted.append))

    async def broken(text: str) -> Dict[str, Any]:
        raise RuntimeError("the model failed")

    world.agent.parse_message = broken
    _run(takeover.take_over(world.agent, world.takeovers, SENDER, ANA))
    assert _run(takeover.log_patient_message(world.agent, world.takeovers, SENDER, "ow ow ow", "widget")) == []
    assert _run(world.store.retrieve(SENDER)).events[-1].text == "ow ow ow"
    [handoff] = submitted
    assert (handoff.kind, handoff.question) == ("red_flag", "ow ow ow")
