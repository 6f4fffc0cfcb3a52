"""Where a message of two questions is cut, and when both halves count as questions."""

import pytest

from bot.understanding.question_parts import (
    MARKED_PART_CONFIDENCE,
    PART_CONFIDENCE,
    answerable,
    asks_a_question,
    candidate_parts,
    two_questions,
)


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
        (
            "2 qs 1) is the cream paraben free 2) how long before a chemical peel",
            ["is the cream paraben free", "how long before a chemical peel"],
        ),
        (
            "hw long does the redness last + when can i go back 2 the gym",
            ["hw long does the redness last", "when can i go back 2 the gym"],
        ),
        (
            "My boyfriend is getting it done next month and he's nervous. What device do you use, and what will his face look like after?",
            [
                "My boyfriend is getting it done next month and he's nervous. What device do you use",
                "what will his face look like after?",
            ],
        ),
    ],
)
def test_two_questions_are_cut_where_they_join(text, parts):
    assert candidate_parts(text) == parts


@pytest.mark.parametrize("text", ["does it hurt", "does it hurt and sting", "is it safe? thanks!", "red and flaky"])
def test_one_question_or_short_halves_are_not_cut(text):
    assert candidate_parts(text) == []


def test_a_pair_needs_two_confident_different_answerable_questions():
    sure = PART_CONFIDENCE
    assert two_questions([("aftercare_redness", sure), ("faq_frequency", 0.9)]) == (
        "aftercare_redness",
        "faq_frequency",
    )
    assert two_questions([("aftercare_redness", sure - 0.01), ("faq_frequency", 0.9)]) is None
    assert two_questions([("faq_pain", 0.9), ("faq_pain", 0.9)]) is None
    assert two_questions([("request_booking", 0.9), ("faq_pain", 0.9)]) is None  # a form is never half a pair
    assert two_questions([("faq_pain", 0.9)]) is None


def test_a_question_mark_between_the_parts_asks_less_of_each():
    """ "wat does microneedling actually help w? also can i workout after": the mark says two were asked."""
    parts = [("faq_skin_concerns", MARKED_PART_CONFIDENCE), ("aftercare_first_48h", 0.93)]
    assert two_questions(parts, marked=True) == ("faq_skin_concerns", "aftercare_first_48h")
    assert two_questions(parts) is None
    assert two_questions([("faq_pain", 0.9), ("faq_pain", 0.5)], marked=True) is None
    # "when do we start to lose it? and how much every year?": the weak part is the first one again
    assert two_questions([("faq_collagen_loss", 0.82), ("faq_frequency", 0.43)], marked=True, overlap=0.4) is None


def test_a_second_part_pointing_back_at_the_first_is_a_detail_of_it():
    """ "Do you sell skincare? What brand is it?" (device 0.73 alone, skincare 0.14): one question."""
    parts = [("faq_skincare", 0.99), ("faq_device", 0.73)]
    assert two_questions(parts, marked=True, overlap=0.14, refers_back=True) is None
    assert two_questions(parts, marked=True, overlap=0.14) == ("faq_skincare", "faq_device")
    # "how long is the numbing? and does it hurt?": it points back but asks its own question
    assert two_questions([("faq_numbing", 0.9), ("faq_pain", 0.99)], overlap=0.0, refers_back=True) is not None


def test_answerable_means_one_article_answer():
    assert answerable("faq_device") and answerable("aftercare_flaking") and answerable("ask_price")
    assert not any(answerable(i) for i in ("request_human", "check_eligibility", "red_flag_urgent", "greet"))


def test_two_sentences_that_open_like_questions_without_question_marks_are_two_parts():
    assert candidate_parts("wats collagen induction therapy even. is the consult free") == [
        "wats collagen induction therapy even.",
        "is the consult free",
    ]
    assert candidate_parts("I read that we lose collagen. how much is it per year") == []  # a story, then one question
    assert candidate_parts("whats the skinpen. does it hurt? i hate needles") == []  # a question mark: the rule above


def test_a_question_without_its_mark_is_still_a_question():
    assert asks_a_question("Tomasz Wren. quick q tho how long is the whole appointment roughly")
    assert asks_a_question("ok. how long is the numbing")
    assert asks_a_question("is the consult free?")
    assert not asks_a_question("Tomasz Wren, 312-555-0147, mornings")
    assert not asks_a_question("Saturdays are best")
