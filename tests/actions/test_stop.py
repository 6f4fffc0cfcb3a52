"""Stopping a form says what stopping means for that form."""

import pytest

from actions.stop import ActionStopForm
from tests.actions.conftest import run, slots_set, tracker_for


@pytest.mark.parametrize(
    "form, response",
    [("booking_form", "utter_booking_stopped"), ("eligibility_form", "utter_screening_stopped"),
     ("handoff_form", "utter_handoff_stopped"), (None, "utter_stopped")],
)  # fmt: skip
def test_stop_ends_the_form_with_its_own_message(form, response):
    messages, events = run(ActionStopForm(), tracker_for("never mind", "stop", form=form))
    assert [m["response"] for m in messages] == [response]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert slots_set(events)["requested_slot"] is None
