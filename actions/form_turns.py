"""What a form does with each patient message: read an answer, answer a question, or let go.

All three forms (eligibility screening, booking request, question for staff) validate
free text the same way, so the decision lives here once:

* a message that ends the form (stop, goodbye, a red flag, a request for a person or
  for another form) is *rejected*: the validation action fills nothing, Rasa rejects
  the form, and a rule in data/rules.yml answers and deactivates it;
* otherwise the form reads what it can from the text (the subclass's
  `get_extraction_events`); whatever it read is validated by its `validate_<slot>`
  methods and the form asks for what is still missing;
* when nothing could be read and the message is a question the bot can answer (an
  FAQ, aftercare, price...), the answer is sent right here and the form asks its
  question again, in the same turn. This keeps the patient in the form without one
  "interrupted form" rule per intent and form.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import FrozenSet, List, Set, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.understanding.question_parts import QUESTIONS_KEY, TWO_QUESTIONS_INTENT, asks_a_question

REQUESTED_SLOT = "requested_slot"
SAVED_SLOT = "handoff_saved"
MISSES_SLOT = "form_misses"
MISSES_BEFORE_HELP = 2  # unusable answers in a row before a person is offered

# What the patient told the forms: who they are, how to reach them, when, and their
# screening answers. Kept only while the request they are for is open: forgotten once
# it is saved (or could not be), on "never mind" and on goodbye (`ActionForgetDetails`),
# and never carried into a new session (domain.yml: carry_over_slots_to_new_session).
# A completed screening is kept for the booking it offers (the handoff tells staff the
# outcome), and a red flag forgets nothing: a second one in the same session still
# reaches staff with the contact the patient gave.
PERSONAL_SLOTS: Tuple[str, ...] = (
    "pregnant_or_nursing",
    "active_acne",
    "keloids",
    "screening_review",
    "screening_outcome",
    "screening_unclear",
    "booking_name",
    "booking_contact",
    "booking_contact_display",
    "booking_contact_kind",
    "booking_time",
    "booking_confirmed",
    "booking_correcting",
    "handoff_contact_declined",
)

# Messages that end any form; each has a rule that answers it and deactivates the form.
ENDING_INTENTS: FrozenSet[str] = frozenset(
    {
        "stop",
        "goodbye",
        "red_flag_emergency",
        "red_flag_urgent",
        "request_human",
        "request_booking",
        "check_eligibility",
    }
)
# Messages that are (or may be) answers; never answered with their own response mid-form.
ANSWER_INTENTS: FrozenSet[str] = frozenset(
    {"affirm", "deny", "inform", "greet", "thank", "nlu_fallback", "out_of_scope"}
)


def latest_intent(tracker: Tracker) -> str:
    """The intent of the patient's latest message ('' when there is none)."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def latest_text(tracker: Tracker) -> str:
    """The text of the patient's latest message; button payloads are not text."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def question_responses(tracker: Tracker, domain: DomainDict) -> List[str]:
    """The responses that answer the latest message: its intent's own, or, for a message
    the classifier read as two questions, each question's in the order asked."""
    intent = latest_intent(tracker)
    asked = (tracker.latest_message.get(QUESTIONS_KEY) or []) if intent == TWO_QUESTIONS_INTENT else [intent]
    responses = domain.get("responses") or {}
    return [f"utter_{name}" for name in asked if isinstance(name, str) and f"utter_{name}" in responses]


def inline_answer(tracker: Tracker, domain: DomainDict) -> List[str]:
    """The responses that answer the latest message mid-form, if it is a question."""
    if latest_intent(tracker) in ANSWER_INTENTS:
        return []
    return question_responses(tracker, domain)


def accepted(events: List[EventType], form_slots: Set[str]) -> bool:
    """Whether the events keep a value for one of the form's slots."""
    return any(e["name"] in form_slots and e.get("value") is not None for e in events if e.get("event") == "slot")


def forget_details() -> List[EventType]:
    """Events that empty every slot of `PERSONAL_SLOTS`."""
    return [SlotSet(slot, None) for slot in PERSONAL_SLOTS]


def filled_slots(events: List[EventType]) -> List[str]:
    """Slots (other than `requested_slot`) that a list of events sets, even to None."""
    return [event["name"] for event in events if event.get("event") == "slot" and event.get("name") != REQUESTED_SLOT]


