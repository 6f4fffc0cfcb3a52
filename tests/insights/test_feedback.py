"""Patients' ratings of answers: one per conversation and answer, replaced when rated again."""

import pytest
from sqlalchemy import func, select

from bot.db.models import AnswerFeedback
from bot.insights.feedback import AnswerRating, FeedbackStore, is_answer, last_answer
from tests.clock import Clock
from tests.tracker_data import T0, at


@pytest.fixture
def store(sessions):
    return FeedbackStore(sessions, clock=Clock(start=T0))


def test_rating_an_answer_again_replaces_the_first_rating(store, sessions):
    store.record("widget:a", "utter_faq_pain", True)
    store.record("widget:a", "utter_faq_pain", False, "  too   vague ")
    with sessions() as session:
        rows = session.execute(select(AnswerFeedback)).scalars().all()
    assert [(r.conversation_id, r.channel, r.response, r.helpful, r.comment) for r in rows] == [
        ("widget:a", "widget", "utter_faq_pain", False, "too vague")
    ]


def test_ratings_are_counted_per_answer_over_the_period_and_channels(store):
    store.record("widget:a", "utter_faq_pain", True)
    store.record("widget:b", "utter_faq_pain", False, "no")
    store.record("sms:+15550001", "utter_faq_pain", False)
    store.record("widget:b", "utter_aftercare_redness", True)
    website = store.per_answer(at(-1), at(1), ["widget"])
    assert website == {
        "utter_faq_pain": AnswerRating("utter_faq_pain", 1, 1, 1),
        "utter_aftercare_redness": AnswerRating("utter_aftercare_redness", 1, 0, 0),
    }
    assert store.per_answer(at(1), at(2), ["widget", "sms"]) == {}
    assert store.per_conversation(at(-1), at(1), ["widget", "sms"]) == {
        "widget:a": (1, 0),
        "widget:b": (1, 1),
        "sms:+15550001": (0, 1),
    }


def test_a_rating_without_a_comment_keeps_the_comment_given_before(store, sessions):
    store.record("widget:a", "utter_faq_pain", False, "too vague")
    store.record("widget:a", "utter_faq_pain", False)  # the rating arriving after its comment
    with sessions() as session:
        assert session.execute(select(AnswerFeedback.comment)).scalars().all() == ["too vague"]


def test_a_comment_is_cut_to_the_columns_length(store, sessions):
    store.record("widget:a", "utter_faq_pain", False, "x" * 900)
    with sessions() as session:
        assert session.execute(select(func.length(AnswerFeedback.comment))).scalar_one() == 500


@pytest.mark.parametrize("conversation, response", [("widget:a", "utter_greet"), ("someone", "utter_faq_pain")])
def test_only_answers_of_a_channels_conversation_can_be_rated(store, conversation, response):
    with pytest.raises(ValueError):
        store.record(conversation, response, True)


def test_the_last_rated_answer_skips_greetings_and_menus():
    assert last_answer(["utter_faq_pain", "utter_anything_else", None]) == "utter_faq_pain"
    assert last_answer(["utter_greet"]) is None
    assert is_answer("utter_aftercare_flaking") and not is_answer("utter_default")
