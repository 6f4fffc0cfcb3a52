"""The website widget in a real Chromium, against the running Rasa server and its trained model."""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, Iterator, List
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Locator, Page, Route, expect

from bot.settings import PROJECT_ROOT, get_settings
from tests.e2e.browser import contrast_ratio, text_contrast

pytestmark = pytest.mark.e2e

# Rasa answers in well under a second once warm; the margin is for a busy 2-core CI box.
expect.set_options(timeout=30_000)

CLINIC = get_settings().clinic
LAUNCHER = f"Chat with {CLINIC.name}"
FAQ = "how long does the numbing take?"
FAQ_ANSWER = "45-60 minutes"
UNREACHABLE = "Sorry, I can't reach the assistant right now."
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
SCREENSHOT = PROJECT_ROOT / "results" / "browser" / "widget-phone.png"
DOCS_SCREENSHOT = PROJECT_ROOT / "docs" / "widget-phone.png"
PHONE = {"width": 360, "height": 740}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DEFAULT_PRIMARY = "rgb(14, 100, 112)"  # --ccw-primary in widget.css


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def widget_config(rasa: str) -> dict:
    return requests.get(f"{rasa}/webhooks/widget/config.json", timeout=10).json()


def demo(rasa: str) -> str:
    return f"{rasa}/webhooks/widget/demo"


WEBHOOK = "**/webhooks/widget/webhook"


def is_message_call(response_or_request) -> bool:
    return response_or_request.url.endswith("/webhooks/widget/webhook")


def user_texts(page: Page) -> Locator:
    return page.locator(".ccw-msg--user .ccw-text")


def bot_texts(page: Page) -> Locator:
    return page.locator(".ccw-msg--bot .ccw-text")


def open_widget(page: Page, url: str, launcher: str = LAUNCHER) -> Locator:
    """Load `url`, open the chat and wait for the greeting; the dialog."""
    page.goto(url)
    page.get_by_role("button", name=launcher).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(bot_texts(page).first).to_be_visible()
    return dialog


def wait_for_reply(page: Page) -> None:
    expect(page.locator(".ccw-typing")).to_have_count(0)


def send(page: Page, text: str) -> None:
    """Type `text`, press Enter, and wait until the bot's answer is on screen."""
    box = page.get_by_label("Message")
    box.fill(text)
    with page.expect_response(is_message_call):
        box.press("Enter")
    wait_for_reply(page)


def stored_conversation(page: Page) -> dict:
    return page.evaluate("JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('ccw:'))))")


def stored_raw(page: Page) -> str:
    """Everything the widget keeps in the browser's storage, as text."""
    return page.evaluate("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")


def store_before_load(page: Page, rasa: str, state: dict) -> None:
    """What an earlier visit (or an older widget) left in localStorage for this bot."""
    page.add_init_script(f"localStorage.setItem({json.dumps('ccw:' + rasa)}, {json.dumps(json.dumps(state))});")


