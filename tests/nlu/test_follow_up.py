"""Follow-ups read with the previous message (bot.nlu.follow_up)."""
from types import SimpleNamespace

import pytest

from bot.nlu.follow_up import (
    OWN_ANSWER_CONFIDENCE,
    OWN_CONFIDENCE,
    TOPIC_AFFINITY,
    asks_about_it,
    context_wins,
    looks_like_follow_up,
    previous_topic,
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
    ["how long does the redness last after microneedling", "/faq_pain", "",
     "what is the weather going to be like in chicago this weekend and do I need to bring an umbrella to the game on sunday"],
)
def test_questions_of_their_own_are_not_follow_ups(text):
    assert not looks_like_follow_up(text)


def test_the_topic_wins_only_when_the_message_leans_to_it_and_is_unsure_of_its_own():
    lean = TOPIC_AFFINITY
    assert context_wins("out_of_scope", 0.95, "faq_red_light", lean)  # "does it get hot tho i hate heat lamps"
    assert not context_wins("out_of_scope", 0.95, "faq_skincare", lean / 2)  # "what is this song name"
    assert not context_wins("deny", OWN_CONFIDENCE, "faq_skincare", 0.3)  # "no": an act of its own
    assert context_wins("deny", 0.58, "faq_skincare", lean)  # "n no parabens?"
    assert not context_wins("faq_procedure", OWN_ANSWER_CONFIDENCE, "faq_numbing", 0.4)  # its own question
    assert not context_wins("out_of_scope", 0.3, "request_booking", 0.4)  # forms never start from context
    assert not context_wins("ask_other_health", 0.6, "faq_device", 0.3)  # "i have a rash, what can i use"
    assert not context_wins("red_flag_urgent", 0.6, "aftercare_redness", 0.3)  # "mine is spreading tho"


def test_a_judgement_on_what_was_just_said_needs_no_lean():
    assert asks_about_it("ugh. is that bad??") and asks_about_it("is it normal?")
    assert not asks_about_it("is it going to rain") and not asks_about_it("is that bad, my face is swelling and hot")
    assert context_wins("ask_other_health", 0.6, "aftercare_flaking", 0.0, judgement=True)
    assert not context_wins("red_flag_urgent", 0.6, "aftercare_flaking", 0.0, judgement=True)
    assert not context_wins("faq_pain", 0.9, "aftercare_flaking", 0.0, judgement=True)


def _latest(intent, **parse_data):
    return SimpleNamespace(latest_message=SimpleNamespace(intent={"name": intent}, parse_data=parse_data))


def test_the_topic_is_what_the_previous_message_was_answered_with():
    assert previous_topic(_latest("faq_skincare")) == "faq_skincare"
    assert previous_topic(_latest("ask_two_questions", questions=["faq_pain", "aftercare_redness"])) == "aftercare_redness"
    assert previous_topic(_latest("check_eligibility")) == "faq_contraindications"  # the rules, not a new screening
    assert previous_topic(_latest("deny")) is None and previous_topic(_latest("request_booking")) is None
    assert previous_topic(None) is None
