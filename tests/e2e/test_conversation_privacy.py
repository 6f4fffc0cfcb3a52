"""A patient's conversation is theirs alone (issue 15), against the running servers and the trained model.

No client reaches a conversation it did not start: a REST `sender` names only a REST
conversation, a widget conversation needs the token the server signed, an SMS one the
signed webhook of that number. And what a patient told a form is not read back later:
it is forgotten once the request is handled, and a new session starts with nothing.
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import uuid
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

from bot.launcher.supervision import Stack
from tests import twilio_client
from tests.e2e.conftest import TWILIO_TEST_TOKEN

pytestmark = pytest.mark.e2e

ASK_NAME = "What name should our team use"
READ_BACK = "Here's your request"
PERSONAL = (
    "booking_name",
    "booking_contact",
    "booking_contact_display",
    "booking_time",
    "keloids",
    "screening_outcome",
)
SESSION_S = 60 * 60  # domain.yml's session_expiration_time
_phones: Iterator[int] = itertools.count(random.Random().randrange(1000, 9000))


def _rest(stack: Stack, sender: str, text: str) -> str:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    assert response.status_code == 200, response.text
    return "\n".join(message.get("text") or "" for message in response.json())


def _sms(stack: Stack, phone: str, text: str) -> str:
    status, twiml = twilio_client.post(stack.sms_webhook_url, twilio_client.sms_params(phone, text), TWILIO_TEST_TOKEN)
    assert status == 200, twiml
    return "\n".join(twilio_client.messages(twiml))


def _widget(stack: Stack, path: str, body: Dict[str, Any]) -> Tuple[int, Any]:
    response = requests.post(f"{stack.rasa_url}/webhooks/widget/{path}", json=body, timeout=60)
    return response.status_code, response.json()


def _say(stack: Stack, token: str, text: str) -> str:
    status, messages = _widget(stack, "webhook", {"sender": token, "message": text})
    assert status == 200, messages
    return "\n".join(message.get("text") or "" for message in messages)


def _events(stack: Stack, sender_id: str) -> List[Dict[str, Any]]:
    with sqlite3.connect(stack.settings.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def _slots(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Each slot's value after `events` (from the last session start on, as Rasa rebuilds it)."""
    values: Dict[str, Any] = {}
    for event in events:
        if event["event"] == "session_started":
            values = {}
        elif event["event"] == "slot":
            values[event["name"]] = event["value"]
    return values


def _age(stack: Stack, sender_id: str, seconds: float) -> None:
    """Move the conversation `seconds` into the past, as if the patient had been away that long."""
    with sqlite3.connect(stack.settings.tracker_db) as db:
        db.execute(
            "UPDATE events SET timestamp = timestamp - :s, "
            "data = json_set(data, '$.timestamp', json_extract(data, '$.timestamp') - :s) WHERE sender_id = :id",
            {"s": seconds, "id": sender_id},
        )


