"""The patient's preferred days and times are kept in their own words, without the rest."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.booking.preferred_time import find_preferred_time


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'm Priya Shah, phone 646-555-0123, Saturdays are best", "Saturdays are best"),
        ("Please book me a consult: I'm Priya Shah, phone 646-555-0123, Saturdays are best", "Saturdays are best"),
        ("I'm Sam and Saturdays are best", "Saturdays are best"),
        ("call me at 617-555-0142 tomorrow after 5", "tomorrow after 5"),
        ("I'm free on Saturdays", "I'm free on Saturdays"),
        ("Saturday morning, or Tuesday after 4.", "Saturday morning, or Tuesday after 4"),
        ("mon-wed evenings", "mon-wed evenings"),
        ("weekdays before 10 work best. Thanks!", "weekdays before 10 work best"),
        ("tues or thurs pls", "tues or thurs pls"),
        ("sat 10am or sun morning", "sat 10am or sun morning"),
        ("on sat", "on sat"),
        ("weekends", "weekends"),
        ("lunchtime", "lunchtime"),
        ("any time next week", "any time next week"),
        ("tmrw at 2 pm", "tmrw at 2 pm"),
        ("ASAP", "ASAP"),
        ("I'm flexible", "I'm flexible"),
        ("whenever", "whenever"),
        ("14:30 if possible", "14:30 if possible"),
        ("10:30am", "10:30am"),
        ("around 10 a.m. please", "around 10 a.m. please"),
        ("12/3", "12/3"),
        ("Dec 3", "Dec 3"),
        ("3rd of December", "3rd of December"),
        ("sometime in may", "sometime in may"),
        ("june 12th", "june 12th"),
        ("tonight\x00 or today", "tonight or today"),
        ("Hi! Afternoons are good, my email is sam@patel.org", "Afternoons are good"),
    ],
)
def test_time_clauses_are_kept(text, expected):
    assert find_preferred_time(text, asked=False) == expected
    assert find_preferred_time(text, asked=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "Jordan Lee", "yes that's all correct", "I have sun damage", "does this may hurt?", "I sat down",
        "my name is April", "617-555-0142", "acne scars", "how much is it?", "I'm 35",
    ],
)  # fmt: skip
def test_no_time_without_time_words(text):
    assert find_preferred_time(text, asked=False) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("whenever works", "whenever works"),
        ("not sure yet, maybe later this month", "not sure yet, maybe later this month"),
        ("depends on my kids' schedule", "depends on my kids' schedule"),
        ("my cell is 617-555-0142\nnot sure yet", "not sure yet"),
    ],
)
def test_when_asked_any_short_answer_is_the_patients_words(text, expected):
    assert find_preferred_time(text, asked=True) == expected


@pytest.mark.parametrize("text", ["", "?", "x", "12 34", "617-555-0142", "sure, it's 617-555-0142", "x" * 201])
def test_when_asked_answers_without_words_are_none(text):
    assert find_preferred_time(text, asked=True) is None


def test_long_answers_are_cut_at_a_word_boundary():
    text = "Saturdays " + "or maybe Sundays " * 30
    found = find_preferred_time(text, asked=False)
    assert 190 < len(found) <= 200
    assert text.startswith(found) and text[len(found)] == " "


def test_time_clauses_apart_are_joined():
    assert find_preferred_time("Saturday mornings; 617-555-0142; Sunday evenings", asked=False) == (
        "Saturday mornings, Sunday evenings"
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000), st.booleans())
def test_any_text_gives_a_short_clean_time_or_none(text, asked):
    found = find_preferred_time(text, asked=asked)
    if found is not None:
        assert 0 < len(found) <= 200
        assert found == found.strip()
        assert "\n" not in found


@pytest.mark.parametrize("text", ["thx", "Thank you very much", "ok thanks!", "ok", "cheers :)"])
def test_when_asked_a_courtesy_is_no_time(text):
    assert find_preferred_time(text, asked=True) is None
    assert find_preferred_time(f"{text}, mornings", asked=True) == "mornings"


@pytest.mark.parametrize(
    "text, before, expected",
    [
        ("actually make it thursdays, mondays got busy", "Mondays after 4pm", "thursdays"),
        ("can we do Friday mornings instead?", "Saturdays", "Friday mornings"),
        ("change it to tuesdays", "mornings", "tuesdays"),
        ("oops, let's say weekends", "Fridays", "weekends"),
        ("no wait, fridays are better, thursdays I work", "Thursdays", "fridays are better"),
        ("do mornings work?", None, "do mornings work"),
        ("mondays still, but later, after 4pm", "Mondays", "mondays still, after 4pm"),
        ("oh shoot, actually make it Thursdays. I forgot I have a standing thing on Mondays", "Mondays", "Thursdays"),
        ("oh wait actually make it Thursdays, tuesdays I have pilates", "Tuesday mornings", "Thursdays"),
        ("add thursdays, mondays are still fine", "Mondays", "add thursdays, mondays are still fine"),
    ],
)
def test_a_correction_keeps_only_the_new_time(text, before, expected):
    assert find_preferred_time(text, asked=False, before=before) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Good afternoon. I am 68 and would like to book", None),
        ("good morning! any weekday morning", "any weekday morning"),
        ("I'm retired, so any weekday morning suits me fine.", "any weekday morning suits me fine"),
    ],
)
def test_a_greeting_is_no_time(text, expected):
    assert find_preferred_time(text, asked=False) == expected
