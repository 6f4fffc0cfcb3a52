"""docs/rasa-internals.md: the Rasa version its list was checked against, every file and
test it names still there, and guards for rows that had none (the classifier marker, the
tracker store's fast path, the validator patch installed by the channels)."""

from __future__ import annotations

import asyncio
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any, List

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import TrackerStore
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server import action_responses
from bot.rasa_server.channels.rest import GuardedRestInput
from bot.rasa_server.channels.twilio import TwilioInput
from bot.rasa_server.channels.widget import WidgetInput
from bot.rasa_server.components.intent_classifier import TextIntentClassifier
from bot.rasa_server.components.red_flag_detector import RedFlagDetector
from bot.rasa_server.tracker_store import FastSQLTrackerStore
from bot.settings import PROJECT_ROOT

LIST = PROJECT_ROOT / "docs" / "rasa-internals.md"
_CHECKED = re.compile(r"^Checked against: rasa (\S+), rasa-sdk (\S+)$", re.MULTILINE)


def test_the_list_was_checked_against_the_installed_rasa():
    """After an upgrade, walk docs/rasa-internals.md against the new source, then change its version line."""
    checked = _CHECKED.search(LIST.read_text(encoding="utf-8"))
    assert checked, f"{LIST} names no version it was checked against"
    assert (version("rasa"), version("rasa-sdk")) == checked.groups(), (
        "the installed Rasa is not the one docs/rasa-internals.md was checked against: check every row, then update it"
    )


_FILE = re.compile(r"`((?:bot|actions|tests|scripts|bench)/[\w/]+\.(?:py|yml))`")
_TEST = re.compile(r"`((?:tests)/[\w/]+\.py)::(\w+)`")
_MORE_TESTS = re.compile(r"`::(\w+)`")


def test_every_file_and_test_the_list_names_exists():
    """A move or a rename must carry the list with it: a row naming a file or test that is gone guards nothing."""
    text = LIST.read_text(encoding="utf-8")
    missing = sorted({path for path in _FILE.findall(text) if not (PROJECT_ROOT / path).is_file()})
    assert not missing, f"docs/rasa-internals.md names files that do not exist: {missing}"
    gone: List[str] = []
    for row in text.splitlines():
        current = None
        for match in re.finditer(r"`(tests/[\w/]+\.py)::(\w+)`|`::(\w+)`", row):
            path, name, more = match.groups()
            current = path or current
            name = name or more
            if current is None:
                continue
            source = (PROJECT_ROOT / current).read_text(encoding="utf-8")
            if not re.search(rf"^(async )?def {name}\(", source, re.MULTILINE):
                gone.append(f"{current}::{name}")
    assert not gone, f"docs/rasa-internals.md names tests that do not exist: {gone}"


@pytest.mark.parametrize("component", [TextIntentClassifier, RedFlagDetector])
def test_our_classifiers_are_what_the_fallback_classifier_requires(component: type):
    """Without the IntentClassifier marker Rasa's graph validation refuses the pipeline."""
    assert any(issubclass(component, required) for required in FallbackClassifier.required_components())
    assert issubclass(component, IntentClassifier)


def test_rasas_retrieve_goes_through_our_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """SQLTrackerStore.retrieve must still call `_retrieve`, or the fast read is silently lost."""
    calls: List[Any] = []

    async def spy(self: FastSQLTrackerStore, sender_id: str, fetch_events_from_all_sessions: bool) -> None:
        calls.append((sender_id, fetch_events_from_all_sessions))

    config = EndpointConfig(
        type="bot.rasa_server.tracker_store.FastSQLTrackerStore", dialect="sqlite", db=str(tmp_path / "t.db")
    )
    store = TrackerStore.create(config, Domain.empty())
    assert isinstance(store, FastSQLTrackerStore)
    monkeypatch.setattr(FastSQLTrackerStore, "_retrieve", spy)
    try:
        asyncio.run(store.retrieve("someone"))
        asyncio.run(store.retrieve_full_tracker("someone"))
    finally:
        store.engine.dispose()
    assert calls == [("someone", False), ("someone", True)]


@pytest.mark.parametrize("channel", [GuardedRestInput, TwilioInput, WidgetInput])
def test_building_a_channel_installs_the_cached_action_response_validator(
    channel: Any, monkeypatch: pytest.MonkeyPatch
):
    """Rasa builds the channels in its own process: that is where the patch must take effect."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", staticmethod(lambda *_: True))
    channel.from_credentials(None)
    assert RemoteAction.__dict__["_validate_action_result"] is action_responses._validate_action_result
