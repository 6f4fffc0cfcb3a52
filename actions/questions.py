"""Two questions in one message, answered in the order asked.

The intent classifier reads "how long does the redness last, and how often should I
come?" as `ask_two_questions` and lists both questions' intents with it
(bot/understanding/question_parts.py); this action sends each one's own response, so the two
answers are the ones a patient gets asking each alone (facts checked in one place).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import question_responses


class ActionAnswerQuestions(Action):
    """Both answers; the fallback's "say it another way" if neither can be found."""

    def name(self) -> Text:
        """Run by the rule for `ask_two_questions`."""
        return "action_answer_questions"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        responses = question_responses(tracker, domain)
        for response in responses:
            dispatcher.utter_message(response=response)
        if not responses:
            dispatcher.utter_message(response="utter_default")
        return []