def press_until_focused(page: Page, key: str, target: Locator, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{key} never reached {target}")


@contextlib.contextmanager
def page_server(html: str) -> Iterator[str]:
    """Serve `html` from another origin (127.0.0.1 on a free port), like a clinic's own website."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def clinic_page(tag: str, head: str = "") -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A clinic</title>{head}</head>'
        f"<body><h1>A clinic website</h1>{tag}</body></html>"
    )


def with_phone(phone: str) -> Callable[[Route], None]:
    """A route handler that puts `phone` into the real config.json (instead of the profile's)."""

    def handle(route: Route) -> None:
        response = route.fetch()
        config = response.json()
        config["clinic"]["phone"] = phone
        route.fulfill(response=response, json=config)

    return handle


# ---------------------------------------------------------------- conversation


def test_the_demo_page_opens_with_greeting_notice_and_suggestions(page, rasa, widget_config):
    problems: List[str] = []  # CSP violations are reported as console errors
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    dialog = open_widget(page, demo(rasa))
    expect(page.get_by_role("button", name=LAUNCHER)).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Message")).to_be_focused()
    expect(bot_texts(page)).to_have_text([widget_config["greeting"]["text"]])
    expect(dialog.locator(".ccw-notice")).to_have_text(widget_config["notice"])
    expect(dialog.locator(".ccw-notice")).to_contain_text("not for emergencies")
    titles = [button["title"] for button in widget_config["greeting"]["buttons"]]
    expect(dialog.get_by_role("group", name="Suggested replies").get_by_role("button")).to_have_text(titles)
    send(page, FAQ)  # the REST call works under the demo page's Content-Security-Policy too
    assert problems == []


def test_an_faq_gets_the_articles_answer(page, rasa):
    open_widget(page, demo(rasa))
    send(page, FAQ)
    expect(user_texts(page)).to_have_text([FAQ])
    expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)


def test_a_quick_reply_sends_its_payload_and_shows_its_title(page, rasa, widget_config):
    dialog = open_widget(page, demo(rasa))
    first = widget_config["greeting"]["buttons"][0]
    with page.expect_request(is_message_call) as sent:
        dialog.get_by_role("button", name=first["title"]).click()
    assert sent.value.post_data_json["message"] == first["payload"]
    wait_for_reply(page)
    expect(user_texts(page)).to_have_text([first["title"]])
    expect(bot_texts(page)).to_have_count(2)
    expect(dialog).not_to_contain_text(first["payload"])
    for button in widget_config["greeting"]["buttons"]:  # the greeting's suggestions are gone
        expect(dialog.get_by_role("button", name=button["title"], exact=True)).to_have_count(0)
    expect(page.get_by_label("Message")).to_be_focused()


def test_history_survives_a_reload_until_a_new_conversation(page, rasa, widget_config):
    open_widget(page, demo(rasa))
    send(page, FAQ)
    token = stored_conversation(page)["token"]

    with page.expect_response("**/webhooks/widget/history") as restored:
        page.reload()
    assert restored.value.request.post_data_json == {"sender": token}
    page.get_by_role("button", name=LAUNCHER).click()
    expect(user_texts(page)).to_have_text([FAQ])  # read back from the server with the token
    expect(bot_texts(page).first).to_have_text(widget_config["greeting"]["text"])
    expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)
    send(page, "thanks")  # the same conversation goes on
    assert stored_conversation(page)["token"] == token

    page.get_by_role("button", name="New conversation").click()
    expect(user_texts(page)).to_have_count(0)
    expect(bot_texts(page)).to_have_text([widget_config["greeting"]["text"]])
    titles = [button["title"] for button in widget_config["greeting"]["buttons"]]
    expect(page.locator(".ccw-quick")).to_have_text(titles)
    assert stored_conversation(page)["token"] is None  # forgotten: the next message gets a new conversation
    expect(page.get_by_label("Message")).to_be_focused()
    send(page, FAQ)
    assert stored_conversation(page)["token"] not in (None, token)


def test_a_conversation_idle_for_a_day_starts_fresh(page, rasa, widget_config):
    open_widget(page, demo(rasa))
    send(page, FAQ)
    page.evaluate(
        """() => {
          const key = Object.keys(localStorage).find(k => k.startsWith('ccw:'));
          const state = JSON.parse(localStorage.getItem(key));
          state.updated -= 25 * 60 * 60 * 1000;
          localStorage.setItem(key, JSON.stringify(state));
        }"""
    )
    page.reload()
    page.get_by_role("button", name=LAUNCHER).click()
    expect(bot_texts(page)).to_have_text([widget_config["greeting"]["text"]])
    expect(user_texts(page)).to_have_count(0)


def test_the_browser_keeps_the_conversations_token_and_nothing_the_patient_said(page, rasa):
    open_widget(page, demo(rasa))
    for text in ("I'd like to book a consultation", "Nadia Zabriskie", "nadia.z@example.com"):
        send(page, text)
    expect(bot_texts(page).last).to_contain_text("time")
    assert set(stored_conversation(page)) == {"token", "updated"}
    kept = stored_raw(page)
    for detail in ("Nadia", "Zabriskie", "nadia.z", "consultation", FAQ_ANSWER):
        assert detail not in kept


def test_an_older_widgets_own_id_and_stored_transcript_start_afresh_without_an_error(page, rasa, widget_config):
    old = {"sender": str(uuid.uuid4()), "updated": int(time.time() * 1000), "messages": [
        {"from": "user", "text": "I'm Priya Shah, 646-555-0123"}, {"from": "bot", "text": "Here's your request: Priya Shah"},
    ]}  # fmt: skip
    store_before_load(page, rasa, old)
    problems: List[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    open_widget(page, demo(rasa))
    expect(bot_texts(page)).to_have_text([widget_config["greeting"]["text"]])
    expect(page.locator(".ccw-root")).not_to_contain_text("Priya")
    assert "Priya" not in stored_raw(page)  # the old transcript is gone from the browser too
    send(page, FAQ)
    expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)
    assert stored_conversation(page)["token"] and "sender" not in stored_conversation(page)
    assert problems == [] and page.locator(".ccw-error").count() == 0


