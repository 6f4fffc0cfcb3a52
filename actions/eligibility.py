"""Eligibility screening: the form's questions, how answers are read, and the outcome.

What the questions say, which words count as an answer and what the outcome texts are
all live in clinic/screening.yml (read by bot.screening), so the clinic's medical
director edits them without touching this module. This module only connects that
file to the Rasa form `eligibility_form`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import REQUESTED_SLOT, GuardedFormValidation, latest_text
from bot import patterns
from bot.screening import NOT_RECOMMENDED, Screening, get_screening

SCREENING_SLOTS = ("pregnant_or_nursing", "active_acne", "keloids")
BOOK_BUTTONS = [
    {"title": "Request a consultation", "payload": "/request_booking"},
    {"title": "Not now", "payload": "/deny"},
]


def screening_answers(tracker: Tracker) -> Dict[str, Optional[bool]]:
    """The screening answers so far: True (has it), False (does not), None (not asked)."""
    return {slot: tracker.get_slot(slot) for slot in SCREENING_SLOTS}


class ValidateEligibilityForm(GuardedFormValidation):
    """Reads screening answers from free text, several at once, volunteered or asked."""

    form = "eligibility_form"
    own_intents = frozenset({"check_eligibility"})

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """All three questions, unless one answer already rules CIT out for now.

        The answered slots stay in the list (so this turn's answers are validated);
        only the unanswered ones are dropped, which ends the form early.
        """
        answers = screening_answers(tracker)
        if any(answers.values()):
            return [slot for slot in domain_slots if answers.get(slot) is not None]
        return domain_slots

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Every screening fact in the message, plus conditions a provider must review."""
        screening = get_screening()
        text = latest_text(tracker)
        asked = tracker.get_slot(REQUESTED_SLOT)
        asked = asked if asked in SCREENING_SLOTS else None
        events: List[EventType] = [
            SlotSet(slot, value) for slot, value in screening.interpret(text, asked=asked).items()
        ]
        known = list(tracker.get_slot("screening_review") or [])
        new = [c.key for c in screening.review_conditions(text) if c.key not in known]
        if new:
            events.append(SlotSet("screening_review", known + new))
        if self.is_activation(tracker, domain):
            events.extend(self._introduce(dispatcher, tracker, screening, events))
        return events

    def _introduce(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        screening: Screening,
        events: List[EventType],
    ) -> List[EventType]:
        """Say what the screening is before its first question (not when none remains)."""
        answers = screening_answers(tracker)
        answers.update({e["name"]: e["value"] for e in events if e["name"] in SCREENING_SLOTS})
        if screening.next_question(answers) is not None:
            dispatcher.utter_message(text=screening.intro)
        return [SlotSet("screening_unclear", False)]

    def reprompt(self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: str) -> None:
        """The question comes back in plainer words (see `AskScreeningQuestion`)."""

    def not_read(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, requested: str
    ) -> List[EventType]:
        """Remember that the answer was unclear, so the question is asked more plainly."""
        return super().not_read(dispatcher, tracker, domain, requested) + [SlotSet("screening_unclear", True)]

    def _validate_answer(self, slot: str, value: Any) -> Dict[Text, Any]:
        """Only a yes or a no is an answer; anything else asks again."""
        return {slot: value if isinstance(value, bool) else None, "screening_unclear": False}

    def validate_pregnant_or_nursing(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Pregnant or nursing: true / false."""
        return self._validate_answer("pregnant_or_nursing", value)

    def validate_active_acne(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Active acne breakouts: true / false."""
        return self._validate_answer("active_acne", value)

    def validate_keloids(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Keloid-prone skin: true / false."""
        return self._validate_answer("keloids", value)


class AskScreeningQuestion(Action, ABC):
    """Asks one screening question in the words of clinic/screening.yml.

    Rasa asks for a form slot with `action_ask_<slot>`; one subclass per question names it.
    After an unclear answer the question's plainer `reask` wording is used instead.
    """

    @property
    @abstractmethod
    def slot(self) -> str:
        """The screening slot this action asks for (abstract: the base is not an action)."""

    def name(self) -> Text:
        """`action_ask_<slot>`, the name Rasa looks up to ask for a slot."""
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Ask the question (more plainly after an unclear answer)."""
        question = get_screening().question(self.slot)
        unclear = bool(tracker.get_slot("screening_unclear"))
        dispatcher.utter_message(text=question.reask if unclear else question.ask)
        return [SlotSet("screening_unclear", False)] if unclear else []


class AskPregnantOrNursing(AskScreeningQuestion):
    """Asks whether the patient is pregnant or nursing."""

    slot = "pregnant_or_nursing"


class AskActiveAcne(AskScreeningQuestion):
    """Asks whether the patient has active acne breakouts."""

    slot = "active_acne"


class AskKeloids(AskScreeningQuestion):
    """Asks whether the patient's skin forms keloids."""

    slot = "keloids"


class ActionScreeningOutcome(Action):
    """Tells the patient what their answers mean, and offers to book a consultation."""

    def name(self) -> Text:
        """Run by the rule that follows a completed `eligibility_form`."""
        return "action_screening_outcome"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Send the outcome texts; the last one carries the booking buttons.

        A patient who already asked to book ("check I can have it, then book me in") and
        may be a candidate is not asked again: the booking request starts at once.
        """
        outcome = get_screening().outcome(screening_answers(tracker), review=tracker.get_slot("screening_review") or [])
        *first, last = outcome.messages
        for text in first:
            dispatcher.utter_message(text=text)
        book_now = outcome.kind != NOT_RECOMMENDED and asked_to_book(tracker)
        # A rule starts the booking when `book_after_screening` is set (data/rules.yml).
        dispatcher.utter_message(text=last, buttons=[] if book_now else BOOK_BUTTONS)
        return [SlotSet("screening_outcome", outcome.kind), SlotSet("book_after_screening", book_now)]


# A booking asked for in so many words, whatever the message was classified as.
_BOOKING_WORDS = patterns.compile(r"\b(book|booking|appointment|appt|schedule|sign me up)\b", patterns.IGNORECASE)


def asked_to_book(tracker: Tracker) -> bool:
    """Whether the patient asked to book since the last request was submitted."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == "action_submit_booking":
            return False
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent == "request_booking" or _BOOKING_WORDS.search(event.get("text") or ""):
                return True
    return False
