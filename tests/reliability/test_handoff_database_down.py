"""The handoff database is down while a patient confirms a booking: no false
confirmation, the clinic's contact instead, and nothing half-written.

The action server is restarted with DATABASE_URL pointing at a PostgreSQL port nobody
listens on, as if the database server had stopped; Rasa's own stores are untouched.
"""

from __future__ import annotations

import uuid

import pytest

from tests.ports import free_port
from tests.reliability.patients import BOOKING, BOOKING_RECEIVED, NOT_SAVED, handoff_rows, say

pytestmark = pytest.mark.e2e


def test_a_booking_confirmed_while_the_database_is_down_is_not_confirmed(prod_stack):
    sender = f"rel-db-{uuid.uuid4().hex}"
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    prod_stack.stop_server("actions")
    prod_stack.start_server("actions", {"DATABASE_URL": unreachable})
    try:
        replies = [say(prod_stack.rasa_url, sender, message) for message in BOOKING]
    finally:
        prod_stack.stop_server("actions")
        prod_stack.start_server("actions")
    assert "Is that all correct?" in replies[-2]  # the form needs no database: it got to the read-back
    assert NOT_SAVED in replies[-1] and prod_stack.settings.clinic.contact in replies[-1]
    assert BOOKING_RECEIVED not in replies[-1]
    assert handoff_rows(prod_stack, sender) == []
