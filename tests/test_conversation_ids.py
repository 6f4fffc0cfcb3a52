"""Every channel names its conversations in its own namespace; only `sms:` proves a phone number."""

import pytest

from bot.conversation_ids import conversation_id, namespace_of, sms_number


def test_each_channel_has_its_namespace():
    assert conversation_id("rest", "eval-0a1b") == "rest:eval-0a1b"
    assert conversation_id("widget", "abc") == "widget:abc"
    assert conversation_id("sms", "+16465550123") == "sms:+16465550123"
    with pytest.raises(ValueError):
        conversation_id("twilio", "+16465550123")


@pytest.mark.parametrize(
    "sender_id, namespace, number",
    [
        ("sms:+16465550123", "sms", "+16465550123"),
        ("rest:+16465550123", "rest", None),  # a REST client's choice of sender, not a verified number
        ("rest:sms:+16465550123", "rest", None),
        ("widget:abc", "widget", None),
        ("+16465550123", None, None),  # stored before namespaces: no channel vouches for it
        ("patient-1", None, None),
        ("sms:", "sms", None),
    ],
)
def test_only_an_sms_conversation_gives_a_phone_number(sender_id, namespace, number):
    assert namespace_of(sender_id) == namespace
    assert sms_number(sender_id) == number