class GuardedFormValidation(FormValidationAction):
    """A form validation that knows when a message is not meant for the form.

    Subclasses read the message in `get_extraction_events` (returning `SlotSet`s for the
    form's slots and for any extra bookkeeping slots) and validate each form slot in
    `validate_<slot>`. They may override `own_intents` (intents that belong to this form
    and so never end it) and `reprompt` (what to say when nothing could be read).
    """

    #: intents that start this form; they are answers here, not a reason to leave
    own_intents: FrozenSet[str] = frozenset()

    @property
    @abstractmethod
    def form(self) -> str:
        """The form's name in domain.yml (abstract, so rasa-sdk does not serve this base)."""

    def name(self) -> Text:
        """Rasa runs `validate_<form>` after every message while the form is active."""
        return f"validate_{self.form}"

    def is_activation(self, tracker: Tracker, domain: DomainDict) -> bool:
        """True on the turn that starts the form: it has not asked any of its questions yet.

        Rasa runs the validation on activation with the loop already marked active, so
        the active loop cannot tell; the requested slot can (it is None, or another
        form's slot, until this form asks its first question).
        """
        return tracker.get_slot(REQUESTED_SLOT) not in self.domain_slots(domain)

    def ends_form(self, tracker: Tracker) -> bool:
        """Whether the latest message should end this form (handled by a rule)."""
        return latest_intent(tracker) in ENDING_INTENTS - self.own_intents

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Read the message, validate it, and keep extra slots that rasa-sdk would drop."""
        activation = self.is_activation(tracker, domain)
        if not activation and self.ends_form(tracker):
            return []  # Rasa rejects the form; the message's own rule answers it
        extracted = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extracted)
        form_slots = set(self.domain_slots(domain))
        extras = [event for event in extracted if event["name"] not in form_slots]
        validated = await self.get_validation_events(dispatcher, tracker, domain)
        tracker.add_slots(validated)
        events: List[EventType] = extras + validated
        requested = tracker.get_slot(REQUESTED_SLOT)
        if activation:
            events.append(SlotSet(MISSES_SLOT, 0))
            if tracker.get_slot(SAVED_SLOT) is not None:
                # An earlier request's outcome must not confirm this one: if saving this
                # one fails before it can report, no rule may find `handoff_saved: true`.
                events.append(SlotSet(SAVED_SLOT, None))
        elif requested:
            if not filled_slots(validated):
                events += self.not_read(dispatcher, tracker, domain, requested)
            elif asks_a_question(latest_text(tracker)):
                # Details and a question at once ("Priya Raman, 555-213-0045 - is the
                # consultation free?"): the details are kept and the question answered.
                for response in inline_answer(tracker, domain):
                    dispatcher.utter_message(response=response)
            events += self.count_misses(dispatcher, tracker, domain, accepted=accepted(validated, form_slots))
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        if next_slot:
            events.append(next_slot)
        return events

    def not_read(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, requested: str
    ) -> List[EventType]:
        """Nothing was read: answer the patient's question if it is one, else ask again.

        Setting the requested slot (to its empty value) tells Rasa the form handled the
        message, so the form goes on and repeats its question.
        """
        responses = inline_answer(tracker, domain)
        for response in responses:
            dispatcher.utter_message(response=response)
        if not responses:
            self.reprompt(dispatcher, tracker, requested)
        return [SlotSet(requested, None)]

    def count_misses(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, accepted: bool
    ) -> List[EventType]:
        """After answers the form could not use twice in a row, offer a person or a way out.

        A patient who cannot answer a question the way the form needs should not be
        asked it forever; a question the bot answered along the way is not a miss.
        """
        if accepted:
            misses = 0
        elif inline_answer(tracker, domain):
            misses = int(tracker.get_slot(MISSES_SLOT) or 0)
        else:
            misses = int(tracker.get_slot(MISSES_SLOT) or 0) + 1
        if misses >= MISSES_BEFORE_HELP:
            dispatcher.utter_message(response="utter_form_offer_help")
            misses = 0
        return [SlotSet(MISSES_SLOT, misses)]

    def reprompt(self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: str) -> None:
        """Say why the question comes again; the form then repeats the question itself."""
        dispatcher.utter_message(text="Sorry, I didn't catch that.")