def test_a_token_the_server_did_not_sign_is_replaced(page, rasa):
    forged = "A" * 24 + "." + "B" * 43
    store_before_load(page, rasa, {"token": forged, "updated": int(time.time() * 1000)})
    open_widget(page, demo(rasa))
    expect(user_texts(page)).to_have_count(0)
    send(page, FAQ)
    expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)
    assert stored_conversation(page)["token"] not in (None, forged)
    assert page.locator(".ccw-error").count() == 0


def test_without_local_storage_the_widget_works_in_memory(page, rasa):
    page.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('denied', 'SecurityError'); }});"
    )
    open_widget(page, demo(rasa))
    send(page, FAQ)
    expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)


# ---------------------------------------------------------------- safe rendering


def test_the_patients_html_is_shown_as_text_and_never_runs(page, rasa):
    open_widget(page, demo(rasa))
    send(page, XSS)
    expect(user_texts(page)).to_have_text([XSS])
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".ccw-root script, .ccw-root img").count() == 0


def test_bot_text_is_text_and_only_http_urls_become_links(page, rasa):
    dialogs: List[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    reply = [
        {
            "text": "<b>html</b> javascript:alert(document.domain) see https://example.org/aftercare.\nNext line",
            "buttons": [{"title": "<i>Book</i>", "payload": "/request_booking"}],
            "image": "javascript:alert(2)",
            "custom": {"html": '<img src=x onerror="window.__pwned=1">'},
        }
    ]
    page.route(WEBHOOK, lambda route: route.fulfill(json=reply))
    open_widget(page, demo(rasa))
    send(page, "hello")
    answer = page.locator(".ccw-msg--bot").last
    expect(answer.locator(".ccw-text")).to_contain_text("<b>html</b> javascript:alert(document.domain) see ")
    assert "\nNext line" in answer.locator(".ccw-text").text_content()
    assert answer.locator("b, i, img").count() == 0
    links = answer.get_by_role("link")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://example.org/aftercare")
    expect(links).to_have_attribute("target", "_blank")
    expect(links).to_have_attribute("rel", "noopener noreferrer")
    expect(answer.get_by_role("button", name="<i>Book</i>")).to_be_visible()
    assert page.locator('.ccw-root a[href^="javascript"]').count() == 0
    assert page.evaluate("window.__pwned") is None and dialogs == []


# ---------------------------------------------------------------- waiting and errors


def test_while_waiting_it_shows_typing_and_sends_nothing_twice(page, rasa):
    pending: List[Route] = []
    page.route(WEBHOOK, lambda route: pending.append(route))  # answered below
    page.emulate_media(reduced_motion="reduce")
    open_widget(page, demo(rasa))
    box = page.get_by_label("Message")
    box.fill(FAQ)
    box.press("Enter")
    typing = page.locator(".ccw-typing")
    expect(typing).to_have_text("Assistant is typing")
    expect(typing.locator("[aria-hidden=true]")).to_have_count(1)
    assert typing.locator(".ccw-dots span").first.evaluate("e => getComputedStyle(e).animationName") == "none"
    expect(page.get_by_role("button", name="Send")).to_have_attribute("aria-disabled", "true")

    box.fill("a second message")
    box.press("Enter")
    page.get_by_role("button", name="Send").click(force=True)  # force: Playwright waits while aria-disabled
    expect(box).to_have_value("a second message")  # kept, not sent
    expect(user_texts(page)).to_have_text([FAQ])
    assert len(pending) == 1

    pending[0].fulfill(json=[{"text": "Here it is."}])
    wait_for_reply(page)
    expect(bot_texts(page).last).to_have_text("Here it is.")
    expect(page.get_by_role("button", name="Send")).to_have_attribute("aria-disabled", "false")


def test_an_unreachable_bot_offers_retry_and_the_clinics_phone(page, rasa):
    page.route("**/webhooks/widget/config.json", with_phone("(555) 010-0142"))
    page.route(WEBHOOK, lambda route: route.abort())
    open_widget(page, demo(rasa))
    box = page.get_by_label("Message")
    box.fill(FAQ)
    box.press("Enter")
    error = page.locator(".ccw-error")
    expect(error).to_contain_text(UNREACHABLE)
    expect(error).to_contain_text("Worried about a symptom after a treatment? Call (555) 010-0142. Emergency: 911.")
    expect(error.get_by_role("link", name="(555) 010-0142")).to_have_attribute("href", "tel:5550100142")

    page.unroute(WEBHOOK)
    with page.expect_response(is_message_call) as answered:
        error.get_by_role("button", name="Retry").click()
    assert answered.value.request.post_data_json["message"] == FAQ
    wait_for_reply(page)
    expect(error).to_have_count(0)
    expect(user_texts(page)).to_have_text([FAQ])  # the retry did not repeat the message
    expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)


