"""Staff texts go through Twilio's own library to the Messages API (a stand-in on loopback
here): from the clinic's number, with a delivery-report URL, and every refusal in words."""

import asyncio
import dataclasses
import os

import pytest

from bot.settings import Settings
from bot.sms.outbound import SmsSender
from tests.ports import free_port
from tests.sms_api_stand_in import ACCOUNT_SID, messages_api

TOKEN = "outbound-test-auth-token"
CLINIC = "+15550100999"
PATIENT = "+15550100123"


def _settings(api_url: str, **changes: str) -> Settings:
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": CLINIC,
        "TWILIO_API_URL": api_url,
        "TWILIO_WEBHOOK_URL": "https://bot.clinic.example/webhooks/twilio/webhook",
    }
    return dataclasses.replace(Settings.from_env(env), **changes)


def test_a_text_goes_from_the_clinics_number_with_its_delivery_report_url() -> None:
    with messages_api(TOKEN) as api:
        sent = asyncio.run(SmsSender(_settings(api.url)).send(PATIENT, "Hi, this is the clinic."))
    [text] = api.sent
    assert (text.to, text.from_, text.body) == (PATIENT, CLINIC, "Hi, this is the clinic.")
    assert text.status_callback == "https://bot.clinic.example/webhooks/twilio/status"
    assert (sent.sid, sent.status, sent.error) == (text.sid, "queued", None)


def test_a_number_that_texted_stop_to_twilio_is_refused_and_said_so() -> None:
    with messages_api(TOKEN, unsubscribed={PATIENT}) as api:
        sent = asyncio.run(SmsSender(_settings(api.url)).send(PATIENT, "Hello"))
    assert api.sent == [] and sent.sid is None and sent.unsubscribed
    assert sent.status == "not_sent" and "opted out of texts" in (sent.error or "")


def test_a_wrong_token_is_a_refusal_not_a_crash() -> None:
    with messages_api("another-token") as api:
        sent = asyncio.run(SmsSender(_settings(api.url)).send(PATIENT, "Hello"))
    assert api.sent == [] and sent.sid is None and "Twilio refused it" in (sent.error or "")


def test_an_unreachable_api_is_a_refusal_that_says_what_to_do() -> None:
    sent = asyncio.run(SmsSender(_settings(f"http://127.0.0.1:{free_port()}")).send(PATIENT, "Hello"))
    assert sent.sid is None and sent.error == "Twilio could not be reached; try again, or call the patient"


@pytest.mark.parametrize("missing", ["twilio_account_sid", "twilio_from_number", "twilio_auth_token"])
def test_without_the_account_number_or_token_nothing_is_sent_and_the_console_is_told(missing: str) -> None:
    with messages_api(TOKEN) as api:
        sender = SmsSender(_settings(api.url, **{missing: ""}))
        sent = asyncio.run(sender.send(PATIENT, "Hello"))
    assert api.sent == [] and sent.sid is None
    assert sender.missing and missing.upper() in sender.missing and sent.error == sender.missing


def test_without_a_public_webhook_url_no_delivery_report_is_asked_for() -> None:
    with messages_api(TOKEN) as api:
        asyncio.run(SmsSender(_settings(api.url, twilio_webhook_url="")).send(PATIENT, "Hello"))
    assert api.sent[0].status_callback is None
