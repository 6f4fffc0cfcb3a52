"""A red flag reaches a person: every red-flag message becomes a `red_flag` handoff.

The rules in data/rules.yml answer a red flag with `utter_red_flag_emergency` or
`utter_red_flag_urgent` first (from the Rasa server, so it goes out even when this
action server is down), then run this action. It commits a handoff with the
patient's message, the channel, a contact when one is known (the SMS sender's number,
or a contact given for a booking) and the symptom groups the red-flag detector put on
the message as `red_flag` entities ("unspecified" when the model alone flagged it).
The handoff service e-mails staff at once; the store keeps it to one alert per
conversation, group and hour.

Only once the record is committed does the patient read that the team was alerted;
when it could not be stored the action says nothing about alerting and repeats whom
to call now.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import latest_intent, latest_text
from actions.handoff_requests import channel_contact, submit_handoff
from bot.db.models import RED_FLAG
from bot.handoffs.red_flags import groups_from_entities
from bot.understanding.escalation import RED_FLAG_INTENTS
from bot.understanding.red_flag_rules import EMERGENCY, URGENT

# What the patient reads after the first answer: alerted (the handoff is committed),
# or, when it could not be stored, only whom to call now.
ALERTED = {EMERGENCY: "utter_red_flag_alerted_emergency", URGENT: "utter_red_flag_alerted_urgent"}
CALL_NOW = {EMERGENCY: "utter_red_flag_call_now_emergency", URGENT: "utter_red_flag_call_now_urgent"}


def red_flag_level(tracker: Tracker) -> str:
    """EMERGENCY or URGENT, from the latest message's intent (urgent if it is neither)."""
    return RED_FLAG_INTENTS.get(latest_intent(tracker), URGENT)


def red_flag_groups(tracker: Tracker) -> List[str]:
    """The latest message's red-flag groups, in the detector's order; ["unspecified"] if none."""
    return groups_from_entities(tracker.latest_message.get("entities"))


def contact_details(tracker: Tracker) -> Dict[str, Any]:
    """On SMS the sender's number (staff can call it back); elsewhere what the patient gave.

    An empty dict keeps the booking contact `handoff_request` reads from the slots.
    """
    contact = channel_contact(tracker)
    return {"contact": contact.value, "contact_kind": contact.kind} if contact else {}


class ActionRedFlagHandoff(Action):
    """Commits a `red_flag` handoff, then tells the patient the team was alerted (or whom to call)."""

    def name(self) -> Text:
        """Run by the red-flag rules, right after the first answer."""
        return "action_red_flag_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Save the handoff; confirm the alert only when it is stored."""
        level = red_flag_level(tracker)
        result = await submit_handoff(
            tracker,
            RED_FLAG,
            question=latest_text(tracker) or None,
            red_flags=red_flag_groups(tracker),
            **contact_details(tracker),
        )
        dispatcher.utter_message(response=ALERTED[level] if result is not None else CALL_NOW[level])
        return []
