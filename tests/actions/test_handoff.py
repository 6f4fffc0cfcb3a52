"""A question for a person: contact asked unless known, "skip" respected, the question stored."""

import pytest

from actions.booking import CONTACT_HELP
from actions.handoff import ActionSubmitQuestion, ValidateHandoffForm
from tests.actions.conftest import run, slots_set, texts, tracker_for, user_event

FORM = "handoff_form"


def test_asking_for_a_person_asks_for_a_contact():
    _, events = run(ValidateHandoffForm(), tracker_for("can I talk to a real person", "request_human"))
    assert slots_set(events)["handoff_contact_declined"] is False
    assert slots_set(events).get("booking_contact") is None


def test_a_number_in_the_request_itself_is_used():
    _, events = run(ValidateHandoffForm(), tracker_for("have someone call me on 347 555 0190", "request_human"))
    assert slots_set(events)["booking_contact"] == "+13475550190"


def test_on_sms_the_sender_number_is_the_contact():
    tracker = tracker_for("human please", "request_human", sender="sms:+13475550190", channel="twilio")
    _, events = run(ValidateHandoffForm(), tracker)
    assert slots_set(events)["booking_contact"] == "+13475550190"


@pytest.mark.parametrize("sender", ["rest:+13475550190", "widget:+13475550190", "+13475550190"])
def test_only_an_sms_conversation_vouches_for_a_number(sender):
    """A REST client may name its conversation after anyone's number, even claim the twilio channel."""
    tracker = tracker_for("human please", "request_human", sender=sender, channel="twilio")
    _, events = run(ValidateHandoffForm(), tracker)
    assert slots_set(events).get("booking_contact") is None


def test_skip_is_respected_and_ends_the_form():
    _, events = run(ValidateHandoffForm(), tracker_for("skip", "deny", form=FORM, requested="booking_contact"))
    values = slots_set(events)
    assert values["handoff_contact_declined"] is True and values["requested_slot"] is None


def test_a_bad_number_is_asked_again():
    messages, events = run(
        ValidateHandoffForm(), tracker_for("555-01", "inform", form=FORM, requested="booking_contact")
    )
    assert CONTACT_HELP in texts(messages) and slots_set(events)["booking_contact"] is None


def test_the_last_question_is_stored_for_staff(service, store):
    history = [user_event("do you treat necks too?", "faq_not_covered"), user_event("talk to a human", "request_human")]
    tracker = tracker_for(
        "347 555 0190",
        "inform",
        history=history,
        slots={"booking_contact": "+13475550190", "booking_contact_kind": "phone"},
    )
    _, events = run(ActionSubmitQuestion(), tracker)
    assert slots_set(events)["handoff_saved"] is True
    [row] = store.list()
    assert (row.kind, row.question, row.contact) == ("question", "do you treat necks too?", "+13475550190")


def test_a_question_without_contact_is_still_passed_on(service, store):
    history = [user_event("is it ok to fly after?", "faq_not_covered")]
    _, events = run(
        ActionSubmitQuestion(), tracker_for("skip", "deny", history=history, slots={"handoff_contact_declined": True})
    )
    assert slots_set(events)["handoff_saved"] is True
    assert store.list()[0].contact is None


def test_when_the_database_is_down_the_question_is_not_confirmed(database_down):
    _, events = run(ActionSubmitQuestion(), tracker_for("help", "request_human"))
    assert slots_set(events)["handoff_saved"] is False
