"""The console's pages over HTTP: the queue, a handoff with its conversation, changes that
need the session's CSRF token, patient text always escaped, and the unanswered messages."""

import dataclasses
import re
from datetime import datetime, timedelta, timezone

import pytest

from bot.db.engine import dispose_engines
from bot.handoffs.store import HandoffStore
from bot.opening_hours import WeeklyHours
from bot.sms.outbox import SmsOutbox
from bot.sms.store import SmsStore
from bot.staff.accounts import Accounts
from bot.staff.app import create_app
from bot.staff.conversation_bridge import BridgeError
from bot.staff.signin import BACKGROUND_HEADER
from bot.transcripts.transcript import Turn
from bot.transcripts.unanswered import UnansweredMessage
from bot.transcripts.waiting import Waiting
from tests.http_server import serving
from tests.staff.fixtures import EMAIL, Client, add_handoff, csrf_of, sign_in

XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
AT = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


def _cells(html: str):
    """Each queue row's cells by their label, top to bottom."""
    rows = re.findall(r'<tr class="queue__row[^"]*">(.*?)</tr>', html, re.S)
    return [dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S)) for row in rows]


def _rows(html: str):
    """(name, kind, status, channel, flag) of each row of the queue, top to bottom; the kind
    as its name before what staff are to do ("Booking" of "Booking: arrange a consultation")."""
    return [
        (
            re.search(r'class="queue__patient"[^>]*>(.*?)</a>', cells["Patient"]).group(1),
            re.search(r'class="queue__kind">(.*?)</span>', cells["To do"]).group(1).split(":")[0],
            re.search(r"<span [^>]*>(.*?)</span>", cells["Status"]).group(1),
            cells["Channel"],
            "Red flag" in cells["Safety"],
        )
        for cells in _cells(html)
    ]


def _actions(audit, handoff_id):
    return [(entry.actor, entry.action, entry.detail) for entry in reversed(audit.entries(handoff_id=handoff_id))]


def test_the_root_is_the_queue(app_url):
    response = Client(app_url).get("/")
    assert (response.status_code, response.headers["Location"]) == (302, "/handoffs")


def test_the_queue_is_newest_first_with_channel_new_count_and_red_flags(signed_in, store, transcripts):
    add_handoff(store, "web", name="Ana Lima")
    sms = add_handoff(store, "sms", kind="question", name="Ben Ode", channel="twilio", question="call me")
    add_handoff(store, "other", kind="screening", name="Cy", channel="facebook", screening_outcome="candidate")
    store.set_status(sms.id, "contacted")
    transcripts.conversations["sms"] = [Turn("patient", "fever and pus", AT, "twilio", red_flag=True)]
    page = signed_in.get("/handoffs")
    assert page.status_code == 200
    assert _rows(page.text) == [
        ("Cy", "Screening", "New", "facebook", False),
        ("Ben Ode", "Question", "Contacted", "SMS", True),
        ("Ana Lima", "Booking", "New", "Website", False),
    ]
    assert re.search(r"<strong>2</strong> new", page.text)


def test_the_queue_filters_by_status_and_kind(signed_in, store):
    add_handoff(store, "a", name="Ana")
    question = add_handoff(store, "b", kind="question", name="Ben", question="call me")
    store.set_status(question.id, "closed")
    assert [row[0] for row in _rows(signed_in.get("/handoffs?status=closed").text)] == ["Ben"]
    assert [row[0] for row in _rows(signed_in.get("/handoffs?kind=booking").text)] == ["Ana"]
    empty = signed_in.get("/handoffs?kind=booking&status=closed")
    assert _rows(empty.text) == [] and "No handoffs match these filters" in empty.text
    assert '<option value="closed" selected>' in signed_in.get("/handoffs?status=closed").text


@pytest.mark.parametrize("query", ["status=open", "kind=call", "page=0", "page=x"])
def test_bad_queue_filters_are_a_400_page(signed_in, query):
    response = signed_in.get(f"/handoffs?{query}")
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")


def test_the_queue_has_pages_of_fifty(signed_in, store):
    for number in range(51):
        add_handoff(store, f"p{number}", name=f"Patient {number}")
    first = signed_in.get("/handoffs")
    assert len(_rows(first.text)) == 50 and "Page 1 of 2 (51 handoffs)" in first.text
    assert 'href="/handoffs?page=2" rel="next"' in first.text
    second = signed_in.get("/handoffs?page=2")
    assert [row[0] for row in _rows(second.text)] == ["Patient 0"]
    assert 'href="/handoffs" rel="prev"' in second.text


