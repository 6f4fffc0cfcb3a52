"""Where a message of two questions is cut, and when both halves count as questions."""
import pytest

from bot.nlu.question_parts import PART_CONFIDENCE, answerable, candidate_parts, two_questions


@pytest.mark.parametrize(
    "text, parts",
    [
        (
            "how long does the redness last, and how often should I come?",
            ["how long does the redness last", "how often should I come?"],
        ),
        (
            "How many treatments a year? Also, when could I work out again afterwards?",
            ["How many treatments a year?", "Also, when could I work out again afterwards?"],
        ),
        (
            "Questions:\n1. When can I wear makeup again?\n2. What is the red light for?",
            ["When can I wear makeup again?", "What is the red light for?"],
        ),
        ("2 qs 1) is the cream paraben free 2) how long before a chemical peel", ["is the cream paraben free", "how long before a chemical peel"]),
    ],
)
def test_two_questions_are_cut_where_they_join(text, parts):
    assert candidate_parts(text) == parts


@pytest.mark.parametrize("text", ["does it hurt", "does it hurt and sting", "is it safe? thanks!", "red and flaky"])
def test_one_question_or_short_halves_are_not_cut(text):
    assert candidate_parts(text) == []


def test_a_pair_needs_two_confident_different_answerable_questions():
    sure = PART_CONFIDENCE
    assert two_questions([("aftercare_redness", sure), ("faq_frequency", 0.9)]) == ("aftercare_redness", "faq_frequency")
    assert two_questions([("aftercare_redness", sure - 0.01), ("faq_frequency", 0.9)]) is None
    assert two_questions([("faq_pain", 0.9), ("faq_pain", 0.9)]) is None
    assert two_questions([("request_booking", 0.9), ("faq_pain", 0.9)]) is None  # a form is never half a pair
    assert two_questions([("faq_pain", 0.9)]) is None


def test_answerable_means_one_article_answer():
    assert answerable("faq_device") and answerable("aftercare_flaking") and answerable("ask_price")
    assert not any(answerable(i) for i in ("request_human", "check_eligibility", "red_flag_urgent", "greet"))
