"""Days, parts of the day, clock times and dates are recognized; look-alike words are not."""

import pytest

from bot.booking.time_expressions import mentions_time, without_times


@pytest.mark.parametrize(
    "text",
    [
        "monday", "Tuesdays", "tue", "tues", "thu", "thur", "thurs", "fri", "weekday", "weekdays", "week days",
        "weekend", "wkends", "wknd", "mornings", "afternoon", "evenings", "nights", "noon", "lunch", "lunchtime",
        "lunch time", "today", "tonight", "tomorrow", "tmrw", "next week", "this week", "asap", "anytime",
        "any time", "whenever", "flexible", "2pm", "2 pm", "14:30", "10:30am", "1030am", "10 a.m.", "3 o'clock",
        "after 4", "before 10", "between 2 and 4", "12/3", "12/3/2025", "Dec 3", "December", "3rd of December",
        "may 3rd", "3 june", "in may", "early march", "on sat", "next sun", "sat 10am", "wed morning",
    ],
)  # fmt: skip
def test_time_expressions(text):
    assert mentions_time(text)
    assert mentions_time(f"maybe {text} works")


@pytest.mark.parametrize(
    "text",
    [
        "", "I have sun damage", "I sat down", "does this may hurt", "April Jones", "June", "Jan", "monkey",
        "decided", "Saturdayz", "at 617", "I'm 35", "617-555-0142", "acne scars", "wednesdayish",
    ],
)  # fmt: skip
def test_look_alikes_are_not_times(text):
    assert not mentions_time(text)


def test_without_times_keeps_the_other_digits():
    assert without_times("Dec 3, 2025 at 1030am or 617-555-014").split() == ["at", "or", "617-555-014"]


@pytest.mark.parametrize(
    "text, kept",
    [
        ("Dec 32025", "32025"),  # no day glued to a year: "Dec" alone is the time
        ("Dec 3 2025, Dec 4,2025", ","),
        ("after 4/5 works", "after works"),  # a date, not "after 4"
        ("at 4:3 works", "at 4:3 works"),  # neither a clock time nor "at 4"
        ("sunday sunday,sunday xsunday", ", xsunday"),  # whole words, next to each other too
    ],
)
def test_times_end_where_a_word_or_number_ends(text, kept):
    assert without_times(text).split() == kept.split()