def test_an_error_carries_the_safety_line_with_the_profiles_number_and_the_demo_label(page, rasa, widget_config):
    phone = widget_config["clinic"]["phone"]
    assert phone and widget_config["clinic"]["demo"], "make run's profile is the demo profile, with a number"
    page.route(WEBHOOK, lambda route: route.fulfill(status=500, json={"error": "boom"}))
    open_widget(page, demo(rasa))
    expect(page.locator(".ccw-demo")).to_be_visible()
    expect(page.locator(".ccw-demo")).to_contain_text("Demo")
    box = page.get_by_label("Message")
    box.fill(FAQ)
    box.press("Enter")
    error = page.locator(".ccw-error")
    expect(error).to_contain_text(UNREACHABLE)
    expect(error).to_contain_text(f"Worried about a symptom after a treatment? Call {phone}. Emergency: 911.")
    expect(error.get_by_role("link", name=phone)).to_be_visible()
    expect(error).not_to_contain_text("directly")


def test_without_its_config_the_widget_still_greets(page, rasa):
    page.route("**/webhooks/widget/config.json", lambda route: route.fulfill(status=503, json={"error": "not ready"}))
    open_widget(page, demo(rasa), launcher=LAUNCHER)  # the clinic's name was served in widget.js
    expect(bot_texts(page)).to_have_count(1)
    expect(bot_texts(page)).to_contain_text("automated assistant")
    expect(bot_texts(page)).to_contain_text(f"Call {CLINIC.phone}. Emergency: 911.")  # the safety line, from widget.js
    expect(page.locator(".ccw-notice")).to_contain_text("not for emergencies")
    send(page, FAQ)
    expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)


# ---------------------------------------------------------------- accessibility


def test_keyboard_only(page, rasa):
    page.goto(demo(rasa))
    launcher = page.get_by_role("button", name=LAUNCHER)
    press_until_focused(page, "Tab", launcher)
    page.keyboard.press("Enter")
    box = page.get_by_label("Message")
    expect(box).to_be_focused()
    expect(bot_texts(page)).to_have_count(1)

    page.keyboard.type(FAQ)
    with page.expect_response(is_message_call):
        page.keyboard.press("Enter")
    wait_for_reply(page)
    expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)

    quick = page.locator(".ccw-quick").last  # the answer's suggestions sit right above the input
    press_until_focused(page, "Shift+Tab", quick)
    style = quick.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
    )
    assert style[0] != "none" and style[1] >= 2
    assert contrast_ratio(style[2], "rgb(255, 255, 255)") >= 3
    title = quick.text_content()
    with page.expect_response(is_message_call):
        page.keyboard.press("Space")
    wait_for_reply(page)
    expect(user_texts(page).last).to_have_text(title)
    expect(box).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_roles_labels_and_live_region(page, rasa):
    dialog = open_widget(page, demo(rasa))
    expect(page.get_by_role("dialog", name=LAUNCHER)).to_be_visible()
    launcher = page.get_by_role("button", name=LAUNCHER)
    expect(page.locator(f"#{launcher.get_attribute('aria-controls')}")).to_have_attribute("role", "dialog")
    log = dialog.get_by_role("log", name="Conversation")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(dialog.get_by_role("textbox", name="Message")).to_have_attribute("maxlength", "1000")
    for name in ("Send", "New conversation", "Close chat"):
        expect(dialog.get_by_role("button", name=name, exact=True)).to_be_visible()
    for button in page.locator(".ccw-root button").all():
        expect(button).to_have_accessible_name(re.compile(r"\w"))
    send(page, FAQ)
    expect(log.locator(".ccw-msg--bot").last).to_contain_text(FAQ_ANSWER)  # announced: it is inside the log
    dialog.get_by_role("button", name="Close chat").click()
    expect(launcher).to_be_focused()


def _assert_contrast(page: Page, selectors: Dict[str, str]) -> None:
    ratios = {name: text_contrast(page.locator(selector).first) for name, selector in selectors.items()}
    print({name: round(ratio, 2) for name, ratio in ratios.items()})
    assert {name: ratio for name, ratio in ratios.items() if ratio < 4.5} == {}


