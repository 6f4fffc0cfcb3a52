"""WCAG 2.2 AA for the widget and the staff console, in a real Chromium (issue 19; docs/accessibility.md).

axe-core (the pinned copy bundled by axe-playwright-python, injected into the page) checks
what a rule engine can: names, roles, contrast, labels, 2.2's target size. The rest is
checked here by script, each criterion its own test, on every page at a phone's and a
laptop's size: focus not obscured (2.4.11), targets of at least 24x24 CSS px (2.5.8) and
accessible authentication (3.3.8) on the sign-in form.
"""

from __future__ import annotations

import uuid
from typing import Callable, Dict, Iterator, List, Set

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from bot.db.engine import get_engine, session_factory
from bot.handoffs.request import HandoffRequest
from bot.handoffs.store import HandoffStore
from bot.launcher.supervision import Stack
from bot.staff.accounts import Accounts
from tests.e2e.test_widget_browser import FAQ, FAQ_ANSWER, bot_texts, demo, open_widget, send
from tests.senders import stored_id

pytestmark = pytest.mark.e2e

expect.set_options(timeout=30_000)  # a busy 2-core box

EMAIL = "a11y@clinic.example"
PASSWORD = "a long staff password 4 a11y"
VIEWPORTS = {"phone": {"width": 360, "height": 640}, "laptop": {"width": 1280, "height": 800}}
WIDGET_PAGES = ("widget",)
CONSOLE_PAGES = ("login", "queue", "handoff", "unanswered")
# The success criteria of WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe-core tags them.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MIN_TARGET_PX = 24
MAX_TABS = 80

# A short, readable name for an element in a failure message.
_DESCRIBE_JS = """
window.__a11yDescribe = element => {
  if (!element) return 'nothing';
  if (element.nodeType !== 1) return String(element);
  const id = element.id ? '#' + element.id : '';
  const classes = [...element.classList].map(c => '.' + c).join('');
  const name = (element.getAttribute('aria-label') || element.textContent || element.value || '').trim().replace(/\\s+/g, ' ');
  return `<${element.tagName.toLowerCase()}${id}${classes}> "${name.slice(0, 40)}"`;
};
"""

# The focused element, each of its corners (inset) and its centre that is off screen or shows
# another element on top of it (document.elementFromPoint): what hides the focus; and
# whether it draws a focus indicator (an outline of 2 px or more, or a box shadow).
_FOCUSED_JS = """() => {
  const element = document.activeElement;
  if (!element || element === document.body || element === document.documentElement) return null;
  const box = element.getBoundingClientRect();
  const inset = Math.min(4, box.width / 4, box.height / 4);
  const points = [
    [box.left + inset, box.top + inset], [box.right - inset, box.top + inset],
    [box.left + inset, box.bottom - inset], [box.right - inset, box.bottom - inset],
    [(box.left + box.right) / 2, (box.top + box.bottom) / 2],
  ];
  const hidden = [];
  for (const [x, y] of points) {
    const at = `(${Math.round(x)}, ${Math.round(y)})`;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) { hidden.push(`${at} is off screen`); continue; }
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(element.contains(hit) || hit.contains(element))) hidden.push(`${at} shows ${__a11yDescribe(hit)}`);
  }
  if (element.__a11yIndex === undefined) element.__a11yIndex = (window.__a11yCount = (window.__a11yCount || 0) + 1);
  const style = getComputedStyle(element);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  return {element: __a11yDescribe(element), hidden, ring, index: element.__a11yIndex};
}"""

# Every visible interactive element smaller than 24x24 CSS px that neither sits in a line of
# text (a link in a sentence) nor has the spacing WCAG 2.5.8 allows instead: a 24 px circle
# on its centre touching no other target and no other undersized target's circle.
_SMALL_TARGETS_JS = """min => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [tabindex]:not([tabindex="-1"])';
  const targets = [...document.querySelectorAll(selector)]
    .filter(e => e.checkVisibility() && e.getClientRects().length)
    .map(e => ({element: e, box: e.getBoundingClientRect()}))
    .filter(t => t.box.width > 0 && t.box.height > 0 && t.box.right > 0 && t.box.bottom > 0);
  const inSentence = e => getComputedStyle(e).display === 'inline' &&
    [...e.parentElement.childNodes].some(n => n !== e && n.nodeType === 3 && n.textContent.trim());
  const small = targets.filter(t => (t.box.width < min || t.box.height < min) && !inSentence(t.element));
  const centre = b => [(b.left + b.right) / 2, (b.top + b.bottom) / 2];
  const distanceToBox = ([x, y], b) => Math.hypot(Math.max(b.left - x, 0, x - b.right), Math.max(b.top - y, 0, y - b.bottom));
  return small.filter(t => {
    const c = centre(t.box);
    return targets.some(o => o !== t && !o.element.contains(t.element) && !t.element.contains(o.element) && (
      distanceToBox(c, o.box) < min / 2 ||
      (small.includes(o) && Math.hypot(c[0] - centre(o.box)[0], c[1] - centre(o.box)[1]) < min)));
  }).map(t => `${__a11yDescribe(t.element)} is ${Math.round(t.box.width)}x${Math.round(t.box.height)} px`);
}"""


