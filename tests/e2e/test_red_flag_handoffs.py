"""A red flag reaches a person, end to end: the running servers, a real SMTP server, the staff API.

The stack's action server is restarted for this module with SMTP pointed at a local
server (tests/handoffs/notify/smtp_server.py), as a clinic configures it, and restarted without
it afterwards, so the other end-to-end modules run as before.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
import requests

from bot.launcher.supervision import Stack
from tests import twilio_client
from tests.e2e.conftest import TWILIO_TEST_TOKEN
from tests.handoffs.notify.smtp_server import Inbox, smtp_server
from tests.senders import stored_id

pytestmark = pytest.mark.e2e

EMERGENCY = "my lips are swelling and I can't breathe"
URGENT = "I have a fever of 102 and pus"
STAFF_EMAIL = "desk@clinic.example"
DELIVERY_WAIT_S = 20.0
# Fictional-range-free US numbers that phonenumbers accepts; one per conversation.
_phones: Iterator[int] = itertools.count(random.Random().randrange(1000, 9000))


def _phone() -> str:
    return f"+1917555{next(_phones) % 10000:04d}"


@pytest.fixture(scope="module")
def mailed(stack: Stack) -> Iterator[Tuple[Stack, Inbox]]:
    """The stack with its action server e-mailing staff through a local SMTP server."""
    inbox = Inbox()
    with smtp_server(inbox) as port:
        smtp = {
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "false",
            "SMTP_FROM": "assistant@clinic.example", "STAFF_NOTIFY_EMAIL": STAFF_EMAIL,
        }  # fmt: skip
        stack.stop_server("actions")
        stack.start_server("actions", env=smtp)
        try:
            yield stack, inbox
        finally:
            stack.stop_server("actions")
            stack.start_server("actions")


def _say(stack: Stack, sender: str, text: str) -> str:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    assert response.status_code == 200, response.text
    return "\n".join(message.get("text", "") for message in response.json())


def _sms(stack: Stack, phone: str, body: str) -> List[str]:
    status, twiml = twilio_client.post(stack.sms_webhook_url, twilio_client.sms_params(phone, body), TWILIO_TEST_TOKEN)
    assert status == 200, twiml
    return twilio_client.messages(twiml)


def _handoffs(stack: Stack, **params: str) -> List[Dict]:
    response = requests.get(
        f"{stack.staff_url}/api/handoffs", params={"limit": "500", **params},
        headers={"Authorization": f"Bearer {stack.staff_token}"}, timeout=10,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


def _of(handoffs: List[Dict], sender: str, kind: Optional[str] = None) -> List[Dict]:
    return [h for h in handoffs if h["sender_id"] == stored_id(sender) and (kind is None or h["kind"] == kind)]


def _mails_about(inbox: Inbox, handoff_id: int, wait: float = DELIVERY_WAIT_S) -> List[EmailMessage]:
    """The e-mails staff got about one handoff (sent in the background: waits up to `wait` for one)."""
    deadline = time.monotonic() + wait
    while True:
        found = [
            message
            for message in (message_from_bytes(raw, policy=policy.default) for _, _, raw in list(inbox.messages))
            if message["Subject"].startswith(f"RED FLAG #{handoff_id}:")
        ]
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def _book_by_sms(stack: Stack) -> Dict:
    """An ordinary booking request, older than the red flag that follows it."""
    phone = _phone()
    for message in ("I'd like to book a consultation", "Priya Shah", "weekday mornings", "yes"):
        _sms(stack, phone, message)
    [booking] = _of(_handoffs(stack), phone)
    return booking


def test_a_red_flag_on_the_website_alerts_staff_once_and_heads_the_queue(mailed):
    stack, inbox = mailed
    booking = _book_by_sms(stack)
    sender = f"e2e-{uuid.uuid4().hex}"
    reply = _say(stack, sender, EMERGENCY)
    assert reply.index("911") < reply.index("alerted our team"), reply  # the first answer went out first
    assert "emergency room" in reply and stack.settings.clinic.phone in reply
    handoffs = _handoffs(stack)
    [handoff] = _of(handoffs, sender)
    assert (handoff["kind"], handoff["status"], handoff["channel"]) == ("red_flag", "new", "rest")
    assert handoff["question"] == EMERGENCY and {"swelling", "breathing"} <= set(handoff["red_flags"])
    assert handoffs[0]["id"] == handoff["id"]
    assert [h["id"] for h in handoffs].index(handoff["id"]) < [h["id"] for h in handoffs].index(booking["id"])
    assert booking["created_at"] < handoff["created_at"]
    [mail] = _mails_about(inbox, handoff["id"])
    assert mail["To"] == STAFF_EMAIL and "(via website chat)" in mail["Subject"]
    body = mail.get_content()
    assert f"Message: {EMERGENCY}" in body and "Channel: website chat" in body and "breathing" in body
    assert f"/handoffs/{handoff['id']}" in body

    # The same group again within the hour: the patient is still told, staff are not alerted twice.
    again = _say(stack, sender, "I still can't breathe properly")
    assert "911" in again and "alerted our team" in again
    assert [h["id"] for h in _of(_handoffs(stack), sender)] == [handoff["id"]]
    assert len(_mails_about(inbox, handoff["id"], wait=2.0)) == 1


def test_a_red_flag_by_sms_alerts_staff_with_the_senders_number(mailed):
    stack, inbox = mailed
    booking = _book_by_sms(stack)
    phone = _phone()
    bodies = _sms(stack, phone, URGENT)
    reply = "\n".join(bodies)
    assert stack.settings.clinic.phone in reply and "alerted our team" in reply, reply
    assert "directly" not in reply
    handoffs = _handoffs(stack)
    [handoff] = _of(handoffs, phone, "red_flag")
    assert (handoff["channel"], handoff["contact"], handoff["contact_kind"]) == ("twilio", phone, "phone")
    assert handoff["question"] == URGENT and {"fever", "infection"} <= set(handoff["red_flags"])
    assert handoffs[0]["id"] == handoff["id"]
    assert [h["id"] for h in handoffs].index(handoff["id"]) < [h["id"] for h in handoffs].index(booking["id"])
    [mail] = _mails_about(inbox, handoff["id"])
    body = mail.get_content()
    assert "(via SMS)" in mail["Subject"] and f"Contact: {phone} (phone)" in body and f"Message: {URGENT}" in body

    assert "alerted our team" in "\n".join(_sms(stack, phone, "the fever is worse now"))
    assert len(_of(_handoffs(stack), phone, "red_flag")) == 1


def test_an_opted_out_numbers_red_flag_creates_the_handoff_and_sends_nothing(mailed):
    stack, inbox = mailed
    phone = _phone()
    _sms(stack, phone, "hi")
    assert "unsubscribed" in _sms(stack, phone, "STOP")[0]
    status, twiml = twilio_client.post(
        stack.sms_webhook_url, twilio_client.sms_params(phone, URGENT), TWILIO_TEST_TOKEN
    )
    assert status == 200 and twilio_client.messages(twiml) == [], twiml
    assert "<Message" not in twiml
    [handoff] = _of(_handoffs(stack), phone, "red_flag")
    assert (handoff["contact"], handoff["question"]) == (phone, URGENT)
    assert len(_mails_about(inbox, handoff["id"])) == 1
    assert _sms(stack, phone, "how long does the redness last?") == []  # anything else: still nothing
    assert len(_of(_handoffs(stack), phone)) == 1
