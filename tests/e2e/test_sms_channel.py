"""The assistant as an SMS patient meets it: signed Twilio webhooks to the running Rasa server.

The public evaluation's FAQ, aftercare and SMS questions are asked again over SMS, and
their fact checks are applied to the SMS replies, each of which must fit in two
segments (320 characters).
"""

from __future__ import annotations

import importlib.util
import itertools
import random
from typing import Iterator, List

import pytest
import requests

from bot.sms.render import SMS_MAX_SEPTETS, septets
from tests import twilio_client
from tests.e2e.conftest import TWILIO_TEST_TOKEN
from tests.e2e.test_patient_conversations import EVAL_DIR

pytestmark = pytest.mark.e2e

FAQ_CATEGORIES = ("faq", "aftercare", "sms")
# Fictional-range-free US numbers that phonenumbers accepts; one per conversation.
_phones: Iterator[int] = itertools.count(random.Random().randrange(1000, 9000))


def _phone() -> str:
    return f"+1646555{next(_phones) % 10000:04d}"


def _evalbot():
    """The evaluation's own loader and fact checks, so SMS answers are judged by the same rules."""
    path = EVAL_DIR / "evalbot.py"
    if not path.exists():
        pytest.fail(f"{path} not found: CI expects ../shared beside the project (set EVAL_DIR)")
    spec = importlib.util.spec_from_file_location("evalbot", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EVALBOT = _evalbot()
FAQ_CASES = [
    case for case in EVALBOT.load_cases([str(EVAL_DIR / "public_cases.yml")]) if case["category"] in FAQ_CATEGORIES
]


def _text(stack, phone: str, body: str) -> List[str]:
    status, twiml = twilio_client.post(stack.sms_webhook_url, twilio_client.sms_params(phone, body), TWILIO_TEST_TOKEN)
    assert status == 200, twiml
    bodies = twilio_client.messages(twiml)
    for sms in bodies:
        assert septets(sms) <= SMS_MAX_SEPTETS, f"{septets(sms)} septets: {sms!r}"
    return bodies


@pytest.mark.parametrize("case", FAQ_CASES, ids=[case["id"] for case in FAQ_CASES])
def test_public_faq_questions_get_the_same_facts_by_sms_within_two_segments(stack, case):
    phone = _phone()
    for turn in case["turns"]:
        reply = "\n".join(_text(stack, phone, turn["user"]))
        failures = EVALBOT.check_patterns(turn["expect"], reply)
        assert not failures, f"{turn['user']!r} -> {reply!r}: {failures}"


def test_a_forged_webhook_is_refused_by_the_running_server(stack):
    params = twilio_client.sms_params(_phone(), "I'd like to book")
    assert twilio_client.post(stack.sms_webhook_url, params, "not-the-clinics-token")[0] == 403
    assert twilio_client.post(stack.sms_webhook_url, params, None)[0] == 403


def test_the_first_sms_carries_the_privacy_notice_and_later_ones_do_not(stack):
    phone = _phone()
    first = _text(stack, phone, "hi")
    assert "about a symptom" in first[0] and len(first) >= 2
    assert not any("about a symptom" in sms for sms in _text(stack, phone, "how long is the numbing?"))


def test_a_numbered_reply_picks_that_button(stack):
    phone = _phone()
    reply = "\n".join(_text(stack, phone, "what is microneedling?"))
    assert "Reply 1: " in reply and "/faq" not in reply
    choice = next(line for line in reply.splitlines() if line.startswith("Reply 1: ")).removeprefix("Reply 1: ")
    answer = "\n".join(_text(stack, phone, "1"))
    assert answer.strip() and "not sure I understood" not in answer, (choice, answer)


def test_stop_then_start(stack):
    phone = _phone()
    _text(stack, phone, "hi")
    assert "unsubscribed" in _text(stack, phone, "STOP")[0]
    assert _text(stack, phone, "how long does the redness last?") == []
    assert "subscribed again" in _text(stack, phone, "START")[0]
    assert "24-48 hours" in "\n".join(_text(stack, phone, "how long does the redness last?"))


def test_a_booking_by_sms_uses_the_senders_number_and_reaches_staff(stack):
    phone = _phone()
    replies = [
        "\n".join(_text(stack, phone, message))
        for message in ("I'd like to book a consultation", "Priya Shah", "weekday mornings", "yes")
    ]
    assert "Priya" in replies[-1] and "team" in replies[-1], replies
    handoffs = requests.get(
        f"{stack.staff_url}/api/handoffs", headers={"Authorization": f"Bearer {stack.staff_token}"}, timeout=10
    ).json()
    [handoff] = [h for h in handoffs if h["sender_id"] == f"sms:{phone}"]
    assert (handoff["channel"], handoff["contact"], handoff["name"]) == ("twilio", phone, "Priya Shah")
