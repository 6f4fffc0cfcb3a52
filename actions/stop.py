"""Stopping whatever form is running, with a goodbye that fits it.

"Never mind" during a booking request must make clear nothing was sent; during the
screening, that a provider can still advise at the consultation. The rule for `stop`
runs this action, which reads the active form before ending it.
"""

from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

STOPPED: Dict[str, str] = {
    "booking_form": "utter_booking_stopped",
    "eligibility_form": "utter_screening_stopped",
    "handoff_form": "utter_handoff_stopped",
}


class ActionStopForm(Action):
    """Ends the active form (if any) and says what that means for the patient."""

    def name(self) -> Text:
        """Run by the rule for the `stop` intent."""
        return "action_stop_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Say the form's own stop message and clear the form's pending state."""
        form = (tracker.active_loop or {}).get("name")
        dispatcher.utter_message(response=STOPPED.get(form or "", "utter_stopped"))
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("booking_confirmed", None),
            SlotSet("booking_correcting", False),
            SlotSet("screening_unclear", False),
        ]
