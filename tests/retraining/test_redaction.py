"""Contact details and names out of patient text before staff list it or it becomes training
data: the names a message gives, phone numbers however they are written, e-mail addresses,
and the names the same patient gave in a booking, wherever they appear."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from bot.retraining.redaction import CONTACT, NAME, redact
from tests.retraining.contacts import contact_messages, leaked


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my name is Maria Gonzalez and I want to book", f"{NAME} and I want to book"),
        ("Hi its Ana Lima", f"Hi {NAME}"),
        ("I am Jo Smith, 555-0163", f"{NAME}, {CONTACT}"),
        ("text +1 917-555-0163 please", f"text {CONTACT} please"),
    ],
)
def test_a_name_the_message_gives_is_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "call me on 917 555 0163",
        "my number is (917) 555-0163",
        "text +1 917-555-0163 please",
        "reach me at 917.555.0163",
        "call 9175550163",
        "07700 900123 is my mobile",
        "whatsapp +44 7700 900123",
        "555-0163 after 5pm",
    ],
)
def test_a_phone_number_in_any_common_format_is_replaced(text):
    redacted = redact(text)
    assert CONTACT in redacted
    assert not any(character.isdigit() for character in redacted.replace("5pm", "")), redacted


@pytest.mark.parametrize(
    "text, address",
    [
        ("email me at ana.lima+test@example.co.uk thanks", "ana.lima+test@example.co.uk"),
        ("ANA@EXAMPLE.COM", "ANA@EXAMPLE.COM"),
        ("my email is <j_doe@mail.example>", "j_doe@mail.example"),
        ("write to jo@clinic-mail.org, ok?", "jo@clinic-mail.org"),
    ],
)
def test_an_email_address_is_replaced(text, address):
    redacted = redact(text)
    assert CONTACT in redacted and "@" not in redacted and address.split("@")[1] not in redacted


@pytest.mark.parametrize(
    "text",
    ["is it sore after 3 days", "do you treat 2 areas for 150 dollars", "my booking ref is 12345", "does it hurt?"],
)
def test_what_is_no_contact_is_left_as_it_was(text):
    assert redact(text) == text


def test_the_names_the_patient_gave_are_replaced_wherever_they_appear_ignoring_case_and_initials():
    assert redact("Ana said hi to LIMA and a friend", ["Ana Lima", "A"]) == f"{NAME} said hi to {NAME} and a friend"
    assert redact("Ana said hi") == "Ana said hi"  # not a name the message gives, nor a known one


@settings(max_examples=200, deadline=None)
@given(contact_messages())
def test_no_generated_phone_number_or_email_survives(message):
    text, contact = message
    redacted = redact(text)
    assert not leaked(redacted, contact), f"{text!r} -> {redacted!r}"
