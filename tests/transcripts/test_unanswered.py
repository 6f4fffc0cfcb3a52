"""Which messages count as unanswered, and how they are grouped by similar text."""
import random

import pytest

from bot.transcripts.events import PatientMessage
from bot.transcripts.unanswered import UNSURE_BELOW, UnansweredGroup, UnansweredMessage, group_similar, reason_for
from tests.tracker_data import at


def _message(text: str, intent: str = "faq_pain", confidence: float = 0.9) -> PatientMessage:
    return PatientMessage(text=text, channel="rest", intent=intent, confidence=confidence)


@pytest.mark.parametrize(
    "intent, confidence, reason",
    [
        ("nlu_fallback", 0.35, "fallback"),
        ("out_of_scope", 0.95, "out_of_scope"),
        ("faq_not_covered", 0.95, "not_covered"),
        ("faq_pain", UNSURE_BELOW - 0.01, "unsure"),
        ("faq_pain", UNSURE_BELOW, None),
        ("faq_pain", 0.99, None),
        ("red_flag_urgent", 1.0, None),
        (None, None, None),
    ],
)
def test_the_reason_a_message_went_unanswered(intent, confidence, reason):
    assert reason_for(_message("something the patient typed", intent, confidence)) == reason


def test_buttons_and_empty_messages_are_never_unanswered():
    assert reason_for(_message("/faq_pain", "nlu_fallback", 0.2)) is None
    assert reason_for(_message("   ", "nlu_fallback", 0.2)) is None


def _unanswered(text: str, minute: float, reason: str = "fallback", sender: str = "s") -> UnansweredMessage:
    return UnansweredMessage(sender, text, at(minute), reason)


def test_the_same_text_written_differently_is_one_entry():
    written = [("How much is it?", "fallback"), ("how   much is it", "unsure"), ("HOW MUCH IS IT", "fallback")]
    groups = group_similar([_unanswered(text, minute, reason) for minute, (text, reason) in enumerate(written)])
    assert groups == [UnansweredGroup("HOW MUCH IS IT", ("HOW MUCH IS IT",), 3, {"fallback": 2, "unsure": 1}, at(2))]


def test_near_duplicates_share_a_group_and_unrelated_texts_do_not():
    groups = group_similar(
        [
            _unanswered("how much does it cost", 0),
            _unanswered("how much does it cost", 1),
            _unanswered("how much will it cost me?", 2, "unsure"),
            _unanswered("what are your prices", 3),
            _unanswered("what is the price", 4),
            _unanswered("can I bring my dog", 5, "out_of_scope"),
        ]
    )
    assert [group.texts for group in groups] == [
        ("how much does it cost", "how much will it cost me?"),
        ("what is the price", "what are your prices"),
        ("can I bring my dog",),
    ]
    assert [group.count for group in groups] == [3, 2, 1]
    assert groups[0].reasons == {"fallback": 2, "unsure": 1}
    assert groups[0].last_at == at(2)


def test_the_example_is_the_most_frequent_text_then_the_most_recent():
    frequent = group_similar(
        [_unanswered("do you do lip fillers", 0), _unanswered("lip fillers?", 1), _unanswered("lip fillers?", 2)]
    )
    assert [(group.example, group.texts) for group in frequent] == [
        ("lip fillers?", ("lip fillers?", "do you do lip fillers"))
    ]
    tie = group_similar([_unanswered("do you do lip fillers", 3), _unanswered("lip fillers?", 1)])
    assert tie[0].example == "do you do lip fillers"


def test_groups_come_most_frequent_first_then_most_recent():
    groups = group_similar(
        [
            _unanswered("parking at the clinic", 0),
            _unanswered("gift vouchers", 5),
            _unanswered("parking at the clinic", 1),
            _unanswered("tattoo removal", 9),
        ]
    )
    assert [group.example for group in groups] == ["parking at the clinic", "tattoo removal", "gift vouchers"]


def test_texts_of_only_punctuation_or_stop_words_still_group_sensibly():
    texts = ["???", "???", "what is it", "!!"]
    groups = group_similar([_unanswered(text, minute) for minute, text in enumerate(texts)])
    assert sorted(group.texts for group in groups) == [("!!",), ("???",), ("what is it",)]


def test_grouping_is_deterministic_whatever_the_input_order():
    messages = [
        _unanswered(text, minute, reason)
        for minute, (text, reason) in enumerate(
            [
                ("how much does it cost", "fallback"),
                ("how much is it", "unsure"),
                ("cost of microneedling", "fallback"),
                ("do you take card", "out_of_scope"),
                ("can I pay by card", "out_of_scope"),
                ("needle depth?", "not_covered"),
                ("what depth are the needles", "not_covered"),
                ("how much does it cost", "unsure"),
            ]
        )
    ]
    expected = group_similar(messages)
    shuffled = list(messages)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert group_similar(shuffled) == expected


def test_no_messages_no_groups():
    assert group_similar([]) == []
