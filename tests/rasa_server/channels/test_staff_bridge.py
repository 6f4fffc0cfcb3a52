"""The staff bridge over HTTP, beside the REST channel: staff take a conversation over, the
patient's messages are stored and not answered, staff reply, hand back, and the
assistant answers again; and a retrained model is loaded while the old one answers. A
stand-in agent answers; the tracker store and locks are real, and so is Rasa's Agent in
the reload test that guards Agent.load_model."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa.core.channels.channel import UserMessage, register
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.rasa_server.channels import staff_bridge
from bot.rasa_server.channels.guard import MemoryRateLimiter
from bot.rasa_server.channels.rest import GuardedRestInput
from bot.rasa_server.channels.staff_bridge import StaffBridgeInput
from bot.rasa_server.takeover import Texting
from bot.rasa_server.tracker_store import FastSQLTrackerStore
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.conversation_bridge import BridgeError, ConversationBridge
from bot.transcripts.takeovers import MAX_REPLY_CHARS
from tests.http_server import call, serving
from tests.ports import free_port
from tests.tiny_model import tiny_model

TOKEN = "staff-bridge-test-token-0123456789"
PATIENT = "patient-7"
SENDER = f"rest:{PATIENT}"
ANA = {"name": "Ana", "actor": "ana@clinic.example"}


class Assistant:
    """Stands in for Rasa's agent: a real tracker store and lock store; NLU and dialogue scripted."""

    def __init__(self, domain: Domain, path: Path) -> None:
        self.domain = domain
        self.tracker_store = FastSQLTrackerStore(domain, dialect="sqlite", db=str(path))
        self.lock_store = InMemoryLockStore()
        self.answered: List[str] = []

    def is_ready(self) -> bool:
        return True

    async def parse_message(self, text: str) -> Dict[str, Any]:
        return {"text": text, "intent": {"name": "faq_pain", "confidence": 0.9}, "entities": []}

    async def handle_message(self, message: UserMessage) -> None:
        self.answered.append(message.text or "")
        await message.output_channel.send_text_message(message.sender_id, f"assistant: {message.text}")


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def assistant(domain: Domain, tmp_path: Path) -> Assistant:
    bot = Assistant(domain, tmp_path / "tracker.db")
    started = DialogueStateTracker.from_events(SENDER, [SessionStarted(), UserUttered("can I talk to a person")])
    asyncio.run(bot.tracker_store.save(started))
    return bot


@pytest.fixture
def base(assistant: Assistant) -> Iterator[str]:
    app = Sanic(f"bridge-test-{uuid.uuid4().hex}")
    app.ctx.agent = assistant
    register(
        [GuardedRestInput(MemoryRateLimiter(100, 60)), StaffBridgeInput(TOKEN, Texting(None))], app, route="/webhooks/"
    )
    with serving(app) as url:
        yield url


