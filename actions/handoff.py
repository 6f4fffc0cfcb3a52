"""A question for a person: "talk to a human", or the bot failing to understand twice.

The patient's last question and, if they give one, a phone number or e-mail become a
handoff of kind `question`. A contact already known (from a booking request, or the
SMS sender's number) is not asked again; "skip" is respected and the question is still
passed on, with the clinic's number for the patient.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import CONTACT_HELP
from actions.form_turns import GuardedFormValidation, latest_intent, latest_text
from actions.handoff_requests import (
    channel_contact,
    contact_slots,
    last_question,
    revalidated_contact,
    save_handoff,
)
from bot import patterns
from bot.booking import find_contact, read_details
from bot.settings import get_settings

DECLINE = patterns.compile(
    r"^\s*(skip|no|nope|nah|no thanks|i'?d rather not|rather not|don'?t want to)\b", patterns.IGNORECASE
)


class ValidateHandoffForm(GuardedFormValidation):
    """Asks how staff can reach the patient, unless it is known or they decline."""

    form = "handoff_form"
    own_intents = frozenset({"request_human"})

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """Nothing more to ask once the patient declined to share a contact."""
        return [] if tracker.get_slot("handoff_contact_declined") else domain_slots

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """A phone number or e-mail in the message, the SMS sender, or a decline."""
        text = latest_text(tracker)
        clinic = get_settings().clinic
        result = find_contact(text, region=clinic.country, home=clinic.phone)
        contact = result.contact or channel_contact(tracker)
        # "Lucía Fernández, 786 555 0102": the name staff should ask for, when given.
        name = read_details(text, asked=None, region=clinic.country, home=clinic.phone).name
        named = [SlotSet("booking_name", name)] if name else []
        if contact:
            return named + contact_slots(contact) + [SlotSet("handoff_contact_declined", False)]
        if result.attempted:
            dispatcher.utter_message(text=CONTACT_HELP)
            return [SlotSet("booking_contact", None)]
        if self.is_activation(tracker, domain):
            return [SlotSet("handoff_contact_declined", False)]
        if latest_intent(tracker) == "deny" or DECLINE.match(text):
            return [SlotSet("handoff_contact_declined", True)]
        return []

    def validate_booking_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Only a phone number or e-mail that validates again is kept (with its display form)."""
        return revalidated_contact(value)


class ActionSubmitQuestion(Action):
    """Stores the question for staff; rules then confirm it or apologise."""

    def name(self) -> Text:
        """Run by the rule that follows a completed `handoff_form`."""
        return "action_submit_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Commit a `question` handoff with the patient's last question."""
        saved = await save_handoff(tracker, "question", question=last_question(tracker))
        return saved + [SlotSet("repeated_fallback", False)]
