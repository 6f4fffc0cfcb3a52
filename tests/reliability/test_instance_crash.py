"""A Rasa instance crashes (kill -9) in the middle of a booking: the other one carries on.

Nothing of a conversation lives in a Rasa process between messages: the form's filled
slots are in the PostgreSQL tracker store, so the surviving instance (reached directly
and through the proxy, which routes around the dead one) continues where it stopped.
"""

from __future__ import annotations

import signal
import uuid

import pytest

from tests.reliability.patients import BOOKING, BOOKING_RECEIVED, handoff_rows, say

pytestmark = pytest.mark.e2e


def test_the_booking_survives_a_killed_instance_with_its_filled_slots(prod_stack):
    crashed, survivor = prod_stack.instance_urls
    sender = f"rel-crash-{uuid.uuid4().hex}"
    request, name, phone, when, yes = BOOKING
    say(crashed, sender, request)
    assert "phone number or email" in say(crashed, sender, name)

    prod_stack.stop_server("rasa-1", signal.SIGKILL)
    try:
        asked = say(survivor, sender, phone)
        assert "Which days and times" in asked  # the name was kept: the form asks the next detail
        read_back = say(prod_stack.rasa_url, sender, when)  # through the proxy
        assert f"Name: {name}" in read_back and "555-0163" in read_back
        assert BOOKING_RECEIVED in say(prod_stack.rasa_url, sender, yes)
    finally:
        prod_stack.start_server("rasa-1")

    assert [(row.kind, row.name, row.contact) for row in handoff_rows(prod_stack, sender)] == [
        ("booking", name, "+19175550163")
    ]
