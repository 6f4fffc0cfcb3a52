"""Two questions in one message: both answers, in the order asked."""

from actions.booking import ValidateBookingForm
from actions.questions import ActionAnswerQuestions
from tests.actions.conftest import run, tracker_for


def _two(text: str, *questions: str, **kwargs):
    tracker = tracker_for(text, "ask_two_questions", **kwargs)
    tracker.latest_message["questions"] = list(questions)
    return tracker


def test_both_questions_get_their_own_answers_in_order():
    messages, _ = run(
        ActionAnswerQuestions(), _two("how long is the redness, and how often?", "aftercare_redness", "faq_frequency")
    )
    assert [m.get("response") for m in messages] == ["utter_aftercare_redness", "utter_faq_frequency"]


def test_a_question_without_an_answer_is_skipped_and_none_at_all_gets_the_fallback():
    messages, _ = run(ActionAnswerQuestions(), _two("x and y", "faq_device", "no_such_intent"))
    assert [m.get("response") for m in messages] == ["utter_faq_device"]
    messages, _ = run(ActionAnswerQuestions(), _two("x and y"))
    assert [m.get("response") for m in messages] == ["utter_default"]


def test_two_questions_mid_form_are_both_answered_and_the_form_asks_again():
    tracker = _two(
        "does it hurt? and who does it?", "faq_pain", "faq_who_performs", form="booking_form", requested="booking_name"
    )
    messages, _ = run(ValidateBookingForm(), tracker)
    assert [m.get("response") for m in messages] == ["utter_faq_pain", "utter_faq_who_performs"]
