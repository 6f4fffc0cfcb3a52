"""Follow-ups read with the previous message (bot.nlu.follow_up)."""
from types import SimpleNamespace

import pytest

from bot.nlu.follow_up import (
    OWN_ANSWER_CONFIDENCE,
    OWN_CONFIDENCE,
    as_information,
    context_wins,
    looks_like_follow_up,
    previous_text,
)


@pytest.mark.parametrize(
    "text",
    ["is it vegan tho", "how far apart", "and the needling part itself?", "Thank you. And is that normal, then?",
     "what about a chem peel", "How long does that have to sit on?"],
)
def test_follow_ups_lean_on_what_came_before(text):
    assert looks_like_follow_up(text)


@pytest.mark.parametrize(
    "text",
    ["how long does the redness last after microneedling", "i have a car payment that needs to be paid today",
     "/faq_pain", "", "what is the weather going to be like in chicago this weekend"],
)
def test_questions_of_their_own_are_not_follow_ups(text):
    assert not looks_like_follow_up(text)


def test_the_joined_reading_wins_only_when_confident_answerable_and_the_message_alone_is_unsure():
    assert context_wins("out_of_scope", 0.59, "faq_skincare", 0.9)
    assert not context_wins("out_of_scope", OWN_CONFIDENCE, "faq_skincare", 0.9)  # "is it going to rain?"
    assert not context_wins("faq_procedure", OWN_ANSWER_CONFIDENCE, "faq_numbing", 0.9)  # its own question
    assert not context_wins("out_of_scope", 0.3, "request_booking", 0.9)  # forms never start from context
    assert not context_wins("out_of_scope", 0.3, "faq_skincare", 0.49)
    assert not context_wins("red_flag_urgent", 0.6, "aftercare_redness", 0.9)  # "mine is spreading tho"


def test_the_previous_message_is_the_trackers_latest_and_never_a_button():
    assert previous_text(SimpleNamespace(latest_message=SimpleNamespace(text="does it hurt"))) == "does it hurt"
    assert previous_text(SimpleNamespace(latest_message=SimpleNamespace(text="/faq_pain"))) is None
    assert previous_text(None) is None


def test_a_follow_up_read_as_can_i_have_it_gets_the_information_answer():
    folded = as_information(
        [{"name": "check_eligibility", "confidence": 0.5}, {"name": "faq_contraindications", "confidence": 0.3},
         {"name": "faq_pain", "confidence": 0.2}]
    )  # fmt: skip
    assert folded[0] == {"name": "faq_contraindications", "confidence": 0.8} and len(folded) == 2
