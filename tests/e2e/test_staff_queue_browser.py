"""The queue a busy receptionist works from, in a real Chromium against the running stack:
one handoff for a booking interrupted by a request for a person, a phone-sized screen
with nothing off its edge and the patient's latest messages before the transcript, and
new work appearing without a reload under the console's strict CSP."""

from __future__ import annotations

import uuid
from typing import Iterator, List

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, expect

from bot.db.engine import get_engine, session_factory
from bot.handoffs.request import HandoffRequest
from bot.handoffs.store import HandoffStore
from bot.launcher.supervision import Stack
from bot.staff.accounts import Accounts
from tests.e2e.browser import sign_in
from tests.senders import stored_id

pytestmark = pytest.mark.e2e

expect.set_options(timeout=30_000)  # the first live check comes 5 s after the page loads

PASSWORD = "a long staff password 4 tests"
PHONE = {"width": 360, "height": 740}
# The walk-through's conversation: a screening a provider must review, a booking, and a
# request for a person at the contact question, then the booking again.
INTERRUPTED_BOOKING = (
    "Am I a good candidate for microneedling?",
    "no",
    "no",
    "I take accutane, no keloids",
    "yes",
    "Maria Gonzalez",
    "can someone just call me? 917 555 0163",
    "I'd like to book a consultation",
    "Maria Gonzalez",
    "917 555 0163",
    "weekday evenings",
    "yes",
)


def say(stack: Stack, sender: str, text: str) -> None:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    assert response.status_code == 200, response.text


def store_of(stack: Stack) -> HandoffStore:
    return HandoffStore(session_factory(get_engine(stack.settings.database_url)))


@pytest.fixture(scope="module")
def staff(stack: Stack) -> str:
    email = f"desk-{uuid.uuid4().hex[:8]}@clinic.example"
    Accounts(session_factory(get_engine(stack.settings.database_url))).add(email, PASSWORD)
    return email


@pytest.fixture
def phone(browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.fixture
def problems(page: Page) -> List[str]:
    """Script errors and CSP violations (console errors): none may happen."""
    found: List[str] = []
    page.on("console", lambda message: message.type == "error" and found.append(message.text))
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_booking_interrupted_by_a_request_for_a_person_is_one_handoff_that_says_what_to_do(stack, staff, page):
    sender = f"e2e-queue-{uuid.uuid4().hex}"
    for text in INTERRUPTED_BOOKING:
        say(stack, sender, text)
    handoffs = [h for h in store_of(stack).list(limit=500) if h.sender_id == stored_id(sender)]
    assert [(h.kind, h.name, h.contact, h.screening_outcome) for h in handoffs] == [
        ("screening", "Maria Gonzalez", "+19175550163", "needs_review")
    ]
    sign_in(page, stack.staff_url, staff, PASSWORD)
    page.goto(f"{stack.staff_url}/handoffs/{handoffs[0].id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening: Maria Gonzalez")
    expect(page.locator(".details").first).to_contain_text("a provider reviews it, then book")
    expect(page.locator('a[href="tel:+19175550163"]').first).to_be_visible()


def test_on_a_phone_nothing_is_off_screen_and_the_latest_messages_come_before_the_transcript(
    stack, staff, phone: BrowserContext
):
    sender = f"e2e-phone-{uuid.uuid4().hex}"
    for text in ("I'd like to book a consultation", "Nadia Romero", "917 555 0163", "Saturday mornings", "yes"):
        say(stack, sender, text)
    [handoff] = [h for h in store_of(stack).list(limit=500) if h.sender_id == stored_id(sender)]
    page = phone.new_page()
    sign_in(page, stack.staff_url, staff, PASSWORD)
    page.goto(f"{stack.staff_url}/handoffs?q=Nadia")
    row = page.locator(f'tr:has(a[href="/handoffs/{handoff.id}"])')
    expect(row).to_contain_text("Booking: arrange a consultation")
    assert no_horizontal_scroll(page)
    for cell in row.locator("td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.goto(f"{stack.staff_url}/handoffs/{handoff.id}")
    assert no_horizontal_scroll(page)
    tops = {
        name: page.locator(f"#{name}-title").bounding_box()["y"]
        for name in ("latest", "talk", "actions", "conversation", "notes")
    }
    assert tops["latest"] < tops["talk"] < tops["actions"] < tops["conversation"] < tops["notes"], tops
    expect(page.locator(".latest__text").last).to_have_text("yes")


def test_new_work_appears_in_the_open_queue_without_a_reload(stack, staff, page, problems):
    sign_in(page, stack.staff_url, staff, PASSWORD)
    page.goto(f"{stack.staff_url}/handoffs?kind=question")
    expect(page.locator("[data-live-status]")).to_have_text("Updates automatically.")
    page.evaluate("window.__same_page = true")
    name = f"Live {uuid.uuid4().hex[:6]}"
    store_of(stack).add(
        HandoffRequest(kind="question", sender_id=f"e2e-live-{uuid.uuid4().hex}", channel="rest", name=name)
    )
    expect(page.get_by_role("link", name=name)).to_be_visible()
    assert page.evaluate("window.__same_page === true")  # swapped in, not reloaded
    expect(page.locator("[data-live-status]")).to_contain_text("Updated")
    assert problems == []
