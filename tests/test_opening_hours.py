"""The profile's opening hours are read strictly and described the way patients read hours."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import ConfigurationError
from bot.opening_hours import DAYS, Span, WeeklyHours

WEEKDAYS = {day: ["09:00-18:00"] for day in DAYS[:5]}


def test_a_typical_week_is_described_in_groups_of_days():
    week = WeeklyHours.parse({**WEEKDAYS, "sat": ["10:00-14:00"], "sun": []})
    assert week.known
    assert week.describe() == "Mon-Fri 9:00-18:00, Sat 10:00-14:00"


def test_a_lunch_break_single_days_and_a_span_to_midnight():
    week = WeeklyHours.parse(
        {"mon": ["13:00-18:00", "9:00-12:30"], "wed": "09:00-12:00", "thu": "09:00-12:00", "sat": ["20:00-24:00"]}
    )
    assert week.days[0] == (Span(540, 750), Span(780, 1080))  # sorted
    assert week.describe() == "Mon 9:00-12:30 and 13:00-18:00, Wed-Thu 9:00-12:00, Sat 20:00-24:00"


@pytest.mark.parametrize("raw", [None, {}, {"sun": []}, {"mon": None}])
def test_no_spans_means_the_hours_are_unknown(raw):
    week = WeeklyHours.parse(raw)
    assert (week.known, week.describe()) == (False, "")


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"tue": ["9-18"]}, "tue: '9-18' is not a span like \"09:00-18:00\""),
        ({"tue": ["09:00"]}, "tue: '09:00' is not a span"),
        ({"wed": ["09:00-25:00"]}, "wed: '09:00-25:00' has a time that does not exist"),
        ({"wed": ["09:60-12:00"]}, "wed: '09:60-12:00' has a time that does not exist"),
        ({"wed": ["24:30-12:00"]}, "has a time that does not exist"),
        ({"thu": ["18:00-09:00"]}, "thu: '18:00-09:00' ends before it starts"),
        ({"thu": ["22:00-02:00"]}, 'split one that runs past midnight: "22:00-24:00" on one day'),
        ({"thu": ["10:00-10:00"]}, "ends before it starts"),
        ({"fri": ["09:00-13:00", "12:00-18:00"]}, "fri: 9:00-13:00 and 12:00-18:00 overlap"),
        ({"sat": [540]}, 'sat: 540 is not a span like "09:00-18:00"; put it in quotes'),
        ({"sat": {"open": "09:00"}}, "sat: give a list of spans"),
        ({"monday": ["09:00-18:00"]}, "unknown day(s) monday; the days are mon, tue"),
        (["09:00-18:00"], "'opening_hours' must map days"),
        ({"mon": ["٠٩:٠٠-١٨:٠٠"]}, "is not a span"),  # Arabic-Indic digits: isdigit() says yes, int() would too
    ],
)
def test_a_bad_span_names_the_day_and_the_span(raw, message):
    with pytest.raises(ConfigurationError) as raised:
        WeeklyHours.parse(raw)
    assert message in str(raised.value)


def test_spans_that_touch_do_not_overlap():
    week = WeeklyHours.parse({"mon": ["09:00-12:00", "12:00-18:00"]})
    assert week.describe() == "Mon 9:00-12:00 and 12:00-18:00"


MINUTES = st.integers(min_value=0, max_value=24 * 60)


@given(st.tuples(MINUTES, MINUTES).filter(lambda pair: pair[0] < pair[1]))
def test_a_span_reads_back_what_it_writes(pair):
    span = Span(*pair)
    assert Span.parse(str(span)) == span


@given(st.lists(st.sampled_from([[], ["09:00-18:00"], ["10:00-14:00"]]), min_size=7, max_size=7))
def test_every_open_day_is_in_the_description_once(days):
    week = WeeklyHours.parse(dict(zip(DAYS, days)))
    description = week.describe()
    assert description.count("9:00-18:00") + description.count("10:00-14:00") <= sum(1 for day in days if day)
    assert bool(description) == any(days)