# ---------------------------------------------------------------- the pages


@pytest.fixture(scope="module")
def handoff_id(stack: Stack) -> int:
    """A website conversation with an answered and an unanswered message, handed off: what the
    handoff page and the unanswered page list."""
    sender = f"e2e-a11y-{uuid.uuid4().hex}"
    for text in (FAQ, "can I pay for it with bitcoin"):
        response = requests.post(
            f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        assert response.status_code == 200, response.text
    store = HandoffStore(session_factory(get_engine(stack.settings.database_url)))
    handoff, _ = store.add(
        HandoffRequest(kind="question", sender_id=stored_id(sender), channel="rest", name="Ada Lovelace")
    )
    return handoff.id


@pytest.fixture(scope="module")
def signed_in(stack: Stack, browser: Browser) -> dict:
    """A signed-in staff member's cookies, signed in once (the login throttle counts sign-ins)."""
    Accounts(session_factory(get_engine(stack.settings.database_url))).add(EMAIL, PASSWORD)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{stack.staff_url}/login")
        page.get_by_label("E-mail").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{stack.staff_url}/handoffs")
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def at_size(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Pages at a viewport's size; signed in to the console when asked."""
    contexts = []

    def make(viewport: str, state: dict | None = None) -> Page:
        # Reduced motion: the widget's log scrolls a focused reply into view at once instead of
        # smoothly, so where it ends up is measured, not a frame of the animation.
        context = browser.new_context(viewport=VIEWPORTS[viewport], storage_state=state, reduced_motion="reduce")
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(_DESCRIBE_JS)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def opened(stack: Stack, rasa: str, handoff_id: int, signed_in: dict, at_size) -> Callable[[str, str], Page]:
    """A page as a person uses it, by name: the widget open on the demo page with an answer and
    its suggestions, the sign-in page, the queue, a handoff, the unanswered messages."""

    def load(name: str, viewport: str) -> Page:
        if name == "widget":
            page = at_size(viewport)
            open_widget(page, demo(rasa))
            send(page, FAQ)
            expect(bot_texts(page).last).to_contain_text(FAQ_ANSWER)
            return page
        if name == "login":
            page = at_size(viewport)
            page.goto(f"{stack.staff_url}/login")
            return page
        page = at_size(viewport, signed_in)
        paths = {"queue": "/handoffs", "handoff": f"/handoffs/{handoff_id}", "unanswered": "/unanswered"}
        page.goto(stack.staff_url + paths[name])
        expect(page).to_have_url(stack.staff_url + paths[name])
        return page

    return load


EVERY_PAGE = pytest.mark.parametrize("viewport", list(VIEWPORTS))
PAGES = pytest.mark.parametrize("name", WIDGET_PAGES + CONSOLE_PAGES)


# ---------------------------------------------------------------- the criteria


def _axe_report(violations: List[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"])
    return "\n".join(lines)


@PAGES
@EVERY_PAGE
def test_axe_finds_no_wcag_2_2_aa_violation(opened, name, viewport):
    page = opened(name, viewport)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}})
    assert results.response["testEngine"]["version"].startswith("4."), results.response["testEngine"]
    violations = results.response["violations"]
    assert violations == [], f"{name} at {viewport} size:\n{_axe_report(violations)}"


def tab_once_round(page: Page) -> List[dict]:
    """Press Tab until the focus comes back to an element it has been on (the console from
    the top of the page, the widget from its text box); what _FOCUSED_JS saw at each."""
    stops: List[dict] = []
    seen: Set[int] = set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED_JS)
        if focused is None:  # the browser's own UI, between the page's last element and its first
            continue
        if focused["index"] in seen:
            break
        seen.add(focused["index"])
        stops.append(focused)
    assert len(stops) >= 3, f"Tab reached only {[stop['element'] for stop in stops]}"
    return stops


