"""What staff read instead of codes: channel names, screening answers in words, audit lines,
waits, contact links and what each kind of handoff asks of them."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.db.models import KINDS as MODEL_KINDS
from bot.office_hours import OfficeHours
from bot.opening_hours import WeeklyHours
from bot.screening.loader import load_screening
from bot.settings import get_settings
from bot.staff.wording import (
    KINDS,
    action_text,
    after_hours,
    channel_name,
    contact_links,
    reason_counts,
    screening_lines,
    when,
)

SCREENING = load_screening(get_settings().screening_file)


def test_channels_read_as_where_the_patient_wrote_from():
    assert [channel_name(c) for c in ("rest", "widget", "twilio", "facebook", None)] == [
        "Website",
        "Website",
        "SMS",
        "facebook",
        "unknown",
    ]


def test_screening_answers_use_the_labels_of_the_screening_file_in_its_order():
    answers = {
        "keloids": None,
        "active_acne": True,
        "pregnant_or_nursing": False,
        "review": "isotretinoin, blood_thinners",
    }
    assert screening_lines(answers, SCREENING) == [
        ("Pregnant or nursing", "No"),
        ("Active acne", "Yes"),
        ("Skin that forms keloids", "Not answered"),
        ("For a provider to review", "Taking isotretinoin (Accutane); Bleeding disorder or blood thinners"),
    ]


def test_keys_the_screening_file_no_longer_knows_are_still_shown():
    assert screening_lines({"old_question": True, "review": "retired_condition"}, SCREENING) == [
        ("old_question", "Yes"),
        ("For a provider to review", "retired_condition"),
    ]
    assert screening_lines(None, SCREENING) == []


def test_audit_lines_and_reasons_in_words():
    assert action_text("status_change", "new -> contacted") == "Changed the status from New to Contacted"
    assert action_text("status_change", "odd detail") == "Changed the status: odd detail"
    assert action_text("add_note", "note 3") == "Added a note"
    assert action_text("something_new", None) == "something_new"
    assert reason_counts({"unsure": 1, "fallback": 3}) == "the bot did not understand (3), the bot was unsure (1)"


def test_contacts_become_call_text_or_mail_links_and_nothing_else():
    assert contact_links("+19175550163", "phone") == [("Call", "tel:+19175550163"), ("Text", "sms:+19175550163")]
    assert contact_links("ana.o+cit@example.com", "email") == [("E-mail", "mailto:ana.o+cit@example.com")]
    assert contact_links('x" onclick="alert(1)', "phone") == [("Call", "tel:1"), ("Text", "sms:1")]
    assert contact_links("javascript:alert(1)", "email") == []
    assert contact_links('a"><b>@example.com', "email") == [("E-mail", "mailto:a%22%3E%3Cb%3E@example.com")]
    assert contact_links(None, "phone") == contact_links("555", None) == contact_links("+", "phone") == []


def test_every_kind_says_what_staff_are_to_do():
    assert set(KINDS) == set(MODEL_KINDS)
    for kind, label in KINDS.items():
        name, _, to_do = label.partition(": ")
        assert name and to_do, kind


def test_times_name_their_zone_and_after_hours_needs_known_hours():
    moment = datetime(2026, 7, 1, 22, 15, tzinfo=timezone.utc)
    new_york = OfficeHours(ZoneInfo("America/New_York"), WeeklyHours.parse({"wed": ["09:00-18:00"]}))
    assert when(moment) == "2026-07-01 22:15 UTC"
    assert when(moment, new_york) == "2026-07-01 18:15 EDT"
    assert after_hours(moment, new_york) and not after_hours(moment - timedelta(hours=1), new_york)
    assert not after_hours(moment, OfficeHours(ZoneInfo("UTC"), WeeklyHours.parse({})))
    assert not after_hours(None, new_york) and not after_hours(moment, None)
