"""Opening hours in real time: open or not, the next opening, daylight saving, no hours at all."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clinic_profile import ClinicProfile
from bot.office_hours import OfficeHours
from bot.opening_hours import DAYS, WeeklyHours

NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc
CLINIC_WEEK = {**{day: ["09:00-18:00"] for day in DAYS[:5]}, "sat": ["10:00-14:00"]}


def hours(week: dict, zone: str = "America/New_York") -> OfficeHours:
    return OfficeHours(ZoneInfo(zone), WeeklyHours.parse(week))


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def test_from_profile_reads_the_zone_and_the_hours():
    profile = ClinicProfile(name="Demo", time_zone="America/New_York", opening_hours=WeeklyHours.parse(CLINIC_WEEK))
    office = OfficeHours.from_profile(profile)
    assert (office.zone, office.known) == (NEW_YORK, True)
    assert OfficeHours.from_profile(ClinicProfile(name="Demo")).zone == ZoneInfo("UTC")


def test_local_reads_naive_times_as_utc():
    office = hours(CLINIC_WEEK)
    assert office.local(datetime(2026, 7, 1, 16, 0)) == datetime(2026, 7, 1, 12, 0, tzinfo=NEW_YORK)
    assert office.local(utc(2026, 1, 1, 16, 0)).hour == 11  # EST in winter
    assert office.local(utc(2026, 1, 1, 16, 0)).tzinfo is NEW_YORK


@pytest.mark.parametrize(
    "at, is_open, opening",
    [
        # Wednesday 1 July 2026, EDT (UTC-4)
        (utc(2026, 7, 1, 12, 59), False, datetime(2026, 7, 1, 9, 0, tzinfo=NEW_YORK)),
        (utc(2026, 7, 1, 13, 0), True, datetime(2026, 7, 1, 9, 0, tzinfo=NEW_YORK)),
        (utc(2026, 7, 1, 21, 59), True, datetime(2026, 7, 1, 17, 59, tzinfo=NEW_YORK)),
        (utc(2026, 7, 1, 22, 0), False, datetime(2026, 7, 2, 9, 0, tzinfo=NEW_YORK)),
        # Friday evening: Saturday's shorter hours; Saturday after 14:00: Monday
        (utc(2026, 7, 3, 23, 0), False, datetime(2026, 7, 4, 10, 0, tzinfo=NEW_YORK)),
        (utc(2026, 7, 4, 18, 0), False, datetime(2026, 7, 6, 9, 0, tzinfo=NEW_YORK)),
    ],
)
def test_open_and_the_next_opening(at, is_open, opening):
    office = hours(CLINIC_WEEK)
    assert office.is_open(at) is is_open
    assert office.next_opening(at) == opening
    assert office.next_opening(at).tzinfo is NEW_YORK


@pytest.mark.parametrize(
    "at, phrase",
    [
        (utc(2026, 7, 1, 12, 0), "today at 9:00"),  # Wednesday 8:00
        (utc(2026, 7, 1, 23, 0), "tomorrow at 9:00"),  # Wednesday 19:00
        (utc(2026, 7, 2, 3, 30), "tomorrow at 9:00"),  # Thursday in UTC, still Wednesday 23:30 at the clinic
        (utc(2026, 7, 4, 18, 0), "on Monday at 9:00"),  # Saturday 14:00
        (utc(2026, 7, 1, 14, 0), None),  # open
    ],
)
def test_when_the_team_is_back_as_a_patient_reads_it(at, phrase):
    assert hours(CLINIC_WEEK).back_at(at) == phrase


def test_no_opening_hours_never_claims_the_clinic_is_closed():
    office = hours({})
    at = utc(2026, 7, 4, 3, 0)  # Friday 23:00 at the clinic
    assert (office.known, office.is_open(at), office.next_opening(at), office.back_at(at)) == (False, True, None, None)


# ----- daylight saving: America/New_York springs forward on 8 March 2026 at 2:00, falls back on 1 November ---


def test_a_day_the_clocks_spring_forward_opens_and_closes_on_the_clinics_clocks():
    office = hours({"sun": ["09:00-18:00"]})
    assert not office.is_open(utc(2026, 3, 8, 12, 59))  # 8:59 EDT
    assert office.is_open(utc(2026, 3, 8, 13, 0))  # 9:00 EDT (it would be 8:00 on Saturday's offset)
    assert office.is_open(utc(2026, 3, 8, 21, 59)) and not office.is_open(utc(2026, 3, 8, 22, 0))
    assert office.next_opening(utc(2026, 3, 8, 5, 0)) == utc(2026, 3, 8, 13, 0)  # from midnight EST


def test_a_day_the_clocks_fall_back_opens_and_closes_on_the_clinics_clocks():
    office = hours({"sun": ["09:00-18:00"]})
    assert not office.is_open(utc(2026, 11, 1, 13, 59))  # 8:59 EST
    assert office.is_open(utc(2026, 11, 1, 14, 0))  # 9:00 EST
    assert office.is_open(utc(2026, 11, 1, 22, 59)) and not office.is_open(utc(2026, 11, 1, 23, 0))
    assert office.next_opening(utc(2026, 11, 1, 4, 0)) == utc(2026, 11, 1, 14, 0)  # from midnight EDT


def test_a_span_across_the_change_is_as_long_as_the_clocks_say():
    spring = hours({"sun": ["01:00-04:00"]})  # 1:00 EST to 4:00 EDT: two hours
    assert [spring.is_open(utc(2026, 3, 8, hour, 30)) for hour in range(5, 9)] == [False, True, True, False]
    autumn = hours({"sun": ["00:00-03:00"]})  # 0:00 EDT to 3:00 EST: four hours
    assert [autumn.is_open(utc(2026, 11, 1, hour, 30)) for hour in range(3, 9)] == [
        False,
        True,
        True,
        True,
        True,
        False,
    ]


def test_a_time_the_clocks_skip_or_pass_twice_is_read_with_fold_0():
    skipped = hours({"sun": ["02:30-05:00"]})  # 2:30 does not exist on 8 March: read as 3:30 EDT
    assert skipped.next_opening(utc(2026, 3, 8, 0, 0)) == datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK)
    assert not skipped.is_open(utc(2026, 3, 8, 7, 15)) and skipped.is_open(utc(2026, 3, 8, 7, 30))
    twice = hours({"sun": ["01:00-01:30"]})  # 1:00-1:30 happens twice on 1 November: the first time counts
    assert twice.is_open(utc(2026, 11, 1, 5, 15))  # 1:15 EDT
    assert not twice.is_open(utc(2026, 11, 1, 6, 15))  # 1:15 EST


# ----- properties, over zones with and without daylight saving (Santiago changes at midnight) --------

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "America/Santiago", "Asia/Kolkata", "UTC"]
SPAN_LISTS = st.sampled_from([[], ["00:00-24:00"], ["09:00-18:00"], ["00:00-01:00", "22:00-24:00"], ["02:30-03:00"]])
WEEKS = st.lists(SPAN_LISTS, min_size=7, max_size=7).map(lambda days: dict(zip(DAYS, days)))
INSTANTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)


@settings(max_examples=300, deadline=None)
@given(week=WEEKS, zone=st.sampled_from(ZONES), at=INSTANTS, fraction=st.floats(0, 1, exclude_max=True))
def test_the_next_opening_is_open_and_nothing_before_it_is(week, zone, at, fraction):
    office = hours(week, zone)
    opening = office.next_opening(at)
    if not office.known:
        assert opening is None and office.is_open(at)
        return
    assert opening is not None and opening >= at and opening - at <= timedelta(days=8)
    assert office.is_open(opening)
    assert office.is_open(at) == (opening == at)
    between = at + (opening - at) * fraction  # rounded to a microsecond: it may reach the opening
    if at < between < opening:
        assert not office.is_open(between)
    assert (office.back_at(at) is None) == office.is_open(at)
