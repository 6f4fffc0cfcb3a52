"""SMS bodies number the buttons across a reply, TwiML is well-formed, and numbers map back."""

import xml.etree.ElementTree as ET

import pytest

from bot.sms.render import (
    GSM7,
    SMS_MAX_SEPTETS,
    SmsReply,
    build_reply,
    menu_lines,
    non_gsm7,
    number_choice,
    septets,
    sms_body,
    twiml,
)
from tests.twilio_client import messages as twilio_messages


def _bodies_of(document: str):
    root = ET.fromstring(document.encode("utf-8"))
    assert root.tag == "Response"
    assert all(child.tag == "Message" for child in root)
    return [child.text or "" for child in root]


def test_sms_body_without_buttons_is_the_stripped_text():
    assert sms_body("  Hello there \n", []) == "Hello there"


def test_sms_body_lists_the_buttons_after_a_blank_line():
    assert sms_body("Pick one", ["Book", "Ask a question"]) == "Pick one\n\nReply 1: Book\nReply 2: Ask a question"


def test_sms_body_numbering_can_start_later():
    assert sms_body("More", ["Yes", "No"], first_number=3) == "More\n\nReply 3: Yes\nReply 4: No"
    assert menu_lines(["Yes"], first_number=7) == "Reply 7: Yes"


def test_sms_body_of_buttons_alone_is_just_the_menu():
    assert sms_body("", ["Yes"]) == "Reply 1: Yes"
    assert sms_body(None, []) == ""


def test_numbering_continues_across_the_messages_of_one_reply():
    reply = build_reply(
        [
            {
                "text": "What next?",
                "buttons": [{"title": "Book", "payload": "/book"}, {"title": "Prices", "payload": "/price"}],
            },
            {"text": "Or:", "buttons": [{"title": "Talk to staff", "payload": "/handoff"}]},
        ]
    )
    assert reply == SmsReply(
        bodies=["What next?\n\nReply 1: Book\nReply 2: Prices", "Or:\n\nReply 3: Talk to staff"],
        menu=["/book", "/price", "/handoff"],
    )


def test_buttons_without_a_title_or_payload_are_skipped():
    reply = build_reply(
        [
            {
                "text": "Choose",
                "buttons": [
                    {"title": "  ", "payload": "/blank"},
                    {"title": "No payload", "payload": ""},
                    {"payload": "/untitled"},
                    "not a button",
                    {"title": " Keep ", "payload": "/keep"},
                ],
            }
        ]
    )
    assert reply.bodies == ["Choose\n\nReply 1: Keep"]
    assert reply.menu == ["/keep"]


def test_images_and_custom_payloads_have_no_sms_form():
    reply = build_reply(
        [
            {"image": "https://clinic.example/before-after.png"},
            {"custom": {"kind": "card"}},
            {"text": "  ", "buttons": []},
            {"text": "Here you go", "image": "https://clinic.example/x.png"},
        ]
    )
    assert reply == SmsReply(bodies=["Here you go"], menu=[])


def test_payloads_never_reach_the_patient():
    payload = '/choose{"choice": "secret_intent"}'
    reply = build_reply([{"text": "Pick", "buttons": [{"title": "Option", "payload": payload}]}])
    assert reply.menu == [payload]
    assert all("secret_intent" not in body and "/choose" not in body for body in reply.bodies)


def test_an_empty_reply_is_empty():
    assert build_reply([]) == SmsReply()


@pytest.mark.parametrize(
    "body",
    [
        "a < b && c > d",
        'She said "it\'s fine"',
        "</Message><Message>injected",
        "]]><![CDATA[x",
        "Zo\u00eb \u2014 r\u00e9sum\u00e9 \u65e5\u672c \U0001f600",
        "line one\nline two",
        "&amp; is not &",
    ],
)
def test_twiml_round_trips_any_text_as_one_message(body):
    assert _bodies_of(twiml([body])) == [body]


def test_twiml_keeps_several_bodies_in_order():
    assert _bodies_of(twiml(["first", "<second>", "third & last"])) == ["first", "<second>", "third & last"]


def test_an_empty_twiml_sends_nothing_and_still_parses():
    document = twiml([])
    assert document.endswith("<Response></Response>")
    assert _bodies_of(document) == []


@pytest.mark.parametrize(
    "text, payload",
    [("1", "/book"), (" 2 ", "/price"), ("2.", "/price"), ("#2", "/price"), ("2)", "/price"), ("3!", "/handoff")],
)
def test_a_bare_number_is_its_menu_choice(text, payload):
    assert number_choice(text, ["/book", "/price", "/handoff"]) == payload


@pytest.mark.parametrize("text", ["0", "4", "1 2", "12 weeks", "\u0661", "\u00b2", "", "-1", "two", "2 please"])
def test_anything_else_is_left_as_the_patient_wrote_it(text):
    assert number_choice(text, ["/book", "/price", "/handoff"]) == text


def test_a_number_means_nothing_without_a_menu():
    assert number_choice("1", []) == "1"


@pytest.mark.parametrize(
    "text, outside",
    [
        ("\u201cquoted\u201d and \u2018single\u2019", ["\u201c", "\u201d", "\u2018", "\u2019"]),
        ("thanks \U0001f600\U0001f600", ["\U0001f600"]),
        ("2\u20133 days", ["\u2013"]),
        ("tab\there", ["\t"]),
        ("\u00e7a va", ["\u00e7"]),  # GSM-7 has only the capital \u00c7
    ],
)
def test_non_gsm7_finds_each_offending_character_once_in_order(text, outside):
    assert non_gsm7(text) == outside


@pytest.mark.parametrize(
    "text",
    [
        "Price: 100\u20ac {approx}",
        "mail us @ clinic",
        "caf\u00e9 \u00e0 \u00c9cole",
        "[a|b] ~ ^ \\",
        "\u00a3\u00a5\u00a7\u00bf\u00a1 \u0394\u03a9",
        "line\r\nbreak",
    ],
)
def test_gsm7_basic_and_extension_characters_fit(text):
    assert non_gsm7(text) == []


def test_the_gsm7_alphabet_has_every_basic_and_extension_character():
    # 128 basic codes less the escape to the extension table, plus ten extension characters.
    assert len(GSM7) == 127 + 10


def test_characters_xml_cannot_carry_are_dropped_so_the_twiml_still_parses():
    assert twilio_messages(twiml(["a\x00b\x0cc\x1bd\ttab\nline"])) == ["abcd\ttab\nline"]


def test_extension_characters_count_twice_toward_the_two_segments():
    assert septets("plain text") == 10
    assert septets("{€}") == 6
    assert SMS_MAX_SEPTETS == 2 * 153