def test_a_handoff_shows_details_screening_conversation_notes_and_history(signed_in, store, transcripts, audit):
    handoff = add_handoff(
        store, "patient-7", kind="screening", name="Ana Lima", contact="+15550100100", contact_kind="phone",
        preferred_time="Tuesday mornings", concern="acne scars", screening_outcome="needs_review",
        screening_answers={"pregnant_or_nursing": False, "active_acne": True, "review": "isotretinoin"},
    )  # fmt: skip
    store.add_note(handoff.id, "front@clinic.example", "Left a voicemail\nTry again Friday")
    transcripts.conversations["patient-7"] = [
        Turn("bot", "Hi! How can I help?", AT, None, buttons=("Book a visit", "Is it for me?")),
        Turn("patient", "Is it for me?", AT + timedelta(minutes=1), "rest", chosen_button=True),
        Turn("patient", "I had a fever\nyesterday", AT + timedelta(minutes=2), "twilio", red_flag=True),
    ]
    page = signed_in.get(f"/handoffs/{handoff.id}")
    assert page.status_code == 200
    text = page.text
    for expected in ("Ana Lima", "+15550100100", "Tuesday mornings", "acne scars", "Website", "2026-03-01 04:30 EST"):
        assert expected in text
    assert re.search(r"<dt>Pregnant or nursing</dt><dd>No</dd>", text)
    assert re.search(r"<dt>Active acne</dt><dd>Yes</dd>", text)
    assert "Taking isotretinoin (Accutane)" in text
    assert "A provider needs to review this before treatment" in text
    assert "<li>Book a visit</li>" in text and "<li>Is it for me?</li>" in text
    assert re.search(r"Is it for me\?\s*<span class=\"muted\">\(chose option\)</span>", text)
    assert "I had a fever\nyesterday" in text and "via SMS" in text and "Red flag mentioned" in text
    assert "Left a voicemail\nTry again Friday" in text and "front@clinic.example" in text
    assert 'maxlength="2000"' in text
    assert "Viewed the conversation" in text  # this view is already in the history
    assert _actions(audit, handoff.id) == [(EMAIL, "view_transcript", None)]


def test_an_unknown_handoff_is_a_404_page(signed_in, audit):
    response = signed_in.get("/handoffs/999")
    assert response.status_code == 404 and "There is no such page" in response.text
    assert audit.entries(handoff_id=999) == []


def test_marking_contacted_changes_the_status_audits_it_and_redirects_back(signed_in, store, audit):
    handoff = add_handoff(store, name="Ana")
    token = csrf_of(signed_in.get(f"/handoffs/{handoff.id}").text)
    response = signed_in.post(f"/handoffs/{handoff.id}/status", data={"csrf_token": token, "status": "contacted"})
    assert (response.status_code, response.headers["Location"]) == (303, f"/handoffs/{handoff.id}")
    assert store.get(handoff.id).status == "contacted"
    assert _actions(audit, handoff.id)[-1] == (EMAIL, "status_change", "new -> contacted")
    assert "Changed the status from New to Contacted" in signed_in.get(f"/handoffs/{handoff.id}").text


def test_adding_a_note_keeps_it_and_audits_it_without_its_text(signed_in, store, audit):
    handoff = add_handoff(store, name="Ana")
    token = csrf_of(signed_in.get(f"/handoffs/{handoff.id}").text)
    response = signed_in.post(f"/handoffs/{handoff.id}/notes", data={"csrf_token": token, "note": "Booked the 12th"})
    assert response.status_code == 303
    assert [(n.author, n.text) for n in store.notes(handoff.id)] == [(EMAIL, "Booked the 12th")]
    entry = audit.entries(handoff_id=handoff.id)[0]
    assert (entry.action, entry.actor) == ("add_note", EMAIL)
    assert "Booked" not in (entry.detail or "")


