"""Turning a conversation into a handoff for staff, and saving it before saying so.

Both the booking request and the "talk to a person" question end the same way: build a
`HandoffRequest` from the tracker, commit it through the handoff service, and report
with the `handoff_saved` slot whether it was committed. Rules in data/rules.yml then
confirm it to the patient or, when the database was down, say it was *not* saved and
give the clinic's phone number. The confirmation can therefore never go out for a
request that was not stored.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.eligibility import SCREENING_SLOTS, screening_answers
from actions.form_turns import SAVED_SLOT
from bot.booking import Contact, canonical_contact, find_concern, find_contact
from bot.conversation_ids import sms_number
from bot.handoffs import HandoffStoreUnavailable
from bot.handoffs.request import HandoffRequest
from bot.handoffs.service import SubmitResult, get_handoff_service
from bot.settings import get_settings

logger = logging.getLogger(__name__)

# Messages that carry no question of their own: "talk to a person" looks past them.
NOT_A_QUESTION = frozenset({"request_human", "affirm", "deny", "inform", "greet", "thank", "stop", "goodbye"})
# The slots the forms fill with what the patient told them (not their bookkeeping).
DETAIL_SLOTS = frozenset({"booking_name", "booking_contact", "booking_time", "screening_review", *SCREENING_SLOTS})


def patient_texts(tracker: Tracker) -> List[str]:
    """Everything the patient typed in this conversation, oldest first (no button payloads)."""
    return [
        event.get("text") or ""
        for event in tracker.events
        if event.get("event") == "user" and not (event.get("text") or "").startswith("/")
    ]


def last_question(tracker: Tracker) -> Optional[str]:
    """The patient's most recent message that asked something, for staff to answer.

    A message a form read a detail from (a name, a contact, a time, a screening answer)
    is an answer, whatever it was classified as: "Maria Gonzalez" once reached staff as
    the question of a patient who asked for a person in the middle of a booking.
    """
    answered = False  # a form read a detail from the message being looked at
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") in DETAIL_SLOTS and event.get("value") is not None:
            answered = True
        if event.get("event") != "user":
            continue
        text = (event.get("text") or "").strip()
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if text and not text.startswith("/") and intent not in NOT_A_QUESTION and not answered:
            return text
        answered = False
    return None


def channel_contact(tracker: Tracker) -> Optional[Contact]:
    """On SMS the conversation is the patient's verified number (`sms:<number>`): no need to ask for it."""
    number = sms_number(tracker.sender_id)
    if number is None:
        return None
    return find_contact(number, region=get_settings().clinic.country).contact


def contact_slots(contact: Contact) -> List[EventType]:
    """The slots that hold one validated contact."""
    return [
        SlotSet("booking_contact", contact.value),
        SlotSet("booking_contact_display", contact.display),
        SlotSet("booking_contact_kind", contact.kind),
    ]


def revalidated_contact(value: Any) -> Dict[str, Any]:
    """Slot values for a contact that validates again; empty slots when it does not.

    Forms call this from `validate_booking_contact`, so nothing reaches a handoff that
    bot.booking did not accept, whatever set the slot (the handoff service checks the
    stored contact once more).
    """
    found = canonical_contact(value, region=get_settings().clinic.country)
    if found is None:
        return {"booking_contact": None, "booking_contact_display": None, "booking_contact_kind": None}
    return {event["name"]: event["value"] for event in contact_slots(found)}


def screening_record(answers: Dict[str, bool], review: List[str]) -> Optional[Dict[str, Any]]:
    """Screening answers for staff: each question's yes/no, and what a provider must review."""
    if not answers and not review:
        return None
    return {**answers, **({"review": ", ".join(review)} if review else {})}


def handoff_request(tracker: Tracker, kind: str, **details: Any) -> HandoffRequest:
    """A handoff for this conversation with the details the patient gave so far."""
    answers = {slot: value for slot, value in screening_answers(tracker).items() if value is not None}
    review = tracker.get_slot("screening_review") or []
    values: Dict[str, Any] = dict(
        kind=kind,
        sender_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or "unknown",
        name=tracker.get_slot("booking_name"),
        contact=tracker.get_slot("booking_contact"),
        contact_kind=tracker.get_slot("booking_contact_kind"),
        concern=find_concern(patient_texts(tracker)),
        screening_answers=screening_record(answers, review),
        screening_outcome=tracker.get_slot("screening_outcome"),
    )
    values.update(details)
    return HandoffRequest(**values)


async def submit_handoff(tracker: Tracker, kind: str, **details: Any) -> Optional[SubmitResult]:
    """Build and commit the handoff (off the event loop); None when it was not stored.

    A request the store refuses as invalid counts as not stored, like an outage: the
    patient is then never told it was received.
    """
    try:
        request = handoff_request(tracker, kind, **details)
        result = await asyncio.to_thread(get_handoff_service().submit, request)
    except HandoffStoreUnavailable:
        logger.exception("handoff not saved: the handoff store is unavailable")
        return None
    except ValueError:
        logger.exception("handoff not saved: the request did not validate")
        return None
    logger.info("handoff %s %s", result.handoff.id, "saved" if result.created else "already saved")
    return result


async def save_handoff(tracker: Tracker, kind: str, **details: Any) -> List[EventType]:
    """Commit the handoff (`submit_handoff`) and report it in `handoff_saved`.

    When it was not stored the rules tell the patient so and give the clinic's number,
    never a false confirmation.
    """
    result = await submit_handoff(tracker, kind, **details)
    return [SlotSet(SAVED_SLOT, result is not None)]
