"""The guard says "general question" only when nothing reports a symptom now.

These are the shapes the guard knows, each written here in words of our own (the
blind sets in tests/data/red_flags/ measure it on other people's words).
"""

import pytest

from bot.understanding.report_guard import is_general_question

GENERAL = [
    "what does an infection look like?",
    "Will my face swell after it?",
    "do blisters ever happen after microneedling?",
    "when should I worry after my treatment?",
    "what should I call you about?",
    "can the numbing cream cause an allergic reaction in some people?",
    "If my lips swelled up, would that be an emergency?",
    "I had a cold sore last year, can I still get it?",
    "I'm allergic to penicillin, is the numbing cream ok for me?",
    "got hives from a lidocaine patch years ago, should I mention that at the consult",
    "could pus show up a week later?",
    "risks?",
]

REPORTS = [
    "is it normal that my lips are swollen?",
    "should I worry, my face is hot and red on day 5?",
    "my daughter's eyes are puffy, is that expected?",
    "I had a cold sore last year and now there are blisters again since the treatment",
    "does it look infected if there's yellow crust today?",
    "my lips are swelling",
    "fever 101",
    "still bleeding",
    "",
]


@pytest.mark.parametrize("text", GENERAL)
def test_general_questions_and_history_are_told_apart(text):
    assert is_general_question(text)


@pytest.mark.parametrize("text", REPORTS)
def test_anything_that_places_a_symptom_now_is_not_general(text):
    assert not is_general_question(text)


def test_an_if_clause_is_imagined_but_a_state_outside_it_is_reported():
    assert is_general_question("if my eyes got red, is that an emergency?")
    assert not is_general_question("if it matters, my eyes are red now, is that an emergency?")


@pytest.mark.parametrize(
    "text, reports",
    [
        # "my <body part or person> <verb>" reports a state, unless a plan or a feeling follows the verb
        ("my mom is nervous, what does an infection look like?", False),
        ("my face is booked in for friday, what are the warning signs?", False),
        ("my mom is nervous but my lips are swollen, what are the warning signs?", True),
        ("my face is swollen, what are the warning signs?", True),
        ("my son is scheduled for friday, what are the warning signs?", False),
        ("my lips were huge, what are the warning signs?", True),
        # no "rn" (right now) inside a name
        ("Björn here: what are the warning signs?", False),
    ],
)
def test_a_possessive_state_is_a_report_unless_a_plan_or_feeling_follows_its_verb(text, reports):
    assert is_general_question(text) is not reports
