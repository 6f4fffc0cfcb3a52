"""What staff read instead of codes: channel names, screening answers in words, audit lines."""

from bot.screening.loader import load_screening
from bot.settings import get_settings
from bot.staff.wording import action_text, channel_name, reason_counts, screening_lines

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
