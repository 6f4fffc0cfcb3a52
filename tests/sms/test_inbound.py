"""A signed webhook is an inbound SMS only in the exact shape Twilio gives one."""

import pytest

from bot.sms.inbound import INBOUND_PARAMETERS, InboundSms, NotInbound, read_inbound
from tests import twilio_client

PHONE = "+16465550123"


def test_a_real_webhooks_fields_read_as_the_message():
    params = twilio_client.sms_params(PHONE, "hi there")
    assert read_inbound(params) == InboundSms(sid=params["MessageSid"], phone=PHONE, body="hi there")
    as_posted = {name: [value] for name, value in params.items()}  # how a form parser hands them over
    assert read_inbound(as_posted) == read_inbound(params)


def test_every_documented_parameter_is_accepted():
    params = twilio_client.sms_params(PHONE, "")
    optional = {name: "" for name in INBOUND_PARAMETERS - set(params)}
    optional["MessagingServiceSid"] = "MG" + "0" * 32
    assert read_inbound({**params, **optional}).body == ""


@pytest.mark.parametrize(
    "change, why",
    [
        ({"MessageSid": "SM" + "0" * 31}, "MessageSid"),
        ({"MessageSid": "SM" + "0" * 32 + "N"}, "MessageSid"),
        ({"SmsMessageSid": "SM" + "1" * 32}, "SmsMessageSid"),
        ({"From": "16465550123"}, "From"),
        ({"umMedia": "0"}, "umMedia"),
    ],
)
def test_anything_else_is_not_an_inbound_sms(change, why):
    with pytest.raises(NotInbound, match=why):
        read_inbound({**twilio_client.sms_params(PHONE, "hi"), **change})


def test_a_name_twice_is_not_twilios():
    params = {name: [value] for name, value in twilio_client.sms_params(PHONE, "hi").items()}
    params["To"] = ["+15550100999", "+15550100999"]
    with pytest.raises(NotInbound, match="To is posted 2 times"):
        read_inbound(params)


def test_the_reason_names_parameters_never_their_values():
    with pytest.raises(NotInbound) as refused:
        read_inbound({**twilio_client.sms_params(PHONE, "my secret symptom"), "Secret Symptom": "fever"})
    assert "fever" not in str(refused.value) and "my secret" not in str(refused.value)
