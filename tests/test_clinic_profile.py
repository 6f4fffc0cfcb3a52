"""The profile's time zone and opening hours: read strictly, required by production, shown to patients.

The profile's other fields are tested with the settings that read it (tests/test_settings.py).
"""

import logging
from pathlib import Path

import pytest

from bot.clinic_profile import ClinicProfile
from bot.errors import ConfigurationError
from bot.opening_hours import WeeklyHours
from bot.settings import PROJECT_ROOT

REAL = "name: Real Clinic\nphone: '(617) 555-0142'\n"
WEEK = (
    "opening_hours:\n"
    "  mon: ['09:00-18:00']\n  tue: ['09:00-18:00']\n  wed: ['09:00-18:00']\n  thu: ['09:00-18:00']\n"
    "  fri: ['09:00-18:00']\n  sat: ['10:00-14:00']\n  sun: []\n"
)


def _load(tmp_path: Path, text: str) -> ClinicProfile:
    path = tmp_path / "profile.yml"
    path.write_text(text, encoding="utf-8")
    return ClinicProfile.load(path)


def test_the_shipped_profile_names_the_clinics_time_zone():
    clinic = ClinicProfile.load(PROJECT_ROOT / "clinic" / "profile.yml")
    assert (clinic.time_zone, clinic.time_zone_stated) == ("America/New_York", True)


def test_time_zone_and_opening_hours_are_read(tmp_path):
    clinic = _load(tmp_path, REAL + "time_zone: Europe/London\n" + WEEK)
    assert (clinic.time_zone, clinic.time_zone_stated) == ("Europe/London", True)
    assert clinic.opening_hours == WeeklyHours.parse(
        {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": ["10:00-14:00"]}
    )
    assert clinic.production_problem() is None


def test_without_a_time_zone_times_are_utc_with_a_warning_and_production_refuses(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.clinic_profile"):
        clinic = _load(tmp_path, REAL)
    assert (clinic.time_zone, clinic.time_zone_stated) == ("UTC", False)
    assert "names no time_zone" in caplog.text
    assert "names no time zone" in clinic.production_problem()
    assert _load(tmp_path, REAL + "time_zone: ''\n").time_zone_stated is False  # empty is unset too


@pytest.mark.parametrize(
    "line, message",
    [
        ("time_zone: Mars/Olympus_Mons\n", "'time_zone' must be an IANA time zone such as America/New_York"),
        ("time_zone: EST5EDT/../../etc\n", "'time_zone' must be an IANA time zone"),
        ("opening_hours:\n  tue: ['9-18']\n", "opening_hours: tue: '9-18' is not a span like"),
        ("opening_hours:\n  wed: [09:00-18:00, 17:00-19:00]\n", "wed: 9:00-18:00 and 17:00-19:00 overlap"),
        ("time_zone_stated: true\n", "unknown field(s) time_zone_stated"),
    ],
)
def test_a_bad_time_zone_or_span_says_which_file_and_which_line(tmp_path, line, message):
    with pytest.raises(ConfigurationError) as raised:
        _load(tmp_path, REAL + line)
    assert str(tmp_path / "profile.yml") in str(raised.value) and message in str(raised.value)


def test_patients_read_the_hours_from_the_opening_hours_unless_the_clinic_wrote_them(tmp_path):
    derived = _load(tmp_path, REAL + WEEK)
    assert derived.hours_text == "Mon-Fri 9:00-18:00, Sat 10:00-14:00"
    assert "Hours: Mon-Fri 9:00-18:00, Sat 10:00-14:00" in derived.template_values()["clinic_details"]
    written = _load(tmp_path, REAL + "hours: 'Weekdays 9 to 6, by appointment'\n" + WEEK)
    assert "Hours: Weekdays 9 to 6, by appointment" in written.details
    assert "Hours" not in _load(tmp_path, REAL).details  # neither: never invented


@pytest.mark.parametrize(
    "line, hours", [("", 4.0), ("takeover_timeout_hours: 2.5\n", 2.5), ("takeover_timeout_hours: 8\n", 8)]
)
def test_the_automatic_hand_back_waits_the_profiles_hours_or_four(tmp_path, line, hours):
    assert _load(tmp_path, REAL + line).takeover_timeout_hours == hours


@pytest.mark.parametrize("value", ["0", "-1", "200", "yes", "'four'"])
def test_a_hand_back_time_that_is_not_a_sensible_number_of_hours_is_refused(tmp_path, value):
    with pytest.raises(ConfigurationError, match="takeover_timeout_hours"):
        _load(tmp_path, REAL + f"takeover_timeout_hours: {value}\n")