@PAGES
@EVERY_PAGE
def test_focus_is_never_hidden_behind_other_content(opened, name, viewport):
    """WCAG 2.4.11: no focused element is off screen or under a banner, a sticky bar or the
    widget's panel (checked at its corners and centre)."""
    stops = tab_once_round(opened(name, viewport))
    hidden: Dict[str, List[str]] = {stop["element"]: stop["hidden"] for stop in stops if stop["hidden"]}
    assert hidden == {}, f"{name} at {viewport} size: focused elements hidden by other content: {hidden}"


@PAGES
@EVERY_PAGE
def test_every_focused_element_shows_a_focus_indicator(opened, name, viewport):
    """WCAG 2.4.7, reached by the keyboard as a person would (so :focus-visible applies)."""
    stops = tab_once_round(opened(name, viewport))
    unmarked = [stop["element"] for stop in stops if not stop["ring"]]
    assert unmarked == [], f"{name} at {viewport} size: focused without an outline or ring: {unmarked}"


@PAGES
@EVERY_PAGE
def test_every_target_is_at_least_24_px_or_spaced(opened, name, viewport):
    """WCAG 2.5.8, by script beside axe's rule: every control, not only those axe samples."""
    page = opened(name, viewport)
    small = page.evaluate(_SMALL_TARGETS_JS, MIN_TARGET_PX)
    assert small == [], f"{name} at {viewport} size: targets under {MIN_TARGET_PX}x{MIN_TARGET_PX} px: {small}"


def test_the_widget_keeps_focus_inside_while_it_fills_a_phone_screen(opened):
    page = opened("widget", "phone")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_attribute("aria-modal", "true")
    page.get_by_role("button", name="Send").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="New conversation")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()


def test_escape_on_the_page_closes_the_widget_and_leaves_the_focus_there(opened):
    """On a laptop the panel is a window in the corner, not modal: a page control focused
    under it is revealed by Escape without moving the focus (WCAG 2.4.11)."""
    page = opened("widget", "laptop")
    dialog = page.get_by_role("dialog")
    expect(dialog).not_to_have_attribute("aria-modal", "true")
    link = page.get_by_role("link", name="Treatment")
    link.focus()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()


def test_the_notice_opens_the_conversation_instead_of_covering_it(opened):
    page = opened("widget", "phone")
    log = page.get_by_role("log", name="Conversation")
    notice = log.locator(".ccw-notice")
    expect(notice).to_contain_text("not for emergencies")
    assert log.evaluate("log => log.firstElementChild.classList.contains('ccw-notice')")
    page.get_by_role("button", name="New conversation").click()
    expect(notice).to_have_count(1)  # a new conversation opens with it too
    expect(bot_texts(page)).to_have_count(1)


def test_the_sign_in_form_lets_password_managers_and_paste_fill_it(opened, stack):
    """WCAG 3.3.8: nothing to remember or transcribe. A password manager recognises the fields
    by their types, names and autocomplete tokens and fills them without typing; paste works;
    no length limit cuts a generated password short."""
    page = opened("login", "laptop")
    email, password = page.get_by_label("E-mail"), page.get_by_label("Password")
    for field, kind, token in ((email, "email", "username"), (password, "password", "current-password")):
        assert field.get_attribute("type") == kind, field
        assert field.get_attribute("autocomplete") == token, field
        assert field.get_attribute("name"), field
        assert field.evaluate("f => f.form === document.querySelector('form[action=\"/login\"]')"), field
    limit = password.evaluate("f => f.maxLength")
    assert limit == -1 or limit >= 128, f"the password field cuts a password at {limit} characters"
    assert page.locator("form[autocomplete=off], [onpaste], [oncopy]").count() == 0

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    for field, value in ((email, EMAIL), (password, PASSWORD)):
        page.evaluate("text => navigator.clipboard.writeText(text)", value)
        field.focus()
        page.keyboard.press("ControlOrMeta+V")
        expect(field).to_have_value(value)  # pasted: no script refused it
    # What a password manager does: set both values at once, with no key pressed, and submit.
    page.evaluate(
        """([email, password]) => {
          for (const [selector, value] of [['input[autocomplete=username]', email], ['input[autocomplete=current-password]', password]]) {
            const field = document.querySelector(selector);
            field.value = value;
            field.dispatchEvent(new Event('input', {bubbles: true}));
            field.dispatchEvent(new Event('change', {bubbles: true}));
          }
        }""",
        [EMAIL, PASSWORD],
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{stack.staff_url}/handoffs")
