"""The staff console in a real Chromium, against the running stack: handoffs made by real
patient conversations (website and SMS), worked by a signed-in staff member."""

from __future__ import annotations

import itertools
import random
import uuid
from typing import Iterator, List, Optional

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from bot.db.engine import get_engine, session_factory
from bot.handoffs.request import HandoffRequest
from bot.handoffs.store import HandoffStore
from bot.launcher.supervision import Stack
from bot.settings import PROJECT_ROOT
from bot.staff.accounts import Accounts
from tests import twilio_client
from tests.e2e.browser import save_screenshot as store_screenshot
from tests.e2e.browser import text_contrast
from tests.e2e.conftest import TWILIO_TEST_TOKEN
from tests.senders import stored_id

pytestmark = pytest.mark.e2e

# Rasa answers in well under a second once warm; the margin is for a busy 2-core CI box.
expect.set_options(timeout=30_000)

PASSWORD = "a long staff password 4 tests"
DESKTOP = {"width": 1280, "height": 800}
XSS = "<img src=x onerror=alert(1)>"
XSS_MESSAGE = f'hello {XSS} <script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
SCREENSHOTS = {
    "queue": PROJECT_ROOT / "results" / "browser" / "staff-queue.png",
    "handoff": PROJECT_ROOT / "results" / "browser" / "staff-handoff.png",
}
BOOKING = ("I'd like to book a consultation", "Nadia Romero", "917 555 0163", "Saturday mornings")
CONFIRM = "Yes, that's right"  # the read-back's button, clicked rather than typed
SCREENING = (
    "Am I a good candidate for microneedling?",
    "no",
    "no",
    "I take accutane, no keloids",
    "yes",
    "Maria Gonzalez",
    "maria.g@example.com",
    "weekday evenings",
    "yes",
)
RED_FLAG = (
    "There's yellow pus coming out of some spots on my cheek after my treatment",
    "can i just talk to a real person",
    "sure, 347 555 0190",
)
SMS_BOOKING = ("I'd like to book a consultation", "Priya Shah", "weekday mornings", "yes")
_phones: Iterator[int] = itertools.count(random.Random().randrange(1000, 9000))


# ---------------------------------------------------------------- fixtures and helpers


def say(stack: Stack, sender: str, text: str) -> List[dict]:
    """One patient message over the website's REST channel; the bot's answers."""
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    assert response.status_code == 200, response.text
    return response.json()


def text_sms(stack: Stack, phone: str, body: str) -> None:
    params = twilio_client.sms_params(phone, body)
    status, twiml = twilio_client.post(stack.sms_webhook_url, params, TWILIO_TEST_TOKEN)
    assert status == 200, twiml


