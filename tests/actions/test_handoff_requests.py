"""What a handoff takes from the conversation."""

from actions.handoff_requests import last_question, patient_texts
from actions.red_flag import ActionRedFlagHandoff
from tests.actions.conftest import run, tracker_for, user_event


def test_the_last_question_skips_requests_for_a_person_and_short_answers():
    history = [user_event("can I fly after?", "faq_not_covered"), user_event("ok", "affirm")]
    assert last_question(tracker_for("get me a human", "request_human", history=history)) == "can I fly after?"


def test_a_message_a_form_read_a_detail_from_is_no_question():
    history = [
        user_event("Am I a good candidate?", "check_eligibility"),
        user_event("I take accutane, no keloids", "faq_contraindications"),
        {"event": "slot", "name": "keloids", "value": False},
        user_event("Maria Gonzalez", "faq_what_is_cit"),
        {"event": "slot", "name": "booking_name", "value": "Maria Gonzalez"},
    ]
    tracker = tracker_for("can someone just call me? 917 555 0163", "request_human", history=history)
    assert last_question(tracker) == "Am I a good candidate?"


def test_there_may_be_no_question():
    assert last_question(tracker_for("human please", "request_human")) is None


def test_button_payloads_are_not_patient_text():
    history = [user_event("/faq_pain", "faq_pain"), user_event("wrinkles mostly", "inform")]
    assert patient_texts(tracker_for("yes", "affirm", history=history)) == ["wrinkles mostly", "yes"]


def test_a_forged_contact_slot_never_reaches_staff(service, store, notifier):
    """Slots set by anything but the forms' readers (here: a red flag after a forged
    `booking_contact`) are read again by the handoff service; the red flag still reaches staff."""
    forged = {"booking_name": "Ana Lima", "booking_contact": "ring 555 please", "booking_contact_kind": "phone"}
    tracker = tracker_for("my lips are swelling", "red_flag_emergency", slots=forged)
    tracker.latest_message["entities"] = [{"entity": "red_flag", "value": "swelling", "extractor": "RedFlagDetector"}]
    run(ActionRedFlagHandoff(), tracker)
    [handoff] = store.list()
    assert (handoff.kind, handoff.name, handoff.contact, handoff.contact_kind) == ("red_flag", "Ana Lima", None, None)
    assert notifier.notified == [handoff]
