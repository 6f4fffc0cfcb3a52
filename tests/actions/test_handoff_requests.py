"""What a handoff takes from the conversation."""
from actions.handoff_requests import last_question, patient_texts
from tests.actions.conftest import tracker_for, user_event


def test_the_last_question_skips_requests_for_a_person_and_short_answers():
    history = [user_event("can I fly after?", "faq_not_covered"), user_event("ok", "affirm")]
    assert last_question(tracker_for("get me a human", "request_human", history=history)) == "can I fly after?"


def test_there_may_be_no_question():
    assert last_question(tracker_for("human please", "request_human")) is None


def test_button_payloads_are_not_patient_text():
    history = [user_event("/faq_pain", "faq_pain"), user_event("wrinkles mostly", "inform")]
    assert patient_texts(tracker_for("yes", "affirm", history=history)) == ["wrinkles mostly", "yes"]
