"""Insights in a real Chromium against the running stack: a seeded day of conversations whose
outcomes the test knows, the figures staff read on the page, and the CSV that must say the same.

The week is a year back (from 2025-06-02), so the conversations the other end-to-end tests have
today never mix in. Conversations go into the stack's tracker store as Rasa's own
SQLTrackerStore writes them; handoffs, staff actions and ratings into our database with
the times of that day. The screenshot is docs/staff-insights.png (UPDATE_DOCS_SCREENSHOTS=1).

Folded in, because it is cheap with the stack running: a patient on the widget's demo page
rates an answer "not helpful" with a comment, by keyboard, and it is stored against that answer.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Dict, List

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.db.engine import get_engine, session_factory
from bot.db.models import AnswerFeedback, AuditEntry, Handoff, HandoffNote
from bot.insights.feedback import FeedbackStore
from bot.launcher.supervision import Stack
from bot.settings import PROJECT_ROOT
from bot.staff.accounts import Accounts
from tests.clock import Clock
from tests.e2e.browser import save_screenshot, sign_in
from tests.e2e.test_widget_browser import FAQ, demo, open_widget, send
from tests.tracker_data import T0, rasa_trackers, said

pytestmark = pytest.mark.e2e

PASSWORD = "a long staff password 4 insights"
FIRST_DAY, LAST_DAY = "2025-06-02", "2025-06-08"
DAY_MINUTES = 24 * 60
NOON = datetime(2025, 6, 2, 16, 0, tzinfo=timezone.utc)  # within 2 June on any US clinic's clocks
SCREENSHOT = PROJECT_ROOT / "results" / "browser" / "staff-insights.png"
RUN = f"{random.randrange(10**6):06d}"  # fresh senders on every run
# sender -> (messages: (minute, text, intent), outcome, handoff kinds)
SEEDED = {
    f"widget:a{RUN}": ([(0, "does it hurt?", "faq_pain"), (1, "thanks", "thank")], "contained", ""),
    f"widget:b{RUN}": ([(DAY_MINUTES + 5, "blorp blorp", "nlu_fallback")], "unresolved_fallback", ""),
    f"widget:c{RUN}": ([(DAY_MINUTES + 10, "my lips are swelling", "red_flag_urgent")], "handoff", "red_flag"),
    f"sms:+1555017{RUN[:4]}": (
        [(2 * DAY_MINUTES + 20, "book me in", "request_booking"), (2 * DAY_MINUTES + 21, "Ana", "inform")],
        "handoff",
        "booking",
    ),
    f"widget:d{RUN}": ([(4 * DAY_MINUTES + 30, "a real person please", "request_human")], "asked_for_person", ""),
    f"sms:+1555018{RUN[:4]}": (
        [(5 * DAY_MINUTES + 40, "numbing?", "faq_numbing"), (5 * DAY_MINUTES + 41, "how much is it", "ask_price")],
        "contained",
        "",
    ),
}


def at(minute: float) -> datetime:
    return NOON + timedelta(minutes=minute)


def _sender(prefix: str) -> str:
    return next(sender for sender in SEEDED if sender.startswith(prefix))


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> None:
    """The conversations, two handoffs acted on after 30 and 10 minutes, and two ratings."""
    # On a thread of its own: Rasa's store saves with asyncio.run, and Playwright's loop runs on this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(_save_conversations, stack.settings.tracker_store_url).result()
    sessions = session_factory(get_engine(stack.settings.database_url))
    with sessions() as session:
        red = Handoff(kind="red_flag", sender_id=_sender("widget:c"), channel="widget", red_flags="swelling",
                      question="lips", created_at=at(DAY_MINUTES + 11))  # fmt: skip
        booking = Handoff(
            kind="booking", sender_id=_sender("sms:+1555017"), channel="twilio", created_at=at(2 * DAY_MINUTES + 22)
        )
        session.add_all([red, booking])
        session.flush()
        session.add(
            AuditEntry(
                at=at(DAY_MINUTES + 11 + 30), actor="desk@clinic.example", action="status_change", handoff_id=red.id
            )
        )
        session.add(
            HandoffNote(
                handoff_id=booking.id, author="desk@clinic.example", text="called", created_at=at(2 * DAY_MINUTES + 32)
            )
        )
        session.commit()
    FeedbackStore(sessions, clock=Clock(at(2))).record(_sender("widget:a"), "utter_faq_pain", True)
    FeedbackStore(sessions, clock=Clock(at(5 * DAY_MINUTES + 42))).record(
        _sender("sms:+1555018"), "utter_faq_numbing", False, "how long?"
    )


def _save_conversations(url: str) -> None:
    with rasa_trackers(url) as rasa:
        for sender, (messages, _, _) in SEEDED.items():
            rasa.save(sender, [said(text, intent, minute=_from_t0(minute)) for minute, text, intent in messages])


def _from_t0(minute: float) -> float:
    """The seeded minute as tracker_data.said counts minutes (from its T0)."""
    return (at(minute) - T0).total_seconds() / 60


@pytest.fixture(scope="module")
def staff(stack: Stack) -> str:
    email = f"insights-{uuid.uuid4().hex[:8]}@clinic.example"
    Accounts(session_factory(get_engine(stack.settings.database_url))).add(email, PASSWORD)
    return email


def test_a_patient_rates_an_answer_in_the_widget_by_keyboard(stack, rasa, page: Page):
    dialog = open_widget(page, demo(rasa))
    send(page, FAQ)
    rating = dialog.get_by_role("group", name="Was this helpful?").last
    rating.get_by_role("button", name="No, not helpful").focus()
    page.keyboard.press("Enter")
    dialog.get_by_label("What was missing? (optional)").fill("How long until I can wear make-up?")
    with page.expect_response(
        lambda r: r.url.endswith("/feedback") and "comment" in (r.request.post_data or "")
    ) as posted:
        dialog.get_by_role("button", name="Send comment").press("Enter")
    assert posted.value.status == 200, posted.value.text()
    sessions = session_factory(get_engine(stack.settings.database_url))
    with sessions() as session:
        stored = session.execute(
            select(AnswerFeedback.response, AnswerFeedback.helpful, AnswerFeedback.comment).where(
                AnswerFeedback.channel == "widget", AnswerFeedback.comment == "How long until I can wear make-up?"
            )
        ).all()
    assert [(response.startswith("utter_faq_"), helpful) for response, helpful, _ in stored] == [(True, False)]


def test_staff_read_the_seeded_days_figures_and_the_csv_says_the_same(stack, seeded, staff, page: Page):
    problems: List[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    sign_in(page, stack.staff_url, staff, PASSWORD)
    page.get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", name="How the assistant is doing")).to_be_visible()
    page.get_by_label("From").fill(FIRST_DAY)
    page.get_by_label("to", exact=True).fill(LAST_DAY)
    page.get_by_role("button", name="Show these dates").click()

    figures = {
        "conversations": "6",
        "messages": "9",
        "contained": "2 33%",
        "handoffs": "2 33%",
        "first-action": "20 min",  # 30 (a status change) and 10 (a note)
        "fallback": "11%",  # 1 of 9 messages
        "out-of-scope": "0%",
    }
    for figure, text in figures.items():
        expect(page.locator(f"#figure-{figure}")).to_have_text(text)
    for outcome, count in {"contained": 2, "handoff": 2, "asked_for_person": 1, "unresolved_fallback": 1}.items():
        expect(page.locator(f'#outcomes tr[data-outcome="{outcome}"] td').first).to_have_text(str(count))
    expect(page.locator("#red-flags tbody th")).to_have_text(["swelling"])
    expect(page.locator("#red-flags tbody td")).to_have_text(["1"])
    expect(page.locator("#feedback tbody tr")).to_have_count(2)
    expect(page.locator("svg.chart").first.locator("rect")).to_have_count(7)  # a column per day
    save_screenshot(page, SCREENSHOT)

    csv_url = page.get_by_role("link", name="Download CSV").get_attribute("href")
    response = page.request.get(f"{stack.staff_url}{csv_url}")
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text())))
    by_pseudonym: Dict[str, dict] = {row["conversation"]: row for row in rows}
    assert len(rows) == len(SEEDED) == 6
    for sender, (messages, outcome, kinds) in SEEDED.items():
        row = by_pseudonym[hashlib.sha256(sender.encode()).hexdigest()[:16]]
        assert (row["outcome"], row["handoff_kinds"], int(row["messages"])) == (outcome, kinds, len(messages)), sender
        assert row["channel"] == ("sms" if sender.startswith("sms:") else "website")
    assert Counter(row["outcome"] for row in rows)["contained"] == int(figures["contained"].split()[0])
    assert by_pseudonym[hashlib.sha256(_sender("widget:a").encode()).hexdigest()[:16]]["rated_helpful"] == "1"
    assert problems == []
