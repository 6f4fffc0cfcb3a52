"""When the bot is unsure, offer the questions the patient most likely meant.

When it is unsure twice in a row, suggestions have failed: the action sets
`repeated_fallback` and a rule hands the conversation to a person (actions/handoff.py).

The rule for `nlu_fallback` first says "I'm not sure I understood" (a domain response,
so it goes out even if this server is down), then runs this action, which turns the
classifier's runner-up intents into buttons. A patient who wrote "hw lng til i cn
sweat" gets a one-tap "When can I wear makeup and work out again?" instead of a dead end.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

MIN_CONFIDENCE = 0.1  # below this, a candidate is noise rather than a likely meaning
MAX_SUGGESTIONS = 3
NOT_SUGGESTED = {"help", "nlu_fallback", "out_of_scope"}
PROMPT = "Or were you asking about one of these?"


def question_titles(domain: Dict[Text, Any]) -> Dict[Text, Text]:
    """Intent -> the question a patient would tap, taken from the domain's own buttons.

    Every follow-up button in domain.yml is `{title: "How long will I be red?",
    payload: /aftercare_redness}`; reusing those titles keeps one wording per question.
    """
    titles: Dict[Text, Text] = {}
    for variants in (domain.get("responses") or {}).values():
        for variant in variants:
            for button in variant.get("buttons") or []:
                payload = button.get("payload", "")
                if payload.startswith("/"):
                    titles.setdefault(payload[1:], button["title"])
    return titles


class ActionSuggestTopics(Action):
    """Buttons for the most likely questions behind a message the bot did not understand."""

    def name(self) -> Text:
        """The action's name in domain.yml and data/rules.yml."""
        return "action_suggest_topics"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """Suggest up to three answerable intents, or flag a repeated misunderstanding."""
        if previous_intent(tracker) == "nlu_fallback":
            return [SlotSet("repeated_fallback", True)]
        titles = question_titles(domain)
        ranking = tracker.latest_message.get("intent_ranking") or []
        likely = [
            item["name"]
            for item in ranking
            if item.get("confidence", 0.0) >= MIN_CONFIDENCE
            and item.get("name") in titles
            and item.get("name") not in NOT_SUGGESTED
        ][:MAX_SUGGESTIONS]
        if likely:
            dispatcher.utter_message(
                text=PROMPT,
                buttons=[{"title": titles[intent], "payload": f"/{intent}"} for intent in likely],
            )
        return [SlotSet("repeated_fallback", False)]


def previous_intent(tracker: Tracker) -> str:
    """The intent of the patient's message before the latest one ('' if none)."""
    messages = [event for event in tracker.events if event.get("event") == "user"]
    if len(messages) < 2:
        return ""
    return ((messages[-2].get("parse_data") or {}).get("intent") or {}).get("name") or ""
