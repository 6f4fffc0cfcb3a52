"""Trackers, a real handoff store and a recording notifier for the action tests.

Actions are run the way rasa-sdk runs them (a `Tracker`, a `CollectingDispatcher` and
the project's own domain), against a real SQLite handoff database migrated with
Alembic, so a test that says "saved" means a row was committed.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.db.engine import make_engine, session_factory
from bot.handoffs.service import HandoffService
from bot.handoffs.store import HandoffStore
from bot.handoffs.view import HandoffView
from bot.settings import PROJECT_ROOT
from tests.db.databases import migrated_store

DOMAIN: Dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
UNREACHABLE_DB = "postgresql+psycopg2://postgres@127.0.0.1:9/test?connect_timeout=2"


def tracker_for(
    text: str,
    intent: str,
    *,
    slots: Optional[Dict[str, Any]] = None,
    form: Optional[str] = None,
    requested: Optional[str] = None,
    history: Optional[List[Dict[str, Any]]] = None,
    sender: str = "patient-1",
    channel: str = "rest",
) -> Tracker:
    """A tracker whose latest message is `text`, classified as `intent`."""
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "intent_ranking": []}
    events = list(history or []) + [{"event": "user", "text": text, "parse_data": message, "input_channel": channel}]
    values = {"requested_slot": requested, **(slots or {})}
    return Tracker(sender, values, message, events, False, None, {"name": form} if form else {}, "action_listen")


def user_event(text: str, intent: str) -> Dict[str, Any]:
    """An earlier patient message, for the conversation history."""
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}, "input_channel": "rest"}


def run(action: Action, tracker: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Run an action (sync or async) and return (messages, events)."""
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker, DOMAIN)
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    return dispatcher.messages, result


def slots_set(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The last value each slot event sets."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(messages: List[Dict[str, Any]]) -> str:
    """Every text (or response name) the action sent, joined."""
    return " | ".join(m.get("text") or m.get("response") or "" for m in messages)


class RecordingNotifier:
    """Remembers what staff would have been told."""

    def __init__(self) -> None:
        self.notified: List[HandoffView] = []

    def notify(self, handoff: HandoffView) -> None:
        self.notified.append(handoff)


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def store(tmp_path) -> Iterator[HandoffStore]:
    """A migrated SQLite handoff store of this test's own."""
    with migrated_store("sqlite", tmp_path) as handoff_store:
        yield handoff_store


@pytest.fixture
def service(store, notifier, monkeypatch) -> HandoffService:
    """The actions' handoff service, backed by the test's store."""
    handoff_service = HandoffService(store, notifier)
    monkeypatch.setattr("actions.handoff_requests.get_handoff_service", lambda: handoff_service)
    return handoff_service


@pytest.fixture
def database_down(notifier, monkeypatch) -> HandoffService:
    """A handoff service whose database cannot be reached."""
    engine = make_engine(UNREACHABLE_DB)
    handoff_service = HandoffService(HandoffStore(session_factory(engine)), notifier)
    monkeypatch.setattr("actions.handoff_requests.get_handoff_service", lambda: handoff_service)
    yield handoff_service
    engine.dispose()
