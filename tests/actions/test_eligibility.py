"""The eligibility form: volunteered facts, several answers at once, unclear answers, outcomes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.eligibility import (
    ActionScreeningOutcome,
    AskActiveAcne,
    AskKeloids,
    AskPregnantOrNursing,
    ValidateEligibilityForm,
)
from bot.screening import get_screening
from tests.actions.conftest import run, slots_set, texts, tracker_for, user_event

FORM = "eligibility_form"


def validate(text, intent="check_eligibility", **kwargs):
    return run(ValidateEligibilityForm(), tracker_for(text, intent, **kwargs))


@pytest.mark.parametrize(
    "text, slot",
    [
        ("I'm 8 weeks pregnant, can I still get microneedling?", "pregnant_or_nursing"),
        ("I'm nursing my daughter, is the skin pen ok for me?", "pregnant_or_nursing"),
        ("I have cystic acne flaring right now, can I do CIT?", "active_acne"),
        ("my skin forms keloids, can I have it?", "keloids"),
    ],
)
def test_a_volunteered_contraindication_ends_the_form_at_once(text, slot):
    messages, events = validate(text)
    values = slots_set(events)
    assert values[slot] is True
    assert values["requested_slot"] is None  # no more questions: the outcome follows
    assert messages == []  # no intro for questions that will not be asked


def test_starting_without_facts_introduces_the_screening():
    messages, events = validate("am I a good candidate?")
    assert texts(messages) == get_screening().intro
    assert "consult" in texts(messages)
    assert not {"pregnant_or_nursing", "active_acne", "keloids"} & {
        k for k, v in slots_set(events).items() if v is not None
    }


def test_several_answers_in_one_message_are_all_used():
    _, events = validate(
        "no I'm not pregnant or breastfeeding, no breakouts, never had keloids",
        form=FORM, requested="pregnant_or_nursing",
    )  # fmt: skip
    values = slots_set(events)
    assert (values["pregnant_or_nursing"], values["active_acne"], values["keloids"]) == (False, False, False)


def test_a_bare_no_answers_the_question_asked():
    _, events = validate(
        "nope", intent="deny", form=FORM, requested="active_acne", slots={"pregnant_or_nursing": False}
    )
    values = slots_set(events)
    assert values["active_acne"] is False and "keloids" not in values


def test_an_unclear_answer_is_asked_again_more_plainly():
    _, events = validate("hmm what do you mean", intent="nlu_fallback", form=FORM, requested="pregnant_or_nursing")
    values = slots_set(events)
    assert values["screening_unclear"] is True and values["pregnant_or_nursing"] is None
    question = get_screening().question("pregnant_or_nursing")
    messages, ask_events = run(
        AskPregnantOrNursing(), tracker_for("x", "nlu_fallback", slots={"screening_unclear": True})
    )
    assert texts(messages) == question.reask and slots_set(ask_events) == {"screening_unclear": False}


def test_a_question_mid_screening_is_answered_then_the_screening_goes_on():
    messages, events = validate("how long is the numbing?", intent="faq_numbing", form=FORM, requested="active_acne")
    assert messages[0]["response"] == "utter_faq_numbing"
    assert slots_set(events)["active_acne"] is None


def test_a_labeling_condition_is_remembered_for_the_provider():
    _, events = validate("I'm on accutane, can I do it?")
    assert slots_set(events)["screening_review"]
    _, again = validate(
        "also on accutane still", form=FORM, requested="active_acne",
        slots={"screening_review": slots_set(events)["screening_review"]},
    )  # fmt: skip
    assert "screening_review" not in slots_set(again)  # not added twice


@pytest.mark.parametrize("action", [AskPregnantOrNursing(), AskActiveAcne(), AskKeloids()])
def test_each_question_is_asked_in_the_screening_file_words(action):
    messages, events = run(action, tracker_for("x", "deny"))
    assert texts(messages) == get_screening().question(action.slot).ask and events == []


def outcome(**answers):
    slots = {"pregnant_or_nursing": None, "active_acne": None, "keloids": None, **answers}
    return run(ActionScreeningOutcome(), tracker_for("no", "deny", slots=slots))


def test_a_contraindication_gives_not_recommended_and_offers_a_consultation():
    messages, events = outcome(pregnant_or_nursing=True)
    assert slots_set(events) == {"screening_outcome": "not_recommended", "book_after_screening": False}
    assert "pregnan" in texts(messages).lower()
    assert messages[-1]["buttons"][0]["payload"] == "/request_booking"


def test_no_contraindication_may_be_a_good_candidate_never_guaranteed():
    messages, events = outcome(pregnant_or_nursing=False, active_acne=False, keloids=False)
    said = texts(messages).lower()
    assert slots_set(events) == {"screening_outcome": "candidate", "book_after_screening": False}
    assert "consult" in said and "candidate" in said
    assert not any(word in said for word in ("guarantee", "approved", "definitely"))


def _asked_first(text: str, intent: str, **answers):
    slots = {"pregnant_or_nursing": False, "active_acne": False, "keloids": False, **answers}
    return run(ActionScreeningOutcome(), tracker_for("no", "deny", slots=slots, history=[user_event(text, intent)]))


def test_a_patient_who_asked_to_book_goes_straight_to_the_booking_request():
    messages, events = _asked_first("can you check I'm ok first, then book me in", "check_eligibility")
    assert slots_set(events)["book_after_screening"] is True  # a rule starts the booking (data/rules.yml)
    assert not any(m.get("buttons") for m in messages)  # not asked again


def test_without_a_booking_request_or_with_a_contraindication_the_booking_is_only_offered():
    messages, events = _asked_first("am I a good candidate?", "check_eligibility")
    assert slots_set(events)["book_after_screening"] is False and messages[-1]["buttons"]
    messages, events = _asked_first("check first then book me", "check_eligibility", pregnant_or_nursing=True)
    assert slots_set(events)["book_after_screening"] is False and messages[-1]["buttons"]


def test_a_labeling_condition_needs_a_provider_review():
    messages, events = run(
        ActionScreeningOutcome(),
        tracker_for("no", "deny", slots={"pregnant_or_nursing": False, "active_acne": False, "keloids": False,
                                         "screening_review": ["isotretinoin"]}),
    )  # fmt: skip
    assert slots_set(events) == {"screening_outcome": "needs_review", "book_after_screening": False}
    assert "provider" in texts(messages).lower()


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=400) | st.sampled_from(["<script>alert(1)</script> pregnant", "no " * 2000, "😀 nope"]),
    requested=st.sampled_from([None, "pregnant_or_nursing", "active_acne", "keloids"]),
    intent=st.sampled_from(["check_eligibility", "deny", "affirm", "nlu_fallback", "faq_pain"]),
)
def test_any_message_leaves_only_yes_no_answers(text, requested, intent):
    _, events = validate(text, intent=intent, form=FORM if requested else None, requested=requested)
    for slot, value in slots_set(events).items():
        if slot in ("pregnant_or_nursing", "active_acne", "keloids", "screening_unclear"):
            assert value in (True, False, None)
