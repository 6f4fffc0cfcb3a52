"""Forgetting what the patient told a form, once the request it was for is handled.

A name, a phone number, a preferred time and the screening answers are needed until the
request is saved; after that they are only a risk: the conversation goes on (and, before
this, was carried into every later session), so an answer given for one request could
be read back in another. Rules in data/rules.yml run this action after a booking or a
question is confirmed (or could not be saved), after "never mind" and after goodbye.
The handoff keeps what staff need; the conversation keeps nothing of it.
"""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import forget_details


class ActionForgetDetails(Action):
    """Empties the slots that hold what the patient told the forms (`PERSONAL_SLOTS`)."""

    def name(self) -> Text:
        """Run by the rules that close a request."""
        return "action_forget_details"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Say nothing; forget the details."""
        return forget_details()