def _handoffs(stack: Stack) -> List[Dict[str, Any]]:
    response = requests.get(
        f"{stack.staff_url}/api/handoffs?limit=500",
        headers={"Authorization": f"Bearer {stack.staff_token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_rest_message_with_an_sms_patients_number_opens_a_fresh_conversation_and_learns_nothing(stack):
    phone = f"+1646555{next(_phones) % 10000:04d}"
    for text in ("Could microneedling work for me?", "I'm not pregnant but my skin forms keloids after cuts"):
        _sms(stack, phone, text)
    booked = [
        _sms(stack, phone, text) for text in ("I'd like to book a consultation", "Priya Zabriskie", "weekday mornings")
    ]
    assert "Priya Zabriskie" in booked[-1] and phone[-4:] in booked[-1]  # the read-back, by SMS
    assert [
        h for h in _handoffs(stack) if h["sender_id"] == f"sms:{phone}"
    ] == []  # unconfirmed: only in the conversation
    stored = len(_events(stack, f"sms:{phone}"))

    replies = [
        _rest(stack, phone, text) for text in ("yes", "what name and number do you have for me?", "I'd like to book")
    ]
    everything = "\n".join(replies)
    for secret in ("Priya", "Zabriskie", phone[-4:], "weekday", "keloid", "not recommended"):
        assert secret not in everything, f"{secret!r} reached a REST client: {everything!r}"
    assert ASK_NAME in replies[-1]  # a booking from scratch, not a read-back of the patient's
    assert len(_events(stack, f"sms:{phone}")) == stored  # their conversation was not touched
    assert not any(_slots(_events(stack, f"rest:{phone}")).get(slot) for slot in PERSONAL)
    assert [h for h in _handoffs(stack) if h["sender_id"] in (phone, f"rest:{phone}", f"sms:{phone}")] == []

    assert "Priya" in _sms(stack, phone, "yes")  # the patient's own confirmation still works
    [handoff] = [h for h in _handoffs(stack) if h["sender_id"] == f"sms:{phone}"]
    assert (handoff["kind"], handoff["contact"], handoff["channel"]) == ("screening", phone, "twilio")


def test_a_forged_or_old_widget_id_reaches_nothing(stack):
    for sender in (str(uuid.uuid4()), "widget:" + "A" * 24, uuid.uuid4().hex + ".forged"):
        assert _widget(stack, "webhook", {"sender": sender, "message": "what did I book?"})[0] == 403
        assert _widget(stack, "history", {"sender": sender})[0] == 403


def test_a_confirmed_request_is_forgotten_by_the_conversation_at_once(stack):
    _, body = _widget(stack, "conversations", {})
    token = body["token"]
    for text in ("I'd like to book a consultation", "Nadia Quispe", "nadia.quispe@example.com", "Saturday mornings"):
        _say(stack, token, text)
    assert "Nadia Quispe" in _say(stack, token, "yes")  # the confirmation names the patient
    conversation = "widget:" + token.partition(".")[0]
    assert {
        slot: value for slot, value in _slots(_events(stack, conversation)).items() if slot in PERSONAL and value
    } == {}
    [handoff] = [h for h in _handoffs(stack) if h["sender_id"] == conversation]
    assert (handoff["name"], handoff["contact"], handoff["channel"]) == (
        "Nadia Quispe",
        "nadia.quispe@example.com",
        "widget",
    )
    assert ASK_NAME in _say(stack, token, "I'd like to book a consultation")  # asked again, not read back


def test_a_returning_web_visitors_new_session_has_none_of_the_last_ones_details(stack):
    _, body = _widget(stack, "conversations", {})
    token = body["token"]
    conversation = "widget:" + token.partition(".")[0]
    for text in ("I'd like to book a consultation", "Omar Belcastro", "917-555-0134"):
        _say(stack, token, text)
    assert READ_BACK in _say(stack, token, "weekday evenings")  # left at the read-back, unconfirmed
    assert _slots(_events(stack, conversation))["booking_name"] == "Omar Belcastro"
    assert _widget(stack, "history", {"sender": token})[1]["messages"]

    _age(stack, conversation, SESSION_S + 60)  # the patient comes back after the session expired
    assert _widget(stack, "history", {"sender": token})[1] == {"messages": [], "taken_over": False}  # nothing shown
    reply = _say(stack, token, "I'd like to book a consultation")
    assert ASK_NAME in reply and "Omar" not in reply and "0134" not in reply
    events = _events(stack, conversation)
    new_session = events[max(i for i, e in enumerate(events) if e["event"] == "session_started") :]
    assert not any(e["event"] == "slot" and e["name"] in PERSONAL and e["value"] for e in new_session)
    status, body = _widget(stack, "history", {"sender": token})
    assert (
        status == 200
        and "Omar" not in json.dumps(body)
        and body["messages"][0]["text"] == "I'd like to book a consultation"
    )