@pytest.mark.parametrize("field", ["note", "status"])
@pytest.mark.parametrize("token", [None, "", "wrong-token-0123456789012345678901234567890"])
def test_a_post_without_the_sessions_csrf_token_is_403_and_changes_nothing(signed_in, store, audit, field, token):
    handoff = add_handoff(store, name="Ana")
    data = {"note": "sneaky", "status": "closed", **({"csrf_token": token} if token is not None else {})}
    response = signed_in.post(f"/handoffs/{handoff.id}/{field}{'s' if field == 'note' else ''}", data=data)
    assert response.status_code == 403 and "nothing was changed" in response.text
    assert (store.get(handoff.id).status, store.notes(handoff.id)) == ("new", [])
    assert audit.entries(handoff_id=handoff.id) == []


def test_another_sessions_csrf_token_is_refused(signed_in, app_url, account, store):
    other = Client(app_url)
    sign_in(other)
    handoff = add_handoff(store, name="Ana")
    foreign = csrf_of(other.get("/handoffs").text)
    response = signed_in.post(f"/handoffs/{handoff.id}/status", data={"csrf_token": foreign, "status": "closed"})
    assert response.status_code == 403 and store.get(handoff.id).status == "new"


def test_a_post_without_a_session_goes_to_login_and_changes_nothing(app_url, store):
    handoff = add_handoff(store, name="Ana")
    response = Client(app_url).post(f"/handoffs/{handoff.id}/status", data={"status": "closed"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?")
    assert store.get(handoff.id).status == "new"


@pytest.mark.parametrize("note, mentions", [("   ", "empty"), ("x" * 2001, "2000")])
def test_an_empty_or_too_long_note_is_a_400_page(signed_in, store, note, mentions):
    handoff = add_handoff(store, name="Ana")
    token = csrf_of(signed_in.get(f"/handoffs/{handoff.id}").text)
    response = signed_in.post(f"/handoffs/{handoff.id}/notes", data={"csrf_token": token, "note": note})
    assert response.status_code == 400 and mentions in response.text
    assert store.notes(handoff.id) == []


def test_a_status_that_does_not_exist_is_a_400_page(signed_in, store):
    handoff = add_handoff(store, name="Ana")
    token = csrf_of(signed_in.get(f"/handoffs/{handoff.id}").text)
    response = signed_in.post(f"/handoffs/{handoff.id}/status", data={"csrf_token": token, "status": "done"})
    assert response.status_code == 400 and store.get(handoff.id).status == "new"


def test_patient_text_is_escaped_everywhere(signed_in, store, transcripts, clock):
    handoff = add_handoff(store, "xss", kind="question", name=XSS, question=XSS, concern=XSS)
    store.add_note(handoff.id, "api", XSS)
    transcripts.conversations["xss"] = [
        Turn("patient", XSS, AT, "rest"),
        Turn("bot", "Sorry?", AT, None, buttons=(XSS,)),
    ]
    transcripts.unanswered_messages.append(UnansweredMessage("xss-unnamed", XSS, clock(), "fallback"))
    for path in ("/handoffs", f"/handoffs/{handoff.id}", "/unanswered"):
        page = signed_in.get(path).text
        assert ESCAPED in page
        assert "<img" not in page
        # the only script is the console's own static file (live updates), never inline
        assert set(re.findall(r"<script[^>]*>[^<]*", page)) <= {'<script src="/static/live.js" defer>'}


def test_the_unanswered_page_groups_messages_from_the_chosen_days(signed_in, transcripts, clock, audit):
    now = clock()
    transcripts.unanswered_messages.extend(
        [
            UnansweredMessage("a", "How much does it cost?", now - timedelta(days=2), "not_covered"),
            UnansweredMessage("b", "how much does it cost", now - timedelta(days=1), "unsure"),
            UnansweredMessage("c", "do you do tattoos", now - timedelta(hours=1), "out_of_scope"),
            UnansweredMessage("d", "old question", now - timedelta(days=40), "fallback"),
        ]
    )
    page = signed_in.get("/unanswered")
    assert page.status_code == 200
    assert transcripts.asked_since == [now - timedelta(days=30)]
    assert "old question" not in page.text
    examples = re.findall(r'<p class="group__example text">“(.*?)”</p>', page.text)
    assert examples[0].lower().startswith("how much does it cost")
    assert "do you do tattoos" in examples
    assert re.search(r"<strong>2</strong> messages", page.text)
    assert "python -m bot.staff export-unanswered" in page.text
    assert "old question" in signed_in.get("/unanswered?days=60").text
    assert [entry.action for entry in audit.entries()][:2] == ["view_unanswered", "view_unanswered"]


@pytest.mark.parametrize("days", ["0", "366", "many"])
def test_the_unanswered_days_must_be_1_to_365(signed_in, days):
    response = signed_in.get(f"/unanswered?days={days}")
    assert response.status_code == 400 and "1 to 365" in response.text


def test_open_red_flags_head_the_queue_with_their_marker_and_groups(signed_in, store):
    add_handoff(store, "web", name="Ana Lima")
    red_flag = add_handoff(
        store,
        "sms",
        kind="red_flag",
        channel="twilio",
        question="my lips are swelling",
        contact="+16465550123",
        contact_kind="phone",
        red_flags=["swelling", "redness_worsening"],
    )
    add_handoff(store, "later", kind="question", name="Ben Ode", question="call me")
    page = signed_in.get("/handoffs")
    assert _rows(page.text) == [
        ("+16465550123", "Red flag", "New", "SMS", True),
        ("Ben Ode", "Question", "New", "Website", False),
        ("Ana Lima", "Booking", "New", "Website", False),
    ]
    assert "Red flag: swelling, redness worsening" in page.text
    assert re.search(
        r'<tr class="queue__row queue__row--flagged">\s*<td data-label="Received"><time[^>]*>[^<]*</time></td>\s*'
        r'<td data-label="Patient"><a class="queue__patient" href="/handoffs/' + str(red_flag.id),
        page.text,
    )
    assert '<option value="red_flag">Red flag: call the patient now</option>' in page.text


def test_a_red_flag_page_says_so_with_its_groups_and_message(signed_in, store):
    handoff = add_handoff(
        store,
        "sms",
        kind="red_flag",
        channel="twilio",
        question="I have a fever of 102 and pus",
        red_flags=["fever", "infection"],
    )
    text = signed_in.get(f"/handoffs/{handoff.id}").text
    assert "RED FLAG: fever, infection" in text and "contact them now" in text
    assert re.search(r"<dt>Red-flag groups</dt><dd>fever, infection</dd>", text)
    assert re.search(r'<dt>Message</dt><dd class="text">I have a fever of 102 and pus</dd>', text)
    store.set_status(handoff.id, "contacted")
    assert "contact them now" not in signed_in.get(f"/handoffs/{handoff.id}").text


def test_staff_take_over_reply_and_hand_back_each_audited_without_the_text(signed_in, store, bridge, audit):
    handoff = add_handoff(store, sender="widget:abc", name="Ana")
    page = signed_in.get(f"/handoffs/{handoff.id}").text
    assert "Take over" in page and "Send reply" not in page
    token = csrf_of(page)

    assert signed_in.post(f"/handoffs/{handoff.id}/takeover", data={"csrf_token": token}).status_code == 303
    page = signed_in.get(f"/handoffs/{handoff.id}").text
    assert f"Taken over</strong> by {EMAIL}" in page and "Send reply" in page and "Hand back" in page

    response = signed_in.post(f"/handoffs/{handoff.id}/reply", data={"csrf_token": token, "reply": " Hi, Ana. "})
    assert response.status_code == 303
    assert signed_in.post(f"/handoffs/{handoff.id}/handback", data={"csrf_token": token}).status_code == 303
    assert "Take over" in signed_in.get(f"/handoffs/{handoff.id}").text

    title = "A member of our team"
    assert bridge.calls == [
        ("takeover", "widget:abc", title, EMAIL, ""),
        ("reply", "widget:abc", title, EMAIL, "Hi, Ana."),
        ("handback", "widget:abc", title, EMAIL, ""),
    ]
    entries = [(a, d) for actor, a, d in _actions(audit, handoff.id) if a != "view_transcript"]
    assert entries == [("take_over", None), ("staff_reply", None), ("hand_back", None)]
    assert "Replied to the patient" in signed_in.get(f"/handoffs/{handoff.id}").text


def test_a_staff_members_own_display_name_is_what_the_patient_reads(signed_in, store, bridge, database):
    Accounts(database).set_display_name(EMAIL, "Ana")
    handoff = add_handoff(store, sender="widget:abc")
    page = signed_in.get(f"/handoffs/{handoff.id}").text
    assert "the patient is told &#34;Ana&#34; joined" in page or 'the patient is told "Ana" joined' in page
    token = csrf_of(page)
    signed_in.post(f"/handoffs/{handoff.id}/takeover", data={"csrf_token": token})
    signed_in.post(f"/handoffs/{handoff.id}/reply", data={"csrf_token": token, "reply": "Hi"})
    assert [(action, name) for action, _, name, _, _ in bridge.calls] == [("takeover", "Ana"), ("reply", "Ana")]


SMS_PATIENT = "+16465550188"


def test_an_sms_conversation_is_taken_over_to_reply_by_text(signed_in, store, bridge):
    handoff = add_handoff(store, sender=f"sms:{SMS_PATIENT}", channel="twilio")
    page = signed_in.get(f"/handoffs/{handoff.id}").text
    assert "Take over" in page and "texted from the clinic's number" in page
    token = csrf_of(page)
    assert signed_in.post(f"/handoffs/{handoff.id}/takeover", data={"csrf_token": token}).status_code == 303
    assert bridge.calls[0][:2] == ("takeover", f"sms:{SMS_PATIENT}")
    assert "Texted to the patient from the clinic" in signed_in.get(f"/handoffs/{handoff.id}").text


def test_a_patient_who_texted_stop_cannot_be_taken_over_and_the_page_says_call(signed_in, store, database):
    SmsStore(database).set_opted_out(SMS_PATIENT, True)
    handoff = add_handoff(store, sender=f"sms:{SMS_PATIENT}", channel="twilio", contact=SMS_PATIENT)
    page = signed_in.get(f"/handoffs/{handoff.id}").text
    assert "opted out of texts" in page and "Call them instead" in page
    assert ">Take over</button>" not in page


def test_each_staff_text_shows_whether_it_arrived_and_why_not(signed_in, store, transcripts, database):
    sender = f"sms:{SMS_PATIENT}"
    outbox = SmsOutbox(database)
    ids = [outbox.new_id() for _ in range(3)]
    for outbound_id in ids:
        outbox.record(outbound_id, sender, SMS_PATIENT)
    outbox.sent(ids[0], "SM" + "1" * 32, "delivered")
    outbox.refused(ids[1], "the patient's number cannot receive texts <landline?>")
    at = datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)
    transcripts.conversations[sender] = [
        Turn("staff", text, at, None, author="Ana", sms_id=outbound_id)
        for text, outbound_id in zip(("first", "second", "third"), ids)
    ]
    page = signed_in.get(f"/handoffs/{add_handoff(store, sender=sender, channel='twilio').id}").text
    assert "Text delivered" in page and "Texting…" in page
    assert (
        'delivery delivery--failed">Not sent: the patient&#39;s number cannot receive texts &lt;landline?&gt;' in page
    )


@pytest.mark.parametrize("reply", ["   ", "x" * 1601])
def test_an_empty_or_too_long_reply_is_a_400_page_and_sends_nothing(signed_in, store, bridge, reply):
    handoff = add_handoff(store, sender="widget:abc")
    token = csrf_of(signed_in.get(f"/handoffs/{handoff.id}").text)
    response = signed_in.post(f"/handoffs/{handoff.id}/reply", data={"csrf_token": token, "reply": reply})
    assert response.status_code == 400 and "The reply was not sent" in response.text
    assert bridge.calls == []


def test_a_refusal_by_the_assistant_says_why_and_is_not_audited(signed_in, store, bridge, audit):
    handoff = add_handoff(store, sender="widget:abc")
    token = csrf_of(signed_in.get(f"/handoffs/{handoff.id}").text)
    bridge.refusal = BridgeError("already taken over by A member of our team", 409)
    response = signed_in.post(f"/handoffs/{handoff.id}/takeover", data={"csrf_token": token})
    assert response.status_code == 400 and "already taken over" in response.text
    assert "take_over" not in [action for _, action, _ in _actions(audit, handoff.id)]


def test_taking_over_needs_the_sessions_csrf_token_and_an_existing_handoff(signed_in, store, bridge):
    handoff = add_handoff(store, sender="widget:abc")
    assert signed_in.post(f"/handoffs/{handoff.id}/takeover", data={"csrf_token": "forged"}).status_code == 403
    token = csrf_of(signed_in.get(f"/handoffs/{handoff.id}").text)
    assert signed_in.post("/handoffs/999/takeover", data={"csrf_token": token}).status_code == 404
    assert bridge.calls == []


# ---------------------------------------------------------------- a queue a busy receptionist works from


def test_conversations_waiting_for_a_reply_come_after_open_red_flags_longest_wait_first(
    signed_in, store, waiting, clock
):
    add_handoff(store, "old", name="Old Booking")
    add_handoff(store, "short", kind="question", name="Short Wait", question="hello?")
    add_handoff(store, "long", name="Long Wait")
    add_handoff(store, "new", name="Newest")
    add_handoff(store, "flag", kind="red_flag", name="Red Flag", question="pus", red_flags=["infection"])
    now = clock()
    waiting.conversations = {
        "short": Waiting("short", now - timedelta(minutes=4), 11),
        "long": Waiting("long", now - timedelta(hours=2, minutes=5), 12),
    }
    page = signed_in.get("/handoffs").text
    assert [row[0] for row in _rows(page)] == ["Red Flag", "Long Wait", "Short Wait", "Newest", "Old Booking"]
    assert [re.sub(r"<[^>]+>", "", cells["To do"]).split(": ", 2)[-1] for cells in _cells(page)[1:3]] == [
        "2 h 5 min",
        "4 min",
    ]
    assert re.search(r"<strong>2</strong> waiting for a reply", page)


def test_search_finds_names_and_contacts_however_a_number_is_written_and_pages_keep_it(signed_in, store):
    add_handoff(store, "a", name="Ana Lima", contact="+19175550163", contact_kind="phone")
    add_handoff(store, "b", name="Ben Ode", contact="ben_o@example.com", contact_kind="email")
    add_handoff(store, "c", name="Anabel 100%", contact="+16465550100", contact_kind="phone")
    assert [row[0] for row in _rows(signed_in.get("/handoffs?q=ana").text)] == ["Anabel 100%", "Ana Lima"]
    assert [row[0] for row in _rows(signed_in.get("/handoffs", params={"q": "(917) 555-0163"}).text)] == ["Ana Lima"]
    assert [row[0] for row in _rows(signed_in.get("/handoffs?q=BEN_O@").text)] == ["Ben Ode"]
    # LIKE's wildcards are text to find, not patterns
    assert [row[0] for row in _rows(signed_in.get("/handoffs", params={"q": "0%"}).text)] == ["Anabel 100%"]
    assert [row[0] for row in _rows(signed_in.get("/handoffs", params={"q": "_"}).text)] == ["Ben Ode"]
    for number in range(51):
        add_handoff(store, f"p{number}", name=f"Zed {number}")
    first = signed_in.get("/handoffs?q=zed").text
    assert "Page 1 of 2 (51 handoffs)" in first and 'href="/handoffs?q=zed&amp;page=2" rel="next"' in first
    second = signed_in.get("/handoffs?q=zed&page=2").text
    names = [row[0] for row in _rows(first) + _rows(second)]
    assert sorted(names) == sorted(f"Zed {n}" for n in range(51))


def test_a_search_is_shown_back_escaped(signed_in):
    page = signed_in.get("/handoffs", params={"q": XSS}).text
    assert f'value="{ESCAPED}"' in page and "<img" not in page


def test_contacts_are_call_text_and_mail_links(signed_in, store):
    phone = add_handoff(store, "a", name="Ana", contact="+19175550163", contact_kind="phone")
    add_handoff(store, "b", name="Ben", contact="ben@example.com", contact_kind="email")
    queue = signed_in.get("/handoffs").text
    for link in ('href="tel:+19175550163"', 'href="sms:+19175550163"', 'href="mailto:ben@example.com"'):
        assert link in queue
    assert 'href="tel:+19175550163"' in signed_in.get(f"/handoffs/{phone.id}").text


def test_the_handoff_page_puts_the_patients_latest_messages_and_actions_before_the_conversation(
    signed_in, store, transcripts, waiting, clock
):
    handoff = add_handoff(store, "p", kind="question", name="Ana", question="call me")
    transcripts.conversations["p"] = [
        Turn("patient", f"message {number}", AT + timedelta(minutes=number), "rest") for number in range(5)
    ] + [Turn("staff", "Hi, Sam here", AT + timedelta(minutes=6), None, author="Sam")]
    waiting.conversations = {"p": Waiting("p", clock() - timedelta(minutes=12), 5)}
    page = signed_in.get(f"/handoffs/{handoff.id}").text
    latest = page[page.index('id="latest-title"') : page.index('id="talk-title"')]
    assert re.findall(r"message \d", latest) == ["message 2", "message 3", "message 4"]
    assert "Waiting for a reply for 12 min" in latest
    assert page.index('id="actions-title"') < page.index('id="conversation-title"') < page.index('id="notes-title"')


def test_the_live_versions_change_with_the_queue_and_the_conversation(signed_in, store, waiting, clock):
    first = signed_in.get("/handoffs/live").json()["version"]
    assert f'data-live-version="{first}"' in signed_in.get("/handoffs").text
    assert signed_in.get("/handoffs/live").json()["version"] == first
    handoff = add_handoff(store, "p", name="Ana")
    second = signed_in.get("/handoffs/live").json()["version"]
    assert second != first
    waiting.conversations = {"p": Waiting("p", clock(), 7)}
    assert signed_in.get("/handoffs/live").json()["version"] != second
    page_version = signed_in.get(f"/handoffs/{handoff.id}/live").json()["version"]
    assert f'data-live-version="{page_version}"' in signed_in.get(f"/handoffs/{handoff.id}").text
    waiting.latest["p"] = 8
    assert signed_in.get(f"/handoffs/{handoff.id}/live").json()["version"] != page_version
    store.set_status(handoff.id, "contacted")
    assert signed_in.get(f"/handoffs/{handoff.id}/live").status_code == 200
    assert signed_in.get("/handoffs/999/live").status_code == 404


def test_live_updates_need_a_session_and_do_not_keep_it_alive(signed_in, app_url, clock):
    assert Client(app_url).get("/handoffs/live").status_code == 302
    background = {BACKGROUND_HEADER: "1"}
    clock.advance(timedelta(minutes=20))
    assert signed_in.get("/handoffs/live", headers=background).status_code == 200
    clock.advance(timedelta(minutes=20))  # 40 minutes since the staff member last did anything
    response = signed_in.get("/handoffs/live", headers=background)
    assert response.status_code == 302 and "idle=1" in response.headers["Location"]


def test_a_page_the_staff_member_opens_keeps_the_session_alive(signed_in, clock):
    clock.advance(timedelta(minutes=20))
    assert signed_in.get("/handoffs").status_code == 200
    clock.advance(timedelta(minutes=20))
    assert signed_in.get("/handoffs/live").status_code == 200


def test_the_pages_load_the_live_script_from_this_origin_and_keep_a_refresh_link(signed_in, store, app_url):
    handoff = add_handoff(store, "p", name="Ana")
    for path in ("/handoffs", f"/handoffs/{handoff.id}"):
        page = signed_in.get(path)
        assert '<script src="/static/live.js" defer></script>' in page.text and "data-live-refresh" in page.text
        assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'self' only
        assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    script = Client(app_url).get("/static/live.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "innerHTML" not in script.text and "eval(" not in script.text


def test_times_are_on_the_clinics_clocks_and_requests_after_hours_are_marked(settings, database, account, clock):
    """The demo profile's clinic is in New York; open 9:00-18:00 on weekdays here."""
    hours = WeeklyHours.parse({day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")})
    clinic = dataclasses.replace(settings.clinic, opening_hours=hours)
    tuesday_10am = HandoffStore(database, clock=lambda: datetime(2026, 3, 3, 15, 0, tzinfo=timezone.utc))
    tuesday_9pm = HandoffStore(database, clock=lambda: datetime(2026, 3, 4, 2, 30, tzinfo=timezone.utc))
    day = add_handoff(tuesday_10am, "day", name="Day Visitor")
    night = add_handoff(tuesday_9pm, "night", name="Night Owl")
    with serving(create_app(dataclasses.replace(settings, clinic=clinic), clock=clock)) as url:
        client = Client(url)
        assert sign_in(client).status_code == 303
        received = {
            re.sub(r"<[^>]+>", "", c["Patient"]).split()[0]: c["Received"] for c in _cells(client.get("/handoffs").text)
        }
        assert "2026-03-03 10:00 EST" in received["Day"] and "After hours" not in received["Day"]
        assert "2026-03-03 21:30 EST" in received["Night"] and "After hours" in received["Night"]
        assert "After hours" in client.get(f"/handoffs/{night.id}").text
        assert "After hours" not in client.get(f"/handoffs/{day.id}").text
    dispose_engines()