def handoffs_of(stack: Stack, sender: str, kind: Optional[str] = None) -> List[dict]:
    response = requests.get(
        f"{stack.staff_url}/api/handoffs?limit=500",
        headers={"Authorization": f"Bearer {stack.staff_token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [
        handoff
        for handoff in response.json()
        if handoff["sender_id"] == stored_id(sender) and kind in (None, handoff["kind"])
    ]


def store_of(stack: Stack) -> HandoffStore:
    return HandoffStore(session_factory(get_engine(stack.settings.database_url)))


@pytest.fixture(scope="module")
def staff(stack: Stack) -> str:
    """A staff account made as `python -m bot.staff add-user` makes it; its e-mail (the stack's
    database is new for each test session, so a fixed address is free)."""
    email = "nurse@clinic.example"
    Accounts(session_factory(get_engine(stack.settings.database_url))).add(email, PASSWORD)
    return email


@pytest.fixture(scope="module")
def patients(stack: Stack) -> dict:
    """Handoffs made by real conversations, oldest first: an SMS booking, a website question
    after a red flag, a screening that ended in a request, and a website booking confirmed
    with a button. Their sender ids, by name."""
    senders = {"sms": f"+1646555{next(_phones) % 10000:04d}"}
    for body in SMS_BOOKING:
        text_sms(stack, senders["sms"], body)
    for name, messages in (("red_flag", RED_FLAG), ("screening", SCREENING), ("booking", BOOKING)):
        senders[name] = f"e2e-staff-{uuid.uuid4().hex}"
        for text in messages:
            answers = say(stack, senders[name], text)
    # `answers` is now the booking's read-back; confirm it with its button, as a patient taps it.
    [payload] = [
        button["payload"] for answer in answers for button in answer.get("buttons", []) if button["title"] == CONFIRM
    ]
    assert "Nadia" in " ".join(answer.get("text", "") for answer in say(stack, senders["booking"], payload))
    for name, sender in senders.items():
        kinds = sorted(handoff["kind"] for handoff in handoffs_of(stack, sender))
        # The red flag is a handoff of its own; asking for a person after it is another.
        if name == "red_flag":
            assert kinds == ["question", "red_flag"], kinds
        else:
            assert len(kinds) == 1, f"the {name} conversation made {len(kinds)} handoffs"
    return senders


@pytest.fixture
def problems(page: Page) -> List[str]:
    """Script errors, CSP violations (reported as console errors) and dialogs: none may happen."""
    found: List[str] = []
    page.on("console", lambda message: message.type == "error" and found.append(message.text))
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on("dialog", lambda dialog: (found.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    return found


def row_of(page: Page, stack: Stack, sender: str, kind: Optional[str] = None) -> Locator:
    """This conversation's handoff in the queue of its kind (other tests' patients may share
    its name, and their open red flags, listed first, can fill the unfiltered first page)."""
    [handoff] = handoffs_of(stack, sender, kind)
    page.goto(f"{stack.staff_url}/handoffs?kind={handoff['kind']}")
    return page.locator(f'tr:has(a[href="/handoffs/{handoff["id"]}"])')


def sign_in_with_keyboard(page: Page, staff_url: str, email: str) -> None:
    """Sign in as a keyboard user would: the e-mail field has focus, Tab, Enter."""
    page.goto(f"{staff_url}/login")
    expect(page.get_by_label("E-mail")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{staff_url}/handoffs")


def save_screenshot(page: Page, name: str, full_page: bool = False) -> None:
    """Save to results/browser/, and to docs/ when UPDATE_DOCS_SCREENSHOTS=1."""
    store_screenshot(page, SCREENSHOTS[name], full_page)


# ---------------------------------------------------------------- the tests


def test_staff_work_a_new_booking_from_queue_to_contacted(stack, staff, patients, page, problems):
    sign_in_with_keyboard(page, stack.staff_url, staff)
    flagged = row_of(page, stack, patients["red_flag"], "question")
    expect(flagged).to_contain_text("Red flag")
    expect(flagged).to_contain_text("Question")
    expect(row_of(page, stack, patients["red_flag"], "red_flag")).to_contain_text("Red flag")
    by_sms = row_of(page, stack, patients["sms"])
    expect(by_sms).to_contain_text("Priya Shah")
    expect(by_sms).to_contain_text("SMS")
    row = row_of(page, stack, patients["booking"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Nadia Romero")
    expect(row).to_contain_text("Booking")
    expect(row).to_contain_text("New")
    expect(row).to_contain_text("Website")
    expect(row).not_to_contain_text("Red flag")
    expect(page.locator(".count-new")).to_contain_text("new")
    save_screenshot(page, "queue")

    row.get_by_role("link", name="Nadia Romero").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking: Nadia Romero")
    conversation = page.locator(".conversation")
    for text in BOOKING:
        expect(conversation.locator(".turn--patient .turn__text", has_text=text).first).to_be_visible()
    expect(conversation.locator(".turn--patient .turn__text").last).to_have_text(f"{CONFIRM} (chose option)")
    expect(conversation.locator(".turn--bot .turn__text").last).to_contain_text("Thank you, Nadia Romero")
    expect(conversation.locator(".turn--bot").first).to_be_visible()
    assert conversation.locator(".turn--bot").count() >= len(BOOKING)
    expect(page.locator(".details")).to_contain_text("917")

    page.get_by_label("Add a note").fill("Called back, booked Saturday 10:00.\nBring a list of skin products.")
    page.get_by_role("button", name="Add note").click()
    expect(page).to_have_url(f"{stack.staff_url}/handoffs/{handoffs_of(stack, patients['booking'])[0]['id']}")
    page.get_by_role("button", name="Mark contacted").click()
    expect(page.locator(".page-head .status")).to_have_text("Contacted")
    expect(page.locator(".note__text")).to_have_text(
        "Called back, booked Saturday 10:00.\nBring a list of skin products."
    )
    expect(page.locator(".trail")).to_contain_text("Changed the status from New to Contacted")
    expect(page.locator(".trail")).to_contain_text("Added a note")
    assert handoffs_of(stack, patients["booking"])[0]["status"] == "contacted"
    save_screenshot(page, "handoff", full_page=True)  # the whole conversation, 1280 wide

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(f"{stack.staff_url}/handoffs")
    expect(page).to_have_url(f"{stack.staff_url}/login?next=%2Fhandoffs")
    assert problems == []


def test_the_pages_have_readable_contrast_and_visible_focus(stack, staff, patients, page):
    sign_in_with_keyboard(page, stack.staff_url, staff)
    for selector in (".red-flag", ".status--new", ".queue th", ".brand__sub", ".count-new", "td a"):
        element = page.locator(selector).first
        assert text_contrast(element) >= 4.5, selector
    row_of(page, stack, patients["red_flag"], "red_flag").get_by_role("link").click()
    expect(page.locator(".turn--flagged")).to_have_count(1)
    for selector in (".turn--patient .turn__text", ".turn--bot .turn__text", ".muted", ".button", ".trail"):
        assert text_contrast(page.locator(selector).first) >= 4.5, selector
    button = page.get_by_role("button", name="Mark contacted")
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    expect(button).to_be_focused()
    assert button.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"


def test_a_screening_shows_its_answers_and_outcome_in_plain_words(stack, staff, patients, page):
    sign_in_with_keyboard(page, stack.staff_url, staff)
    row_of(page, stack, patients["screening"]).get_by_role("link", name="Maria Gonzalez").click()
    details = page.locator(".details").nth(1)
    expect(details).to_contain_text("Pregnant or nursing")
    expect(details).to_contain_text("Taking isotretinoin (Accutane)")
    expect(details).to_contain_text("A provider needs to review this before treatment")
    expect(page.locator(".turn--bot .turn__buttons").first).to_be_visible()


def test_a_patient_name_and_message_with_html_show_as_text_and_run_nothing(stack, staff, page, problems):
    sender = f"e2e-staff-xss-{uuid.uuid4().hex}"
    say(stack, sender, XSS_MESSAGE)
    handoff, _ = store_of(stack).add(
        HandoffRequest(kind="question", sender_id=stored_id(sender), channel="rest", name=XSS)
    )
    sign_in_with_keyboard(page, stack.staff_url, staff)
    page.goto(f"{stack.staff_url}/handoffs?kind=question")  # other tests' red flags come first
    link = page.get_by_role("link", name=XSS, exact=True)
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Question: {XSS}")
    expect(page.locator(".turn--patient .turn__text").first).to_have_text(XSS_MESSAGE)
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert problems == []


def test_a_page_without_signing_in_redirects_to_the_login_page(stack, page):
    page.goto(f"{stack.staff_url}/handoffs/1")
    expect(page).to_have_url(f"{stack.staff_url}/login?next=%2Fhandoffs%2F1")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()


def test_a_form_post_without_the_csrf_token_is_refused(stack, staff, patients, context, page):
    sign_in_with_keyboard(page, stack.staff_url, staff)
    [handoff] = handoffs_of(stack, patients["sms"])
    before = handoff["status"]
    url = f"{stack.staff_url}/handoffs/{handoff['id']}"
    refused = context.request.post(f"{url}/status", form={"status": "closed"}, max_redirects=0)
    assert refused.status == 403
    refused = context.request.post(f"{url}/notes", form={"note": "forged", "csrf_token": "x" * 43}, max_redirects=0)
    assert refused.status == 403
    assert handoffs_of(stack, patients["sms"])[0]["status"] == before
    notes = requests.get(
        f"{stack.staff_url}/api/handoffs/{handoff['id']}", headers={"Authorization": f"Bearer {stack.staff_token}"},
        timeout=10,
    ).json()["notes"]  # fmt: skip
    assert notes == []