def _bridge(base: str, action: str, body: Any, token: Optional[str] = TOKEN) -> Tuple[int, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, _, answer = call(f"{base}/webhooks/staff/{action}", "POST", body=data, headers=headers)
    return status, answer


def _say(base: str, text: str) -> Any:
    status, _, answer = call(
        f"{base}/webhooks/rest/webhook",
        "POST",
        body=json.dumps({"sender": PATIENT, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 200
    return answer


def _events(assistant: Assistant) -> List[Any]:
    return asyncio.run(assistant.tracker_store.retrieve_full_tracker(SENDER)).events


def test_staff_take_over_reply_and_hand_back_while_the_assistant_stays_silent(base, assistant):
    assert _say(base, "hello") == [{"recipient_id": SENDER, "text": "assistant: hello"}]

    status, answer = _bridge(base, "takeover", {"sender_id": SENDER, "staff": ANA})
    assert status == 200 and [event["event"] for event in answer["events"]] == ["pause", "bot"]

    assert _say(base, "are you there?") == []  # stored for staff, not answered, no apology
    assert _say(base, "my appointment is on friday") == []
    assert assistant.answered == ["hello"]
    patient = [e.text for e in _events(assistant) if isinstance(e, UserUttered)]
    assert patient[-2:] == ["are you there?", "my appointment is on friday"]

    status, answer = _bridge(base, "reply", {"sender_id": SENDER, "staff": ANA, "text": "Hi, Ana here."})
    assert status == 200 and answer["events"][0]["text"] == "Hi, Ana here."
    assert answer["events"][0]["metadata"]["staff"] == "Ana"

    status, _ = _bridge(base, "handback", {"sender_id": SENDER, "staff": ANA})
    assert status == 200
    assert _say(base, "how long is the numbing?") == [
        {"recipient_id": SENDER, "text": "assistant: how long is the numbing?"}
    ]
    bot_texts = [e.text for e in _events(assistant) if isinstance(e, BotUttered)]
    assert "Hi, Ana here." in bot_texts and any(text.startswith("You're back with") for text in bot_texts)


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789abcdef"])
def test_only_the_staff_process_may_act(base, assistant, token):
    status, answer = _bridge(base, "takeover", {"sender_id": SENDER, "staff": ANA}, token=token)
    assert status == 401 and answer == {"error": "unauthorized"}
    assert not any(getattr(e, "type_name", "") == "pause" for e in _events(assistant))


@pytest.mark.parametrize(
    "action, body, named",
    [
        ("takeover", b"not json", ""),
        ("takeover", [], "JSON object"),
        ("takeover", {"staff": ANA}, "sender_id"),
        ("takeover", {"sender_id": SENDER}, "staff"),
        ("takeover", {"sender_id": SENDER, "staff": {"name": "", "actor": "x"}}, "staff.name"),
        ("takeover", {"sender_id": SENDER, "staff": {"name": "A\u0000", "actor": "x"}}, "staff.name"),
        ("takeover", {"sender_id": SENDER, "staff": ANA, "handoff_id": "12"}, "handoff_id"),
        ("takeover", {"sender_id": SENDER, "staff": ANA, "handoff_id": True}, "handoff_id"),
        ("takeover", {"sender_id": SENDER, "staff": ANA, "handoff_id": 0}, "handoff_id"),
        ("reply", {"sender_id": SENDER, "staff": ANA, "text": "  "}, "text"),
        ("reply", {"sender_id": SENDER, "staff": ANA, "text": "x" * (MAX_REPLY_CHARS + 1)}, "text"),
    ],
)
def test_a_malformed_request_is_a_400_that_says_why(base, action, body, named):
    if action == "reply":
        assert _bridge(base, "takeover", {"sender_id": SENDER, "staff": ANA})[0] == 200
    status, answer = _bridge(base, action, body)
    assert status == 400 and named in answer["error"]


def test_the_wrong_state_or_an_unknown_conversation_is_refused(base):
    assert _bridge(base, "reply", {"sender_id": SENDER, "staff": ANA, "text": "hi"})[0] == 409
    assert _bridge(base, "handback", {"sender_id": SENDER, "staff": ANA})[0] == 409
    assert _bridge(base, "takeover", {"sender_id": SENDER, "staff": ANA})[0] == 200
    status, answer = _bridge(base, "takeover", {"sender_id": SENDER, "staff": {"name": "Ben", "actor": "ben@x"}})
    assert status == 409 and "Ana" in answer["error"]
    assert _bridge(base, "takeover", {"sender_id": "rest:nobody", "staff": ANA})[0] == 404


def test_a_message_that_cannot_be_stored_gets_the_apology_not_a_500(base, assistant, monkeypatch):
    assert _bridge(base, "takeover", {"sender_id": SENDER, "staff": ANA})[0] == 200

    async def down(*args: Any) -> None:
        raise RuntimeError("the tracker store is down")

    monkeypatch.setattr(assistant.tracker_store, "save", down)
    [answer] = _say(base, "hello?")
    assert "something went wrong on our side" in answer["text"]


def test_the_staff_process_client_speaks_this_bridge(base):
    """bot.staff.conversation_bridge against the real routes: events back, refusals as BridgeError."""
    client = ConversationBridge(base, lambda: TOKEN)
    assert [event["event"] for event in asyncio.run(client.take_over(SENDER, "Ana", "ana@x"))] == ["pause", "bot"]
    assert asyncio.run(client.reply(SENDER, "Ana", "ana@x", "Hello"))[0]["text"] == "Hello"
    with pytest.raises(BridgeError, match="already taken over") as refused:
        asyncio.run(client.take_over(SENDER, "Ben", "ben@x"))
    assert refused.value.status == 409
    with pytest.raises(BridgeError, match="unauthorized"):
        asyncio.run(ConversationBridge(base, lambda: "wrong-token-0123456789abcdef").hand_back(SENDER, "Ana", "a@x"))


def test_an_unreachable_assistant_is_a_bridge_error_staff_can_read():
    client = ConversationBridge(f"http://127.0.0.1:{free_port()}", lambda: TOKEN)
    with pytest.raises(BridgeError, match="could not be reached") as failed:
        asyncio.run(client.take_over(SENDER, "Ana", "ana@x"))
    assert failed.value.status == 0


class Reloadable(Assistant):
    """The stand-in assistant with a model to reload: each load waits for the test's go-ahead,
    and answers name the model that gave them."""

    def __init__(self, domain: Domain, path: Path) -> None:
        super().__init__(domain, path)
        self.model = "old.tar.gz"
        self.go_ahead = threading.Event()
        self.loading = 0
        self.most_at_once = 0
        self.loads: List[str] = []
        self.broken = False

    def load_model(self, model_path: str) -> None:  # runs in a worker thread, as Agent.load_model would
        self.loading += 1
        self.most_at_once = max(self.most_at_once, self.loading)
        self.go_ahead.wait(10)
        self.loading -= 1
        self.loads.append(model_path)
        if self.broken:
            raise ValueError("not a model")
        self.model = Path(model_path).name

    async def handle_message(self, message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, f"{self.model}: {message.text}")


@pytest.fixture
def reloadable(domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tuple[str, Reloadable]]:
    """A server whose staff bridge reloads `new.tar.gz` (the server's own RASA_MODEL setting)."""
    settings = Settings.from_env({"RASA_MODEL": str(tmp_path / "new.tar.gz"), "VAR_DIR": str(tmp_path)})
    monkeypatch.setattr(staff_bridge, "get_settings", lambda: settings)
    bot = Reloadable(domain, tmp_path / "tracker.db")
    app = Sanic(f"reload-test-{uuid.uuid4().hex}")
    app.ctx.agent = bot
    register([GuardedRestInput(MemoryRateLimiter(100, 60)), StaffBridgeInput(TOKEN, Texting(None))], app, "/webhooks/")
    with serving(app) as url:
        yield url, bot
    bot.go_ahead.set()


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789abcdef"])
def test_only_the_staff_process_may_reload_the_model(reloadable, token):
    base, bot = reloadable
    bot.go_ahead.set()
    assert _bridge(base, "model", {}, token=token) == (401, {"error": "unauthorized"})
    assert bot.loads == [] and _say(base, "hello") == [{"recipient_id": SENDER, "text": "old.tar.gz: hello"}]


def test_the_old_model_answers_until_the_new_one_is_loaded_one_load_at_a_time(reloadable, tmp_path):
    base, bot = reloadable
    with ThreadPoolExecutor(2) as pool:
        reloads = [pool.submit(_bridge, base, "model", {}) for _ in range(2)]
        for _ in range(100):  # the first load has begun in its worker thread
            if bot.loading:
                break
            time.sleep(0.05)
        assert bot.loading == 1
        assert _say(base, "still there?") == [{"recipient_id": SENDER, "text": "old.tar.gz: still there?"}]
        bot.go_ahead.set()
        answers = [reload.result(timeout=20) for reload in reloads]
    assert [status for status, _ in answers] == [200, 200] and all("loaded_in_s" in body for _, body in answers)
    assert (
        bot.most_at_once == 1 and bot.loads == [str(tmp_path / "new.tar.gz")] * 2
    )  # the server's path, never the caller's
    assert _say(base, "and now?") == [{"recipient_id": SENDER, "text": "new.tar.gz: and now?"}]


def test_a_model_that_cannot_be_loaded_is_a_500_and_the_old_one_still_answers(reloadable):
    base, bot = reloadable
    bot.broken = True
    bot.go_ahead.set()
    assert _bridge(base, "model", {"path": "/etc/passwd"}) == (500, {"error": "the model could not be loaded"})
    assert _say(base, "hello") == [{"recipient_id": SENDER, "text": "old.tar.gz: hello"}]


def test_rasas_agent_swaps_in_the_reloaded_model(tmp_path, monkeypatch):
    """The real Agent.load_model (docs/rasa-internals.md): a tiny model, then another with a new intent."""
    from rasa.core.agent import Agent

    first = tiny_model(
        tmp_path / "first", {"greet": ["hello", "hi there"], "faq_pain": ["does it hurt", "is it painful"]}
    )
    second = tiny_model(
        tmp_path / "second", {"greet": ["hello", "hi there"], "faq_swim": ["can I swim", "swimming after?"]}
    )
    agent = Agent.load(str(first))
    old = agent.processor
    monkeypatch.setattr(staff_bridge, "get_settings", lambda: Settings.from_env({"RASA_MODEL": str(second)}))
    app = Sanic(f"agent-reload-{uuid.uuid4().hex}")
    app.ctx.agent = agent
    register([StaffBridgeInput(TOKEN, Texting(None))], app, route="/webhooks/")
    with serving(app) as base:
        assert asyncio.run(agent.parse_message("can I swim"))["intent"]["name"] != "faq_swim"
        status, answer = _bridge(base, "model", {})
    assert status == 200 and answer["loaded_in_s"] >= 0
    assert agent.processor is not old and agent.processor.model_path == second
    assert asyncio.run(agent.parse_message("can I swim"))["intent"]["name"] == "faq_swim"
