"""GuardedFormValidation: what a form does with a message that is not an answer."""
import pytest

from actions.booking import ValidateBookingForm
from actions.form_turns import ENDING_INTENTS, filled_slots
from tests.actions.conftest import run, slots_set, texts, tracker_for


@pytest.mark.parametrize("intent", sorted(ENDING_INTENTS - {"request_booking"}))
def test_an_ending_message_is_left_to_its_rule(intent):
    messages, events = run(
        ValidateBookingForm(), tracker_for("whatever", intent, form="booking_form", requested="booking_name")
    )
    assert (messages, events) == ([], [])  # nothing filled: Rasa rejects the form


def test_the_form_own_trigger_does_not_end_it():
    tracker = tracker_for("book me in, I'm Ines Duarte", "request_booking", form="booking_form", requested="booking_name")
    _, events = run(ValidateBookingForm(), tracker)
    assert slots_set(events)["booking_name"] == "Ines Duarte"


def test_a_question_mid_form_is_answered_and_the_question_comes_again():
    tracker = tracker_for("does it hurt?", "faq_pain", form="booking_form", requested="booking_name")
    messages, events = run(ValidateBookingForm(), tracker)
    assert messages[0]["response"] == "utter_faq_pain"
    assert filled_slots(events) == ["booking_name"] and slots_set(events)["booking_name"] is None


def test_an_unreadable_answer_is_asked_again_with_help():
    tracker = tracker_for("🙂🙂🙂", "nlu_fallback", form="booking_form", requested="booking_name")
    messages, events = run(ValidateBookingForm(), tracker)
    assert "name" in texts(messages) and slots_set(events)["booking_name"] is None


def test_filled_slots_ignores_the_requested_slot():
    events = [{"event": "slot", "name": "requested_slot", "value": "x"}, {"event": "slot", "name": "a", "value": None}]
    assert filled_slots(events) == ["a"]
