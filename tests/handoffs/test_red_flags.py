"""A red flag's groups are read off the parse the same way by the action and the SMS channel."""

from __future__ import annotations

from bot.handoffs.red_flags import groups_from_entities, unanswered_red_flag


def test_groups_keep_the_detectors_order_without_repeats_or_names_that_are_not_groups():
    entities = [
        {"entity": "red_flag", "value": "Swelling "},
        {"entity": "other", "value": "fever"},
        {"entity": "red_flag", "value": "breathing"},
        {"entity": "red_flag", "value": "swelling"},
        {"entity": "red_flag", "value": "<script>"},
        {"entity": "red_flag", "value": 3},
    ]
    assert groups_from_entities(entities) == ["swelling", "breathing"]


def test_a_parse_without_groups_is_unspecified():
    assert groups_from_entities(None) == groups_from_entities([]) == ["unspecified"]


def test_an_unanswered_red_flag_keeps_the_text_the_number_and_the_groups():
    parse = {"entities": [{"entity": "red_flag", "value": "fever"}]}
    request = unanswered_red_flag("sms:+16465550123", "twilio", "temp 101\x00 and shivery", "+16465550123", parse)
    assert (request.kind, request.sender_id, request.channel) == ("red_flag", "sms:+16465550123", "twilio")
    assert (request.question, request.contact, request.contact_kind, request.groups) == (
        "temp 101 and shivery",
        "+16465550123",
        "phone",
        ("fever",),
    )
    assert unanswered_red_flag("sms:+1", "twilio", "help", "+1", None).groups == ("unspecified",)
