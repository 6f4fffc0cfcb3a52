"""One message is read for all three details; the question just asked decides bare answers."""

import re

import phonenumbers
import pytest
from email_validator import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.booking import read_details, validate_name
from bot.booking.details import BookingDetails


@pytest.mark.parametrize(
    "text, asked, name, contact, time",
    [
        (
            "Please book me a consult: I'm Priya Shah, phone 646-555-0123, Saturdays are best",
            None, "Priya Shah", "+16465550123", "Saturdays are best",
        ),
        (
            "I'm Priya Shah, phone 646-555-0123, Saturdays are best",
            "name", "Priya Shah", "+16465550123", "Saturdays are best",
        ),
        ("sure it's Alex Morgan", None, "Alex Morgan", None, None),
        ("my number is 617.555.0142 thx", "contact", None, "+16175550142", None),
        ("email me at Maria.Gonzalez@Example.com", "contact", None, "Maria.Gonzalez@example.com", None),
        ("Jordan Lee", "name", "Jordan Lee", None, None),
        ("Jordan Lee", "contact", None, None, None),
        ("Jordan Lee", None, None, None, None),
        ("April", "name", "April", None, None),
        ("Saturdays", "name", None, None, "Saturdays"),
        ("yes that's all correct", None, None, None, None),
        ("yes that's all correct", "something else", None, None, None),
        ("whenever works", "preferred_time", None, None, "whenever works"),
        ("sam lee 617 555 0142 weekday mornings", "name", "Sam Lee", "+16175550142", "weekday mornings"),
        ("its sam, text me at 415-555-0166 anytime after 4", None, "Sam", "+14155550166", "anytime after 4"),
        ("hi its jordan lee my cell 617 555 0142 sat mornings", None, "Jordan Lee", "+16175550142", "sat mornings"),
        ("jordan\n617-555-0142\nwkends", "name", "Jordan", "+16175550142", "wkends"),
        ("Im Sam. Text me 617-555-0142. Evenings after 6 pls", None, "Sam", "+16175550142", "Evenings after 6 pls"),
        ("hey! im maria, maria@example.com, tues after 5", None, "Maria", "maria@example.com", "tues after 5"),
    ],
)  # fmt: skip
def test_read_details(text, asked, name, contact, time):
    details = read_details(text, asked=asked)
    assert details.name == name
    assert (details.contact.contact.value if details.contact.contact else None) == contact
    assert details.preferred_time == time


def test_a_failed_contact_is_reported_as_attempted():
    assert read_details("chris@gmail", asked="contact").contact.attempted is True


def test_the_region_reads_numbers_without_a_country_code():
    assert read_details("020 7946 0958", asked="contact", region="GB").contact.contact.value == "+442079460958"


_E164 = re.compile(r"\+[1-9]\d{6,14}")
_FRAGMENTS = st.sampled_from(
    [
        "I'm ", "my name is ", "Sam Lee", "o'brien", "<b>", "\U0001F600", "617-555-0142", "+44 20 7946 0958", "chris@",
        "maria@example.com", ", ", ". ", "\n", "\x00", "Saturdays", "after 4", "sun", "may", " and ", "call me ",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=10_000),
        st.lists(st.one_of(_FRAGMENTS, st.text(max_size=10)), max_size=30).map("".join),
    ),
    st.sampled_from([None, "name", "contact", "preferred_time"]),
)
def test_any_text_is_read_without_error_into_validated_details(text, asked):
    details = read_details(text, asked=asked)
    assert isinstance(details, BookingDetails)
    if details.name is not None:
        assert validate_name(details.name) == details.name
    contact = details.contact.contact
    if contact is not None:
        assert not details.contact.attempted
        if contact.kind == "phone":
            assert _E164.fullmatch(contact.value)
            assert phonenumbers.is_valid_number(phonenumbers.parse(contact.value))
        else:
            assert validate_email(contact.value, check_deliverability=False).normalized == contact.value
    if details.preferred_time is not None:
        assert 0 < len(details.preferred_time) <= 200


def test_the_package_does_not_import_rasa():
    """The readers are plain Python so they can be tested and reused without Rasa."""
    import subprocess
    import sys

    code = "import sys; sys.modules['rasa'] = None; sys.modules['rasa_sdk'] = None\nimport bot.booking\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
