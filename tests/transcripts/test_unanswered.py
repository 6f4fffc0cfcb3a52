"""Which messages count as unanswered, how they are grouped by similar text, and that a
flood of distinct texts leaves the grouping, the export and their memory bounded."""

import itertools
import logging
import random
from typing import Iterator

import pytest

from bot.transcripts import unanswered
from bot.transcripts.events import PatientMessage
from bot.transcripts.nlu_export import nlu_stub
from bot.transcripts.unanswered import (
    MAX_GROUPED,
    MAX_TRACKED,
    UNSURE_BELOW,
    UnansweredGroup,
    UnansweredMessage,
    UnansweredText,
    group_similar,
    reason_for,
)
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
    variant = UnansweredText("HOW MUCH IS IT", "how much is it", 3, 1, "s", None)
    assert groups == [
        UnansweredGroup("HOW MUCH IS IT", ("HOW MUCH IS IT",), 3, {"fallback": 2, "unsure": 1}, at(2), (variant,))
    ]


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


# --- a flood of distinct texts -------------------------------------------------------


def _flood(count: int, start: float = 0) -> Iterator[UnansweredMessage]:
    """`count` different made-up texts, one a second from `start` minutes on, each seen once."""
    for number in range(count):
        yield _unanswered(f"zq{number} xv{number * 7919 % 100_003} made up", start + number / 60)


def test_a_flood_of_distinct_texts_is_counted_in_bounded_memory():
    tally = unanswered._Tally()
    largest = 0
    for message in _flood(5 * MAX_TRACKED):
        tally.add(message)
        largest = max(largest, len(tally))
    assert largest == MAX_TRACKED


def test_a_flood_leaves_the_groups_and_the_export_bounded_and_says_so(caplog):
    flood = 3 * MAX_TRACKED
    with caplog.at_level(logging.WARNING, logger=unanswered.__name__):
        groups = group_similar(_flood(flood))
    assert len(groups) == MAX_GROUPED and sum(len(group.texts) for group in groups) == MAX_GROUPED
    assert [group.example for group in groups[:2]] == [
        f"zq{flood - 1} xv{(flood - 1) * 7919 % 100_003} made up",
        f"zq{flood - 2} xv{(flood - 2) * 7919 % 100_003} made up",
    ]
    assert nlu_stub(groups).count("  - text: ") == MAX_GROUPED
    [warning] = [record.getMessage() for record in caplog.records]
    assert f"{flood - MAX_GROUPED} left out" in warning


def test_a_question_patients_repeat_outlives_any_flood_of_texts_seen_once():
    asked = [_unanswered("do you do lip fillers?", minute) for minute in (0, 1)]
    later = [_unanswered("Do you do lip fillers", 10_000 + minute) for minute in range(3)]
    groups = group_similar(itertools.chain(asked, _flood(5 * MAX_TRACKED, start=2), later))
    assert (groups[0].example, groups[0].count) == ("Do you do lip fillers", 5)


def test_one_text_sent_many_times_is_one_entry_with_its_count():
    messages = (
        _unanswered("how much is it", minute % 60, "fallback" if minute % 3 else "unsure") for minute in range(20_000)
    )
    [group] = group_similar(messages)  # a generator: read once, as it streams
    assert (group.count, group.texts, group.reasons) == (
        20_000,
        ("how much is it",),
        {"fallback": 13_333, "unsure": 6_667},
    )
