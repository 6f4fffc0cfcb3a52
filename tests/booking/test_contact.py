"""Phone numbers and e-mail addresses are found in free text and validated by their libraries."""

import phonenumbers
import pytest
from email_validator import validate_email
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.booking.contact import Contact, contact_spans, find_contact


@pytest.mark.parametrize(
    "text, value, display",
    [
        ("617-555-0142", "+16175550142", "(617) 555-0142"),
        ("(718) 555-0199", "+17185550199", "(718) 555-0199"),
        ("415 555 0166", "+14155550166", "(415) 555-0166"),
        ("646-555-0123", "+16465550123", "(646) 555-0123"),
        ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
        ("617.555.0142", "+16175550142", "(617) 555-0142"),
        ("+1 617 555 0142", "+16175550142", "(617) 555-0142"),
        ("1-800-555-0199", "+18005550199", "(800) 555-0199"),
        ("6175550142", "+16175550142", "(617) 555-0142"),
        ("my cell is 617-555-0142", "+16175550142", "(617) 555-0142"),
        ("my number is 617.555.0142 thx", "+16175550142", "(617) 555-0142"),
        ("call me at (617)555-0142 after 5pm pls", "+16175550142", "(617) 555-0142"),
        ("ph# 617 5550142!!", "+16175550142", "(617) 555-0142"),
    ],
)
def test_phone_numbers(text, value, display):
    assert find_contact(text) == find_contact(text, "us")
    assert find_contact(text).contact == Contact(kind="phone", value=value, display=display)


def test_a_number_of_another_region_is_displayed_internationally():
    assert find_contact("617-555-0142", "GB").contact is None  # no country code: read as a UK number
    assert find_contact("+1 617 555 0142", "GB").contact.display == "+1 617-555-0142"
    assert find_contact("020 7946 0958", "GB").contact.display == "020 7946 0958"


@pytest.mark.parametrize(
    "text, value",
    [
        ("email me at Maria.Gonzalez@Example.com", "Maria.Gonzalez@example.com"),
        ("<jordan.lee@gmail.com>", "jordan.lee@gmail.com"),
        ("it's (sam@patel.org).", "sam@patel.org"),
        ("mailto:sam@patel.org, thanks", "sam@patel.org"),
        ("e-mail: sam+cit@patel.org; thx", "sam+cit@patel.org"),
    ],
)
def test_email_addresses(text, value):
    assert find_contact(text).contact == Contact(kind="email", value=value, display=value)


@pytest.mark.parametrize(
    "text, home, display",
    [
        ("my number is 555-0175", "(617) 555-0100", "(617) 555-0175"),
        ("Phone: 555 0121, Fridays", "(555) 010-0100", "(555) 555-0121"),  # the demo clinic's fictional number
        ("ring me 5550143", "+1 646 555 0100", "(646) 555-0143"),
        ("020 7946 0958", "020 7946 0000", "020 7946 0958"),
    ],
)
def test_a_local_number_takes_the_clinics_area_code(text, home, display):
    region = "GB" if home.startswith("0") else "US"
    assert find_contact(text, region, home=home).contact.display == display


@pytest.mark.parametrize("text", ["12 3456 7", "555-01755", "55 501 75"])
def test_only_the_ways_people_write_a_local_number_take_the_area_code(text):
    contact = find_contact(text, "US", home="(617) 555-0100").contact
    assert contact is None or contact.display != "(617) 555-0175"


def test_a_complete_number_outside_the_assigned_ranges_is_taken():
    # libphonenumber's table of assigned ranges rejects 555 as an area code; the number is
    # complete all the same, and fictional numbers are what demos and tests use.
    assert find_contact("555-213-0045").contact.value == "+15552130045"


@pytest.mark.parametrize("home", ["", "not a number", "12"])
def test_without_a_clinic_area_code_a_local_number_is_asked_again(home):
    result = find_contact("my number is 555 0142", "US", home=home)
    assert result.contact is None
    assert result.attempted is True


@pytest.mark.parametrize("text", ["12", "555-01", "chris@", "chris@gmail", "617-555-014", "my number is 555 0142"])
def test_failed_attempts_ask_again(text):
    assert find_contact(text).contact is None
    assert find_contact(text).attempted is True


@pytest.mark.parametrize(
    "text",
    ["", "Saturdays are best", "Jordan Lee", "call me tomorrow", "at 2pm", "Dec 3, 2025 at 1030am", "12/3/2025"],
)
def test_no_attempt(text):
    assert find_contact(text).contact is None
    assert find_contact(text).attempted is False


def test_the_first_contact_in_the_text_wins():
    assert find_contact("617-555-0142 or maria@example.com").contact.kind == "phone"
    assert find_contact("maria@example.com or 617-555-0142").contact.kind == "email"
    assert find_contact("chris@gmail or 617-555-0142").contact.kind == "phone"  # the first *valid* one


def test_digits_inside_an_address_are_not_a_phone_number():
    assert find_contact("sam6175550142@example.com").contact.kind == "email"
    assert find_contact("sam6175550142@example").contact is None


def test_absurd_input_is_capped():
    assert find_contact("x" * 10_000 + " 617-555-0142").contact is None
    assert find_contact("1" * 10_000).contact is None


def test_contact_spans_include_the_words_that_introduce_them():
    text = "Saturdays, sure my cell is 617-555-0142, or email me at a@b.co and chris@"
    assert [text[start:end] for start, end in contact_spans(text)] == [
        "sure my cell is 617-555-0142", "or email me at a@b.co", "and chris@",
    ]  # fmt: skip


_AREA = st.from_regex(r"\A[2-9][0-8][0-9]\Z")
_EXCHANGE = st.from_regex(r"\A[2-9][0-9]{2}\Z")
_LINE = st.from_regex(r"\A[0-9]{4}\Z")
_FORMATS = [
    "{a}-{b}-{c}", "({a}) {b}-{c}", "{a}.{b}.{c}", "{a} {b} {c}", "{a}{b}{c}", "({a}){b}-{c}", "{a}-{b}{c}",
    "+1 {a} {b} {c}", "+1-{a}-{b}-{c}", "+1 ({a}) {b}-{c}", "+1{a}{b}{c}", "1-{a}-{b}-{c}", "1 ({a}) {b}-{c}",
    "1.{a}.{b}.{c}", "1{a}{b}{c}",
]  # fmt: skip
_SURROUNDINGS = [
    "{}", "my cell is {}", "call me at {} thx", "{}, Saturdays are best", "text {}!", "Phone: {}.", "({})",
    "I'm Sam Lee, {} or sam@", "its {} ok", "number\n{}\nthanks",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(_AREA, _EXCHANGE, _LINE, st.sampled_from(_FORMATS), st.sampled_from(_SURROUNDINGS))
def test_us_numbers_in_any_format_give_the_same_e164(area, exchange, line, layout, surrounding):
    expected = f"+1{area}{exchange}{line}"
    assume(phonenumbers.is_valid_number(phonenumbers.parse(expected)))
    text = surrounding.format(layout.format(a=area, b=exchange, c=line))
    result = find_contact(text)
    assert result.contact is not None, text
    assert result.contact.value == expected
    assert result.attempted is False


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_a_validated_contact_or_none(text):
    contact = find_contact(text).contact
    if contact is None:
        return
    if contact.kind == "phone":
        assert phonenumbers.is_possible_number(phonenumbers.parse(contact.value))
        assert contact.value == phonenumbers.format_number(
            phonenumbers.parse(contact.value), phonenumbers.PhoneNumberFormat.E164
        )
    else:
        assert validate_email(contact.value, check_deliverability=False).normalized == contact.value