def test_text_contrast_is_at_least_4_5_to_1(page, rasa):
    open_widget(page, demo(rasa))
    page.route(WEBHOOK, lambda route: route.fulfill(json=[{"text": "More at https://example.org/x"}]))
    send(page, "a link please")
    page.unroute(WEBHOOK)
    send(page, FAQ)
    _assert_contrast(
        page,
        {
            "launcher": ".ccw-launcher",
            "title": ".ccw-title",
            "new conversation": ".ccw-new",
            "close": ".ccw-close",
            "notice": ".ccw-notice",
            "bot message": ".ccw-msg--bot .ccw-text",
            "user message": ".ccw-msg--user .ccw-text",
            "link": ".ccw-msg--bot .ccw-link",
            "quick reply": ".ccw-quick",
            "input": ".ccw-input",
            "send": ".ccw-send",
        },
    )
    page.route(WEBHOOK, lambda route: route.fulfill(status=500, json={}))
    page.get_by_label("Message").fill("and now an error")
    page.get_by_label("Message").press("Enter")
    expect(page.locator(".ccw-error")).to_be_visible()
    _assert_contrast(
        page,
        {
            "error": ".ccw-error-title",
            "error help": ".ccw-error-help",
            "retry": ".ccw-retry",
            "demo label": ".ccw-demo",
        },
    )


# ---------------------------------------------------------------- embedding


def test_one_tag_on_another_origin_is_enough(page, rasa):
    with page_server(clinic_page(f'<script src="{rasa}/webhooks/widget/widget.js" defer></script>')) as site:
        assert urlsplit(site).netloc != urlsplit(rasa).netloc
        open_widget(page, site)
        with page.expect_request(is_message_call) as sent:
            send(page, FAQ)
        assert sent.value.url == f"{rasa}/webhooks/widget/webhook"
        expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)


def test_the_tags_settings_override_the_servers(page, rasa):
    warnings: List[str] = []
    page.on("console", lambda message: message.type == "warning" and warnings.append(message.text))
    tag = (
        f'<script src="{rasa}/webhooks/widget/widget.js" data-clinic-name="Demo Skin" '
        'data-clinic-phone="(555) 010-0199" data-title="Ask Demo Skin" data-primary-color="#ffff00" defer></script>'
    )
    with page_server(clinic_page(tag)) as site:
        page.route(WEBHOOK, lambda route: route.abort())
        dialog = open_widget(page, site, launcher="Chat with Demo Skin")
        expect(dialog.locator(".ccw-title")).to_have_text("Ask Demo Skin")
        launcher = page.get_by_role("button", name="Chat with Demo Skin")
        assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == DEFAULT_PRIMARY
        assert any("contrast" in warning for warning in warnings)
        page.get_by_label("Message").fill(FAQ)
        page.get_by_label("Message").press("Enter")
        expect(page.locator(".ccw-error").get_by_role("link", name="(555) 010-0199")).to_be_visible()


def test_a_page_config_object_sets_an_accessible_colour(page, rasa):
    head = '<script>window.ClinicChatWidget = {primaryColor: "#7a1f5c", title: "Skin questions"};</script>'
    with page_server(clinic_page(f'<script src="{rasa}/webhooks/widget/widget.js" defer></script>', head)) as site:
        dialog = open_widget(page, site)
        expect(dialog.locator(".ccw-title")).to_have_text("Skin questions")
        launcher = page.get_by_role("button", name=LAUNCHER)
        assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(122, 31, 92)"


def test_no_request_leaves_this_machine(context, rasa):
    hosts: List[str] = []
    context.on("request", lambda request: hosts.append(urlsplit(request.url).hostname))
    page = context.new_page()
    open_widget(page, demo(rasa))
    send(page, FAQ)
    with page.expect_response(is_message_call):
        page.locator(".ccw-quick").first.click()
    wait_for_reply(page)
    page.reload()
    page.get_by_role("button", name=LAUNCHER).click()
    expect(user_texts(page)).to_have_count(2)
    assert hosts and set(hosts) <= LOCAL_HOSTS, sorted(set(hosts))


# ---------------------------------------------------------------- phone layout


def test_a_phone_screen_has_no_horizontal_scroll(browser, rasa):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = context.new_page()
        dialog = open_widget(page, demo(rasa))
        send(page, FAQ)
        expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for element in (dialog, page.get_by_label("Message"), page.get_by_role("button", name="Send")):
            box = element.bounding_box()
            assert box["x"] >= 0 and box["y"] >= 0, element
            assert box["x"] + box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"], element
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
            DOCS_SCREENSHOT.write_bytes(SCREENSHOT.read_bytes())

        send(page, "x" * 400)  # one long unbroken word wraps instead of widening the page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        log = page.get_by_role("log")
        assert log.evaluate("e => e.scrollWidth <= e.clientWidth")
    finally:
        context.close()
