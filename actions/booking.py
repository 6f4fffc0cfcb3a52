"""Booking request: name, phone or e-mail, preferred time, a read-back, then staff.

The form asks for exactly three things and skips any the patient already gave ("I'm
Priya Shah, 646-555-0123, Saturdays" fills all three at once). Parsing and validation
are bot.booking's job (phonenumbers / email-validator, name rules); this module decides
what to ask and what to say. The patient's "yes" to the read-back is also their consent
to be contacted; only then is the request stored and handed to staff.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import (
    ANSWER_INTENTS,
    REQUESTED_SLOT,
    GuardedFormValidation,
    inline_answer,
    latest_intent,
    latest_text,
)
from actions.handoff_requests import (
    channel_contact,
    contact_slots,
    revalidated_contact,
    save_handoff,
)
from bot import patterns
from bot.booking import corrected_name, find_contact, read_confirmation, read_details, validate_name
from bot.handoffs.request import booking_kind
from bot.settings import get_settings
from bot.understanding.question_parts import asks_a_question

# Which slot each free-text reader fills, and what the reader calls it.
ASKED = {"booking_name": "name", "booking_contact": "contact", "booking_time": "preferred_time"}
# "change the phone number": which detail a correction is about, when no new value came with it.
DETAIL_WORDS = {
    "booking_name": patterns.compile(r"\bname\b", patterns.IGNORECASE),
    "booking_contact": patterns.compile(r"\b(phone|number|cell|mobile|e-?mail|contact)\b", patterns.IGNORECASE),
    "booking_time": patterns.compile(r"\b(time|day|days|date|when)\b", patterns.IGNORECASE),
}

NAME_HELP = "Sorry, I couldn't read that as a name. Please type just your name in letters, for example Sam Lee."
CONTACT_HELP = (
    "Hmm, that doesn't look like a complete phone number or email. Could you check it and "
    "send it again? For example 617-555-0142 or name@example.com."
)
CONFIRM_HELP = "Please reply yes if the details are right, or no to change something."
WHICH_DETAIL = (
    "No problem. Which detail should I change? Send the correct name, phone number or "
    "email, or preferred time, or say never mind to stop."
)


# What a detail is called when the patient changes it before the read-back.
CHANGED_LABELS = {"booking_name": "name", "booking_contact_display": "contact", "booking_time": "preferred time"}


def _acknowledge_changes(dispatcher: CollectingDispatcher, tracker: Tracker, events: List[EventType]) -> None:
    """Say which detail a correction out of turn changed ("oh wait make it thursday
    mornings instead" while the form asks for the name): the patient sees it was taken."""
    for event in events:
        label = CHANGED_LABELS.get(event.get("name"))
        before = tracker.get_slot(event["name"]) if label else None
        if label and before is not None and event.get("value") not in (None, before):
            dispatcher.utter_message(text=f"Got it, I've changed your {label} to: {event['value']}")


_FIRST_SENTENCE = patterns.compile(r"^\s*([^.!?\n]+)[.!\n]\s*\S")


def _leading_sentence_name(text: str) -> Optional[str]:
    """A first sentence that is a name, when more follows it."""
    found = _FIRST_SENTENCE.search(text)
    return validate_name(found.group(1)) if found else None


class ValidateBookingForm(GuardedFormValidation):
    """Reads booking details from any message while the booking form runs."""

    form = "booking_form"
    own_intents = frozenset({"request_booking"})

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Every detail this message gives, whichever question was asked."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = latest_text(tracker)
        # A bare answer is a name when the form asked for one, when the patient is
        # correcting the read-back, or when the message that started the form was just
        # a name ("Ben Adeyemi", classified as `inform`).
        # A yes or no at the read-back is never a name ("Perfect", "Nope").
        bare_name = (
            bool(tracker.get_slot("booking_correcting"))
            and not (requested == "booking_confirmed" and read_confirmation(text) is not None)
        ) or (self.is_activation(tracker, domain) and latest_intent(tracker) == "inform")
        # A question the assistant can answer is not a bare answer to the form's question:
        # "before I choose the time, how long is the numbing?" is answered, then the
        # form asks again (GuardedFormValidation), instead of becoming the preferred time.
        asked = None if asks_a_question(text) and inline_answer(tracker, domain) else ASKED.get(requested)
        clinic = get_settings().clinic
        details = read_details(
            text, asked=asked, region=clinic.country, home=clinic.phone, time_before=tracker.get_slot("booking_time")
        )
        events: List[EventType] = []
        name = (
            corrected_name(text, tracker.get_slot("booking_name"))
            or details.name
            or (validate_name(text) if bare_name else None)
        )
        if not name and requested == "booking_name" and asked is None:
            # "Tomasz Wren. quick q tho how long is the appointment": the name asked
            # for, then a question (answered by the form's usual turn handling).
            name = _leading_sentence_name(text)
        if name:
            events.append(SlotSet("booking_name", name))
        contact = details.contact.contact or (
            channel_contact(tracker) if tracker.get_slot("booking_contact") is None else None
        )
        if contact:
            events.extend(contact_slots(contact))
        elif details.contact.attempted:
            events.append(SlotSet("booking_contact", None))
            dispatcher.utter_message(text=CONTACT_HELP)
        if details.preferred_time:
            events.append(SlotSet("booking_time", details.preferred_time))
        if requested != "booking_confirmed":
            _acknowledge_changes(dispatcher, tracker, events)
        if requested == "booking_confirmed":
            changed = any(tracker.get_slot(event["name"]) != event["value"] for event in events)
            events.extend(self._read_confirmation(dispatcher, tracker, text, changed=changed))
        return events

    @staticmethod
    def _read_confirmation(
        dispatcher: CollectingDispatcher, tracker: Tracker, text: str, changed: bool
    ) -> List[EventType]:
        """Yes confirms; no asks what to change; a new detail is read back again; else ask yes or no.

        A yes that also changes a detail ("yes, but make it Fridays") is read back again:
        staff get only what the patient saw and agreed to.
        """
        if changed:
            return [SlotSet("booking_confirmed", None), SlotSet("booking_correcting", False)]
        reply = read_confirmation(text)
        if reply is True or (reply is None and latest_intent(tracker) == "affirm"):
            return [SlotSet("booking_confirmed", True), SlotSet("booking_correcting", False)]
        if reply is False or latest_intent(tracker) == "deny":
            dispatcher.utter_message(text=WHICH_DETAIL)
            return [SlotSet("booking_confirmed", None), SlotSet("booking_correcting", True)]
        for slot, words in DETAIL_WORDS.items():
            if words.search(text):  # "change the time": ask for that detail again
                return [SlotSet(slot, None), SlotSet("booking_confirmed", None), SlotSet("booking_correcting", False)]
        if latest_intent(tracker) in ANSWER_INTENTS:
            dispatcher.utter_message(text=CONFIRM_HELP)
            return [SlotSet("booking_confirmed", None)]
        return []  # a question: answered by the form's usual turn handling

    def reprompt(self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: str) -> None:
        """Each question says what it needs; the form repeats it after this."""
        if requested == "booking_contact" and find_contact(latest_text(tracker)).attempted:
            dispatcher.utter_message(text=CONTACT_HELP)  # not for a question it could not answer
        elif requested == "booking_name":
            dispatcher.utter_message(text=NAME_HELP)
        else:
            super().reprompt(dispatcher, tracker, requested)

    def validate_booking_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Only a name that passes bot.booking's rules is kept."""
        return {"booking_name": validate_name(value) if isinstance(value, str) else None}

    def validate_booking_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Only a phone number or e-mail that validates again is kept (with its display form)."""
        return revalidated_contact(value)

    def validate_booking_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Free text, already cleaned and capped by bot.booking."""
        return {"booking_time": value if isinstance(value, str) and value.strip() else None}

    def validate_booking_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Only an explicit yes confirms."""
        return {"booking_confirmed": True if value is True else None}


def read_back(tracker: Tracker) -> str:
    """The request as it will reach staff, for the patient to confirm."""
    return (
        "Here's your request:\n"
        f"Name: {tracker.get_slot('booking_name')}\n"
        f"Contact: {tracker.get_slot('booking_contact_display')}\n"
        f"Preferred time: {tracker.get_slot('booking_time')}\n"
        "Is that all correct? If you say yes, our team will contact you about it."
    )


class ActionAskBookingConfirmed(Action):
    """Reads the details back (or asks which one to change) before anything is sent."""

    def name(self) -> Text:
        """Rasa asks for the `booking_confirmed` slot with this action."""
        return "action_ask_booking_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """The read-back with yes / change buttons; nothing when a change was just asked."""
        if tracker.get_slot("booking_correcting"):
            return []  # WHICH_DETAIL was just said; wait for the corrected detail
        dispatcher.utter_message(
            text=read_back(tracker),
            buttons=[
                {"title": "Yes, that's right", "payload": "/affirm"},
                {"title": "Change something", "payload": "/deny"},
            ],
        )
        return []


class ActionSubmitBooking(Action):
    """Stores the confirmed request for staff; rules then confirm it or apologise."""

    def name(self) -> Text:
        """Run by the rule that follows a completed `booking_form`."""
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Commit the handoff; a screening concern makes it a `screening` handoff."""
        kind = booking_kind(tracker.get_slot("screening_outcome"))
        saved = await save_handoff(tracker, kind, preferred_time=tracker.get_slot("booking_time"))
        return saved + [
            SlotSet("booking_confirmed", None),
            SlotSet("booking_correcting", False),
        ]
