"""The servers' logs (INFO level, as `make run` runs them) carry no message text or contact details.

Logs are copied, rotated and shipped to places patient data must not go; the database
is where conversations and contacts live, behind the staff console's login.
"""

import uuid

import pytest
import requests

from tests import twilio_client
from tests.e2e.conftest import TWILIO_TEST_TOKEN

pytestmark = pytest.mark.e2e

NAME = "Quentin Zabriskie"
EMAIL = "quentin.zabriskie@example.org"
PHONE = "+16465550987"
QUESTION = "do zebras ever get microneedling on their stripes"


def _rest(stack, sender: str, text: str) -> None:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
    )
    assert response.status_code == 200


def _sms(stack, text: str) -> None:
    status, _ = twilio_client.post(stack.sms_webhook_url, twilio_client.sms_params(PHONE, text), TWILIO_TEST_TOKEN)
    assert status == 200


def test_no_message_text_or_contact_details_in_the_logs(stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    for text in ("I'd like to book a consultation", NAME, EMAIL, "weekday mornings", "yes", QUESTION):
        _rest(stack, sender, text)
    for text in ("I'd like to book a consultation", NAME, "Saturdays", "yes", QUESTION):
        _sms(stack, text)
    handoffs = requests.get(
        f"{stack.staff_url}/api/handoffs", headers={"Authorization": f"Bearer {stack.staff_token}"}, timeout=10
    ).json()
    assert {EMAIL, PHONE} <= {h["contact"] for h in handoffs}  # the requests did get through
    logs = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in stack.log_dir.glob("*.log"))
    assert logs.strip(), "the servers wrote no logs at all"
    for secret in (NAME, "Zabriskie", EMAIL, PHONE, PHONE.lstrip("+"), "zebras"):
        assert secret not in logs, f"{secret!r} found in the server logs"
