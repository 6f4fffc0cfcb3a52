"""The action server is down: the bot says so with the clinic's contact, never a false
confirmation, and the same conversation books once the server is back.

What Rasa does without its action server: it logs the failed custom action, drops its
events and predicts on. Asked to book, the patient gets the booking introduction (a
domain response, rendered in the Rasa server with the clinic's contact by bot/rasa_server/nlg.py)
and, as the form cannot start, the fallback answer with the clinic's contact.
"""

from __future__ import annotations

import uuid

import pytest

from tests.reliability.patients import BOOKING, BOOKING_RECEIVED, handoff_rows, say

pytestmark = pytest.mark.e2e


def test_booking_while_the_action_server_is_down_gets_the_contact_then_works_when_it_is_back(prod_stack):
    sender = f"rel-actions-{uuid.uuid4().hex}"
    contact = prod_stack.settings.clinic.contact
    prod_stack.stop_server("actions")
    try:
        replies = [say(prod_stack.rasa_url, sender, message) for message in BOOKING]
    finally:
        prod_stack.start_server("actions")
    assert contact in replies[0] and "not sure I understood" in replies[0]
    assert not any(BOOKING_RECEIVED in reply for reply in replies)
    assert handoff_rows(prod_stack, sender) == []

    replies = [say(prod_stack.rasa_url, sender, message) for message in BOOKING]
    assert BOOKING_RECEIVED in replies[-1]
    assert [row.kind for row in handoff_rows(prod_stack, sender)] == ["booking"]


def test_a_patient_in_the_middle_of_a_form_is_never_left_without_an_answer(prod_stack):
    sender = f"rel-actions-form-{uuid.uuid4().hex}"
    request, name, phone, when, yes = BOOKING
    say(prod_stack.rasa_url, sender, request)
    say(prod_stack.rasa_url, sender, name)
    prod_stack.stop_server("actions")
    try:
        reply = say(prod_stack.rasa_url, sender, phone)
    finally:
        prod_stack.start_server("actions")
    assert prod_stack.settings.clinic.contact in reply
    assert "sent your request" not in reply
