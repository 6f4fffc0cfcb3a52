"""A red flag becomes a `red_flag` handoff before the patient reads that the team was alerted."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain

from actions.red_flag import ALERTED, CALL_NOW, ActionRedFlagHandoff
from bot.clinic_profile import ClinicProfile
from bot.handoffs.service import HandoffService
from bot.rasa_server.nlg import ClinicNLG
from bot.settings import PROJECT_ROOT
from tests.actions.conftest import run, tracker_for

PHONE = "+13475550190"
SWELLING = "my lips are swelling and I can't breathe"
FEVER = "I have a fever of 102 and pus"


def _red_flag(
    text: str,
    intent: str,
    groups: Optional[List[Any]] = None,
    channel: str = "rest",
    sender: str = "patient-1",
    slots: Optional[Dict[str, Any]] = None,
):
    tracker = tracker_for(text, intent, channel=channel, sender=sender, slots=slots)
    tracker.latest_message["entities"] = [
        {"entity": "red_flag", "value": group, "extractor": "RedFlagDetector"} for group in groups or []
    ] + [{"entity": "other", "value": "ignored"}]
    return tracker


def _responses(messages: List[Dict[str, Any]]) -> List[str]:
    return [message.get("response") for message in messages]


def test_an_emergency_on_the_website_is_stored_then_confirmed(service, store, notifier):
    messages, events = run(ActionRedFlagHandoff(), _red_flag(SWELLING, "red_flag_emergency", ["swelling", "breathing"]))
    [handoff] = store.list()
    assert (handoff.kind, handoff.status, handoff.channel) == ("red_flag", "new", "rest")
    assert (handoff.question, handoff.red_flags, handoff.contact) == (SWELLING, ("swelling", "breathing"), None)
    assert notifier.notified == [handoff]
    assert _responses(messages) == ["utter_red_flag_alerted_emergency"]
    assert events == []


def test_an_urgent_sms_keeps_the_senders_number_as_the_contact(service, store):
    tracker = _red_flag(FEVER, "red_flag_urgent", ["fever", "infection"], channel="twilio", sender=f"sms:{PHONE}")
    messages, _ = run(ActionRedFlagHandoff(), tracker)
    [handoff] = store.list()
    assert (handoff.channel, handoff.contact, handoff.contact_kind) == ("twilio", PHONE, "phone")
    assert handoff.red_flags == ("fever", "infection")
    assert _responses(messages) == ["utter_red_flag_alerted_urgent"]


def test_on_the_website_a_contact_given_for_a_booking_is_kept(service, store):
    slots = {"booking_name": "Ana Lima", "booking_contact": "ana@example.com", "booking_contact_kind": "email"}
    run(ActionRedFlagHandoff(), _red_flag(FEVER, "red_flag_urgent", ["fever"], slots=slots))
    [handoff] = store.list()
    assert (handoff.name, handoff.contact, handoff.contact_kind) == ("Ana Lima", "ana@example.com", "email")


@pytest.mark.parametrize("groups", [[], None, ["can't breathe", 7, ""]], ids=["none", "missing", "malformed"])
def test_a_red_flag_the_model_alone_found_is_unspecified(service, store, groups):
    messages, _ = run(
        ActionRedFlagHandoff(), _red_flag("it's blurry since the treatment", "red_flag_emergency", groups)
    )
    assert store.list()[0].red_flags == ("unspecified",)
    assert _responses(messages) == ["utter_red_flag_alerted_emergency"]


def test_malformed_groups_are_dropped_and_good_ones_kept_once(service, store):
    run(ActionRedFlagHandoff(), _red_flag(FEVER, "red_flag_urgent", ["Fever", "x\r\nBcc: y", "fever", "infection"]))
    assert store.list()[0].red_flags == ("fever", "infection")


def test_the_same_group_again_within_the_hour_alerts_nobody_new_but_is_still_confirmed(service, store, notifier):
    run(ActionRedFlagHandoff(), _red_flag(FEVER, "red_flag_urgent", ["fever"]))
    messages, _ = run(ActionRedFlagHandoff(), _red_flag("fever is worse now", "red_flag_urgent", ["fever"]))
    assert len(store.list()) == 1 and len(notifier.notified) == 1
    assert _responses(messages) == ["utter_red_flag_alerted_urgent"]  # staff were alerted, minutes ago
    run(ActionRedFlagHandoff(), _red_flag("now I can't breathe", "red_flag_emergency", ["fever", "breathing"]))
    assert [handoff.red_flags for handoff in store.list()] == [("fever", "breathing"), ("fever",)]


@pytest.mark.parametrize("intent, level", [("red_flag_emergency", "emergency"), ("red_flag_urgent", "urgent")])
def test_when_the_database_is_down_nothing_says_alerted_only_whom_to_call(database_down, notifier, intent, level):
    messages, events = run(ActionRedFlagHandoff(), _red_flag(SWELLING, intent, ["swelling"]))
    assert _responses(messages) == [CALL_NOW[level]]
    assert notifier.notified == [] and events == []


def test_a_store_failure_after_the_check_is_never_confirmed(store, notifier, monkeypatch):
    class Refusing(HandoffService):
        def submit(self, request):
            raise ValueError("refused")

    monkeypatch.setattr("actions.handoff_requests.get_handoff_service", lambda: Refusing(store, notifier))
    messages, _ = run(ActionRedFlagHandoff(), _red_flag(FEVER, "red_flag_urgent", ["fever"]))
    assert _responses(messages) == [CALL_NOW["urgent"]] and store.list() == []


# ----- what the patient reads ------------------------------------------------------

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
PROFILE = ClinicProfile(name="Atalo Aesthetics", phone="(555) 010-0100")
FIRST = {"emergency": "utter_red_flag_emergency", "urgent": "utter_red_flag_urgent"}
DIRECTLY = re.compile(r"\bcontact\b[^.]*\bdirectly\b", re.I)


def _rendered(name: str, channel: str) -> str:
    return ClinicNLG(domain=DOMAIN, clinic=PROFILE).generate_from_slots(name, {}, channel)["text"]


@pytest.mark.parametrize("channel", ["rest", "twilio"])
@pytest.mark.parametrize("level", ["emergency", "urgent"])
def test_every_red_flag_reply_names_a_number_to_call_emergency_first(level, channel):
    for name in (FIRST[level], ALERTED[level], CALL_NOW[level]):
        text = _rendered(name, channel)
        assert not DIRECTLY.search(text), (name, text)
        if level == "emergency":
            assert "911" in text, (name, text)
            assert PROFILE.phone not in text or text.index("911") < text.index(PROFILE.phone), (name, text)
        else:
            assert PROFILE.phone in text, (name, text)
    first = _rendered(FIRST[level], channel)
    assert PROFILE.phone in first and "911" in first


@pytest.mark.parametrize("channel", ["rest", "twilio"])
@pytest.mark.parametrize("level", ["emergency", "urgent"])
def test_only_a_stored_red_flag_says_the_team_was_alerted(level, channel):
    assert "alerted our team" in _rendered(ALERTED[level], channel)
    assert "don't wait" in _rendered(ALERTED[level], channel)
    for name in (FIRST[level], CALL_NOW[level]):
        assert "alert" not in _rendered(name, channel).lower()
