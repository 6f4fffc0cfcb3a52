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
    tracker = tracker_for(
        "book me in, I'm Ines Duarte", "request_booking", form="booking_form", requested="booking_name"
    )
    _, events = run(ValidateBookingForm(), tracker)
    assert slots_set(events)["booking_name"] == "Ines Duarte"


def test_a_question_mid_form_is_answered_and_the_question_comes_again():
    tracker = tracker_for("does it hurt?", "faq_pain", form="booking_form", requested="booking_name")
    messages, events = run(ValidateBookingForm(), tracker)
    assert [m.get("response") for m in messages] == ["utter_faq_pain"]
    assert "booking_name" in filled_slots(events) and slots_set(events)["booking_name"] is None
    assert slots_set(events)["form_misses"] == 0  # a question is not a failed answer


def test_details_with_a_question_are_kept_and_the_question_answered():
    text = "Priya Raman, 617-555-0145 - oh wait, is the consultation free btw?"
    tracker = tracker_for(text, "faq_consultation", form="booking_form", requested="booking_name")
    messages, events = run(ValidateBookingForm(), tracker)
    assert "utter_faq_consultation" in [m.get("response") for m in messages]
    assert slots_set(events)["booking_name"] == "Priya Raman"
    assert slots_set(events)["booking_contact"] == "+16175550145"


def test_details_without_a_question_mark_get_no_answer():
    tracker = tracker_for("Priya Raman, 617-555-0145", "inform", form="booking_form", requested="booking_name")
    messages, _ = run(ValidateBookingForm(), tracker)
    assert not any(m.get("response", "").startswith("utter_faq") for m in messages if m.get("response"))


def test_an_unreadable_answer_is_asked_again_with_help():
    tracker = tracker_for("🙂🙂🙂", "nlu_fallback", form="booking_form", requested="booking_name")
    messages, events = run(ValidateBookingForm(), tracker)
    assert "name" in texts(messages) and slots_set(events)["booking_name"] is None


def test_filled_slots_ignores_the_requested_slot():
    events = [{"event": "slot", "name": "requested_slot", "value": "x"}, {"event": "slot", "name": "a", "value": None}]
    assert filled_slots(events) == ["a"]


def test_a_second_unusable_answer_in_a_row_offers_a_person_or_a_way_out():
    tracker = tracker_for(
        "🙂🙂🙂", "nlu_fallback", form="booking_form", requested="booking_name", slots={"form_misses": 0}
    )
    messages, events = run(ValidateBookingForm(), tracker)
    assert "utter_form_offer_help" not in [m.get("response") for m in messages]
    assert slots_set(events)["form_misses"] == 1
    tracker = tracker_for(
        "?!?", "nlu_fallback", form="booking_form", requested="booking_name", slots={"form_misses": 1}
    )
    messages, events = run(ValidateBookingForm(), tracker)
    offer = next(m for m in messages if m.get("response") == "utter_form_offer_help")
    assert offer and slots_set(events)["form_misses"] == 0  # offered once, then counted afresh


def test_a_usable_answer_resets_the_count():
    tracker = tracker_for(
        "Ines Duarte", "inform", form="booking_form", requested="booking_name", slots={"form_misses": 1}
    )
    _, events = run(ValidateBookingForm(), tracker)
    assert slots_set(events)["form_misses"] == 0


@pytest.mark.parametrize("earlier", [True, False])
def test_a_new_request_forgets_whether_the_last_one_was_saved(earlier):
    tracker = tracker_for(
        "I'd like to book again", "request_booking", form="booking_form", slots={"handoff_saved": earlier}
    )
    _, events = run(ValidateBookingForm(), tracker)
    assert slots_set(events)["handoff_saved"] is None


def test_mid_form_turns_leave_the_saved_flag_alone():
    tracker = tracker_for(
        "Priya Shah", "inform", form="booking_form", requested="booking_name", slots={"handoff_saved": True}
    )
    _, events = run(ValidateBookingForm(), tracker)
    assert "handoff_saved" not in slots_set(events)
