"""What a patient told the forms is forgotten once the request is handled, and never carried into a new session."""

import asyncio

import pytest
import yaml
from rasa.core.actions.action import ActionSessionStart
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.forget import ActionForgetDetails
from actions.form_turns import PERSONAL_SLOTS
from bot.settings import PROJECT_ROOT
from tests.actions.conftest import DOMAIN, run, slots_set, tracker_for

# Slots that hold nothing the patient said: per turn or per request bookkeeping.
BOOKKEEPING = {"requested_slot", "handoff_saved", "form_misses", "repeated_fallback", "book_after_screening"}
REMEMBERED = {
    "booking_name": "Priya Shah",
    "booking_contact": "+16465550123",
    "booking_contact_display": "(646) 555-0123",
    "booking_contact_kind": "phone",
    "booking_time": "Saturday mornings",
    "pregnant_or_nursing": False,
    "active_acne": False,
    "keloids": True,
    "screening_review": ["isotretinoin"],
    "screening_outcome": "not_recommended",
}


def test_every_slot_is_either_personal_or_bookkeeping():
    assert set(DOMAIN["slots"]) | {"requested_slot"} == set(PERSONAL_SLOTS) | BOOKKEEPING
    assert not set(PERSONAL_SLOTS) & BOOKKEEPING


def test_the_action_forgets_every_personal_slot_and_says_nothing():
    messages, events = run(ActionForgetDetails(), tracker_for("thanks", "thank", slots=REMEMBERED))
    assert messages == []
    assert slots_set(events) == {slot: None for slot in PERSONAL_SLOTS}


def _rules():
    return yaml.safe_load((PROJECT_ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize(
    "closing",
    ["utter_booking_received", "utter_question_received", "utter_handoff_failed", "action_stop_form", "utter_goodbye"],
)
def test_every_rule_that_closes_a_request_forgets_its_details(closing):
    closing_rules = [rule for rule in _rules() if {"action": closing} in rule["steps"]]
    assert closing_rules
    for rule in closing_rules:
        assert rule["steps"][-1] == {"action": "action_forget_details"}, rule["rule"]


def test_a_red_flag_forgets_nothing():
    """A second red flag in the same session must still reach staff with the contact the patient gave."""
    red_flag_rules = [rule for rule in _rules() if {"action": "action_red_flag_handoff"} in rule["steps"]]
    assert red_flag_rules and all({"action": "action_forget_details"} not in rule["steps"] for rule in red_flag_rules)


def test_a_new_session_starts_with_none_of_the_last_ones_details():
    """Rasa's own session start, run with our domain: nothing the patient said is carried over."""
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    assert domain.session_config.carry_over_slots is False
    tracker = DialogueStateTracker.from_events(
        "widget:returning",
        [UserUttered("I'm Priya Shah"), *(SlotSet(slot, value) for slot, value in REMEMBERED.items())],
        domain.slots,
    )
    assert tracker.get_slot("booking_name") == "Priya Shah"
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    events = asyncio.run(ActionSessionStart().run(CollectingOutputChannel(), nlg, tracker, domain))
    for event in events:
        tracker.update(event, domain)
    assert not any(isinstance(event, SlotSet) for event in events)
    assert {slot: tracker.get_slot(slot) for slot in REMEMBERED if tracker.get_slot(slot) is not None} == {}
