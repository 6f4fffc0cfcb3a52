"""A patient in the widget and a staff member in the console, side by side (issue 19): the
patient asks for a person, staff take over, the assistant stays silent while the patient
writes twice, staff reply and the patient sees it without reloading, staff hand back and
the assistant answers the next question. Both in real Chromium, against the running stack.

The same by SMS: the patient texts through signed webhooks, staff work in the console,
and every text to the patient leaves the clinic's number through the Messages API
stand-in on loopback (tests/sms_api_stand_in.py); a number that texted STOP gets nothing."""

from __future__ import annotations

import itertools
import random
from typing import Iterator, List

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bot.db.engine import get_engine, session_factory
from bot.launcher.supervision import Stack
from bot.settings import PROJECT_ROOT, get_settings
from bot.staff.accounts import Accounts
from tests import twilio_client
from tests.e2e.browser import save_screenshot, sign_in
from tests.e2e.conftest import CLINIC_NUMBER, TWILIO_TEST_TOKEN
from tests.e2e.test_widget_browser import FAQ, FAQ_ANSWER, open_widget, send
from tests.sms_api_stand_in import MessagesApi

pytestmark = pytest.mark.e2e

expect.set_options(timeout=30_000)  # the widget polls every few seconds; a busy 2-core box is slower

CLINIC = get_settings().clinic
PASSWORD = "a long staff password 4 takeover"
REPLY = "Hi, this is the clinic. I can see your question; what time suits you for a call?"
SCREENSHOTS = {
    "console": PROJECT_ROOT / "results" / "browser" / "staff-takeover.png",
    "widget": PROJECT_ROOT / "results" / "browser" / "widget-staff-reply.png",
    "sms": PROJECT_ROOT / "results" / "browser" / "staff-sms-takeover.png",
}
_phones = itertools.count(random.Random().randrange(1000, 9000))


@pytest.fixture(scope="module")
def staff(stack: Stack) -> str:
    email = "takeover@clinic.example"
    Accounts(session_factory(get_engine(stack.settings.database_url))).add(email, PASSWORD)
    return email


@pytest.fixture
def console(browser: Browser) -> Iterator[Page]:
    """The staff member's own browser profile, beside the patient's."""
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _handoff_by_contact(stack: Stack, digits: str) -> dict:
    response = requests.get(
        f"{stack.staff_url}/api/handoffs?limit=500",
        headers={"Authorization": f"Bearer {stack.staff_token}"},
        timeout=10,
    )
    [handoff] = [h for h in response.json() if digits in "".join(c for c in (h["contact"] or "") if c.isdigit())]
    return handoff


def _take_over(console: Page, stack: Stack, staff: str, handoff_id: int) -> None:
    """Staff sign in, open the handoff and take its conversation over."""
    sign_in(console, stack.staff_url, staff, PASSWORD)
    console.goto(f"{stack.staff_url}/handoffs/{handoff_id}")
    console.get_by_role("button", name="Take over").click()
    expect(console.locator(".takeover")).to_contain_text("Taken over")


def test_staff_take_over_a_widget_conversation_reply_and_hand_back(stack: Stack, page: Page, console: Page, staff):
    digits = f"347555{next(_phones) % 10000:04d}"
    open_widget(page, stack.widget_demo_url)
    send(page, "can I talk to a real person please")
    send(page, f"sure, {digits[:3]} {digits[3:6]} {digits[6:]}")
    handoff = _handoff_by_contact(stack, digits)

    _take_over(console, stack, staff, handoff["id"])

    patient_view = page.locator(".ccw-msg--bot .ccw-text")
    expect(patient_view.last).to_contain_text(f"{CLINIC.staff_title} from {CLINIC.name} has joined")
    answered = patient_view.count()

    for text in ("hello? is anyone there", "I'd prefer a call after 5pm"):
        send(page, text)  # answered by nobody: the request returns no message
        expect(page.locator(".ccw-msg--user .ccw-text").last).to_have_text(text)
    console.reload()
    expect(console.locator(".turn--patient .turn__text").last).to_contain_text("after 5pm")
    assert patient_view.count() == answered  # the assistant said nothing

    console.get_by_label("Reply to the patient").fill(REPLY)
    console.get_by_role("button", name="Send reply").click()
    expect(console.locator(".turn--staff").last).to_contain_text(REPLY)
    staff_message = page.locator(".ccw-msg--staff")
    expect(staff_message.last.locator(".ccw-text")).to_have_text(REPLY)  # no reload: the widget polled
    expect(staff_message.last.locator(".ccw-author")).to_have_text(f"{CLINIC.staff_title} (clinic team)")
    save_screenshot(console, SCREENSHOTS["console"], full_page=True)
    save_screenshot(page, SCREENSHOTS["widget"])

    console.get_by_role("button", name="Hand back to the assistant").click()
    expect(patient_view.last).to_contain_text(f"You're back with {CLINIC.name}")
    send(page, FAQ)
    expect(patient_view.last).to_contain_text(FAQ_ANSWER)
    trail = console.locator(".trail").inner_text()
    assert all(
        line in trail
        for line in (
            "Took the conversation over",
            "Replied to the patient",
            "Handed the conversation back to the assistant",
        )
    )


