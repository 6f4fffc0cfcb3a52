"""A patient saying the last answer did not help: the class of phrasing, and what it must not take."""

import pytest

from bot.understanding.not_helpful import says_not_helpful


@pytest.mark.parametrize(
    "text",
    [
        "that didn't help",
        "That didnt help.",
        "It doesn\u2019t help",
        "didn't help at all",
        "not helpful",
        "Not really helpful, sorry",
        "that's not helpful",
        "this was not useful",
        "you didn't answer my question",
        "That doesn't answer the question!",
        "that wasn't what I asked",
        "it does not make sense",
        "Sorry but that was useless",
        "unhelpful",
        "no help at all",
        "hmm that didn't really help me",
        "your answer did not help",
        "thanks but that didn't help",
    ],
)
def test_saying_the_answer_did_not_help(text):
    assert says_not_helpful(text)


@pytest.mark.parametrize(
    "text",
    [
        "the numbing cream didn't help",  # about a treatment, not the answer
        "ice didn't help the swelling",
        "it didn't help, my lips are swelling and I can't breathe",  # a symptom comes with it
        "that helped, thanks",
        "helpful, thank you",
        "is it helpful for acne scars?",
        "does microneedling help with wrinkles",
        "I don't know",
        "not really",
        "no",
        "",
        "didn't help " * 10,
    ],
)
def test_not_taking_what_says_something_else(text):
    assert not says_not_helpful(text)
