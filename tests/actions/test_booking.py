"""The booking form and its submission: details in any order, validation, read-back, storage."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.booking import (
    CONTACT_HELP,
    WHICH_DETAIL,
    ActionAskBookingConfirmed,
    ActionSubmitBooking,
    ValidateBookingForm,
)
from bot.booking import find_contact, validate_name
from tests.actions.conftest import run, slots_set, texts, tracker_for, user_event

FORM = "booking_form"
DETAILS = {
    "booking_name": "Jordan Lee",
    "booking_contact": "+16175550142",
    "booking_contact_display": "(617) 555-0142",
    "booking_contact_kind": "phone",
    "booking_time": "Weekday mornings",
}


def validate(text, intent="inform", **kwargs):
    return run(ValidateBookingForm(), tracker_for(text, intent, **kwargs))


def test_all_three_details_in_the_first_message_skip_to_the_read_back():
    _, events = validate(
        "Please book me a consult: I'm Priya Shah, phone 646-555-0123, Saturdays are best", intent="request_booking"
    )
    values = slots_set(events)
    assert values["booking_name"] == "Priya Shah"
    assert values["booking_contact"] == "+16465550123" and values["booking_contact_kind"] == "phone"
    assert "Saturday" in values["booking_time"]


def test_a_name_answers_the_name_question():
    _, events = validate("My name is Jordan Lee", form=FORM, requested="booking_name")
    assert slots_set(events)["booking_name"] == "Jordan Lee"


def test_a_bare_name_that_starts_the_form_is_kept():
    _, events = validate("Ben Adeyemi")
    assert slots_set(events)["booking_name"] == "Ben Adeyemi"


def test_a_bad_phone_number_is_asked_again_with_an_example_then_a_good_one_is_kept():
    slots = {"booking_name": "Sam Patel"}
    messages, events = validate("12", form=FORM, requested="booking_contact", slots=slots)
    assert CONTACT_HELP in texts(messages)
    assert slots_set(events)["booking_contact"] is None
    _, events = validate("sorry, it's 312-555-0187", form=FORM, requested="booking_contact", slots=slots)
    assert slots_set(events)["booking_contact"] == "+13125550187"


def test_an_incomplete_email_is_refused():
    messages, events = validate(
        "chris@", form=FORM, requested="booking_contact", slots={"booking_name": "Chris Nguyen"}
    )
    assert CONTACT_HELP in texts(messages) and slots_set(events)["booking_contact"] is None


def test_an_email_is_kept_normalized():
    _, events = validate(
        "you can email me at maria.gonzalez@EXAMPLE.com", form=FORM, requested="booking_contact",
        slots={"booking_name": "Maria Gonzalez"},
    )  # fmt: skip
    assert slots_set(events)["booking_contact"] == "maria.gonzalez@example.com"


def test_the_time_question_takes_free_text():
    _, events = validate(
        "whenever suits, I'm flexible",
        form=FORM,
        requested="booking_time",
        slots={k: v for k, v in DETAILS.items() if k != "booking_time"},
    )
    assert slots_set(events)["booking_time"]


def test_yes_to_the_read_back_confirms_and_ends_the_form():
    _, events = validate(
        "yes, that's all correct", intent="affirm", form=FORM, requested="booking_confirmed", slots=DETAILS
    )
    values = slots_set(events)
    assert values["booking_confirmed"] is True
    assert "booking_name" not in values  # "it's all correct" is not a name


def test_no_to_the_read_back_asks_what_to_change_then_reads_back_again():
    messages, events = validate("no", intent="deny", form=FORM, requested="booking_confirmed", slots=DETAILS)
    assert WHICH_DETAIL in texts(messages) and slots_set(events)["booking_correcting"] is True
    asked, _ = run(
        ActionAskBookingConfirmed(), tracker_for("no", "deny", slots={**DETAILS, "booking_correcting": True})
    )
    assert asked == []  # the question about what to change was the reply
    _, events = validate(
        "make it friday mornings",
        form=FORM,
        requested="booking_confirmed",
        slots={**DETAILS, "booking_correcting": True},
    )
    values = slots_set(events)
    assert "friday" in values["booking_time"].lower() and values["booking_confirmed"] is None
    assert values["booking_correcting"] is False


def test_change_the_number_without_a_new_one_asks_for_it_again():
    _, events = validate("can you change the phone number", form=FORM, requested="booking_confirmed", slots=DETAILS)
    assert slots_set(events)["booking_contact"] is None  # the form asks for it again


def test_the_read_back_shows_the_details_and_asks_for_consent():
    messages, _ = run(ActionAskBookingConfirmed(), tracker_for("x", "inform", slots=DETAILS))
    said = texts(messages)
    assert "Jordan Lee" in said and "(617) 555-0142" in said and "Weekday mornings" in said
    assert "contact you" in said
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=300) | st.sampled_from(["<b>Bob</b>", "O'Brien 😀", "' OR 1=1 --", "617-555-0142 " * 50]),
    requested=st.sampled_from(["booking_name", "booking_contact", "booking_time", "booking_confirmed"]),
    intent=st.sampled_from(["inform", "nlu_fallback", "affirm", "deny", "faq_pain", "out_of_scope"]),
)
def test_any_message_is_handled_and_only_valid_values_are_kept(text, requested, intent):
    _, events = validate(text, intent=intent, form=FORM, requested=requested, slots=DETAILS)
    values = slots_set(events)
    if values.get("booking_name") is not None:
        assert validate_name(values["booking_name"]) == values["booking_name"]
    if values.get("booking_contact") is not None:
        assert find_contact(values["booking_contact"]).contact.value == values["booking_contact"]
    if values.get("booking_time") is not None:
        assert 0 < len(values["booking_time"]) <= 200


def submit(**slots):
    history = [user_event("does it help with acne scars?", "faq_skin_concerns")]
    return run(ActionSubmitBooking(), tracker_for("yes", "affirm", slots={**DETAILS, **slots}, history=history))


def test_a_confirmed_request_is_committed_and_staff_are_told(service, store, notifier):
    _, events = submit(booking_confirmed=True)
    assert slots_set(events)["handoff_saved"] is True
    [row] = store.list()
    assert (row.kind, row.name, row.contact, row.preferred_time) == (
        "booking",
        "Jordan Lee",
        "+16175550142",
        "Weekday mornings",
    )
    assert row.sender_id == "patient-1" and row.channel == "rest"
    assert row.concern == "acne scars"
    assert [n.id for n in notifier.notified] == [row.id]


def test_a_repeated_submission_creates_no_second_row(service, store, notifier):
    submit(booking_confirmed=True)
    _, events = submit(booking_confirmed=True)
    assert slots_set(events)["handoff_saved"] is True
    assert len(store.list()) == 1 and len(notifier.notified) == 1


def test_a_request_after_a_screening_concern_is_a_screening_handoff(service, store):
    submit(pregnant_or_nursing=True, screening_outcome="not_recommended")
    [row] = store.list()
    assert row.kind == "screening" and row.screening_outcome == "not_recommended"
    assert row.screening_answers["pregnant_or_nursing"] is True


def test_conditions_for_a_provider_reach_staff_as_text(service, store):
    submit(keloids=False, screening_review=["isotretinoin"], screening_outcome="needs_review")
    assert store.list()[0].screening_answers == {"keloids": False, "review": "isotretinoin"}


def test_when_the_database_is_down_nothing_is_confirmed(database_down, notifier):
    _, events = submit(booking_confirmed=True)
    assert slots_set(events)["handoff_saved"] is False
    assert notifier.notified == []


def test_a_question_it_cannot_answer_at_the_contact_question_is_not_called_a_bad_number():
    messages, events = validate(
        "quick q, how much time should I set aside for the whole visit?",
        form=FORM,
        requested="booking_contact",
        slots={"booking_name": "Sam Patel"},
        intent="nlu_fallback",
    )
    assert CONTACT_HELP not in texts(messages) and "didn't catch" in texts(messages)


def test_a_correction_out_of_turn_is_acknowledged():
    slots = {"booking_time": "Monday mornings"}
    messages, events = validate(
        "oh wait make it thursday mornings instead", form=FORM, requested="booking_name", slots=slots
    )
    assert slots_set(events)["booking_time"] == "thursday mornings"
    assert "changed your preferred time to: thursday mornings" in texts(messages)
    messages, _ = validate("Sam Lee", form=FORM, requested="booking_name", slots=slots)
    assert "changed" not in texts(messages)  # a first answer is no change


def test_a_name_then_a_question_keeps_the_name():
    text = "Tomasz Wren. quick q tho how long is the whole appointment roughly, need to know for work"
    messages, events = validate(text, intent="faq_procedure", form=FORM, requested="booking_name")
    assert slots_set(events)["booking_name"] == "Tomasz Wren"
    assert "utter_faq_procedure" in [m.get("response") for m in messages]