# --- the same by SMS: signed inbound webhooks, replies through the Messages API stand-in ---


def _sms_phone() -> str:
    return f"+1718555{next(_phones) % 10000:04d}"


def _text(stack: Stack, phone: str, body: str) -> List[str]:
    """What the assistant answers in the webhook's own response (TwiML) to a signed inbound text."""
    status, twiml = twilio_client.post(stack.sms_webhook_url, twilio_client.sms_params(phone, body), TWILIO_TEST_TOKEN)
    assert status == 200, twiml
    return twilio_client.messages(twiml)


def _sms_handoff(stack: Stack, phone: str) -> dict:
    """A booking requested by text, as staff find it."""
    for message in ("I'd like to book a consultation", "Priya Shah", "weekday mornings", "yes"):
        _text(stack, phone, message)
    response = requests.get(
        f"{stack.staff_url}/api/handoffs?limit=500",
        headers={"Authorization": f"Bearer {stack.staff_token}"},
        timeout=10,
    )
    [handoff] = [h for h in response.json() if h["sender_id"] == f"sms:{phone}"]
    return handoff


def test_staff_take_over_an_sms_conversation_reply_by_text_and_hand_back(
    stack: Stack, sms_api: MessagesApi, console: Page, staff
):
    phone = _sms_phone()
    handoff = _sms_handoff(stack, phone)
    _take_over(console, stack, staff, handoff["id"])
    [joined] = sms_api.to(phone)
    assert joined.from_ == CLINIC_NUMBER and f"{CLINIC.staff_title} from {CLINIC.name} has joined" in joined.body

    for text in ("hello? is anyone there", "I'd prefer a call after 5pm"):
        assert _text(stack, phone, text) == []  # the assistant stays silent
    console.reload()
    expect(console.locator(".turn--patient .turn__text").last).to_contain_text("after 5pm")
    assert len(sms_api.to(phone)) == 1  # nor was anything texted to the patient meanwhile

    console.get_by_label("Reply to the patient").fill(REPLY)
    console.get_by_role("button", name="Send reply").click()
    staff_turn = console.locator(".turn--staff").last
    expect(staff_turn).to_contain_text(REPLY)
    reply = sms_api.to(phone)[-1]
    assert (reply.from_, reply.body) == (CLINIC_NUMBER, REPLY)
    expect(staff_turn.locator(".delivery")).to_have_text("Text queued")
    assert sms_api.report(reply, "delivered") == 204  # Twilio's signed delivery report
    console.reload()
    expect(console.locator(".turn--staff").last.locator(".delivery")).to_have_text("Text delivered")
    save_screenshot(console, SCREENSHOTS["sms"], full_page=True)

    console.get_by_role("button", name="Hand back to the assistant").click()
    expect(console.get_by_role("button", name="Take over")).to_be_visible()
    assert f"You're back with {CLINIC.name}'s automated assistant" in sms_api.to(phone)[-1].body
    assert FAQ_ANSWER in "\n".join(_text(stack, phone, FAQ))  # the assistant answers again
    trail = console.locator(".trail").inner_text()
    assert "Took the conversation over" in trail and "Replied to the patient" in trail


def test_a_number_that_texted_stop_receives_nothing_from_the_console(
    stack: Stack, sms_api: MessagesApi, console: Page, staff
):
    phone = _sms_phone()
    handoff = _sms_handoff(stack, phone)
    _take_over(console, stack, staff, handoff["id"])
    assert len(sms_api.to(phone)) == 1  # who joined

    assert "unsubscribed" in _text(stack, phone, "STOP")[0]  # the carrier keyword, honoured while taken over
    console.get_by_label("Reply to the patient").fill("Are you still there?")
    console.get_by_role("button", name="Send reply").click()
    expect(console.locator("body")).to_contain_text("opted out of texts")
    console.goto(f"{stack.staff_url}/handoffs/{handoff['id']}")
    console.get_by_role("button", name="Hand back to the assistant").click()
    expect(console.locator(".opted-out")).to_contain_text("Call them instead")
    expect(console.get_by_role("button", name="Take over")).to_have_count(0)
    assert len(sms_api.to(phone)) == 1 and "Are you still there?" not in console.content()
