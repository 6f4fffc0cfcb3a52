"""ActionSuggestTopics turns the classifier's runner-up intents into question buttons."""

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionSuggestTopics, question_titles
from bot.settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
ANSWERABLE = [i for i in DOMAIN["intents"] if i.startswith(("faq_", "aftercare_")) and i != "faq_not_covered"]


def _run(ranking):
    tracker = Tracker(
        "patient", {}, {"text": "hw lng til i cn sweat", "intent_ranking": ranking}, [], False, None, {}, ""
    )
    dispatcher = CollectingDispatcher()
    events = ActionSuggestTopics().run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


def test_every_answerable_question_has_a_button_title():
    titles = question_titles(DOMAIN)
    assert [i for i in ANSWERABLE if i not in titles] == []


def test_likely_questions_become_buttons_in_ranking_order():
    messages, events = _run(
        [
            {"name": "nlu_fallback", "confidence": 0.45},
            {"name": "aftercare_first_48h", "confidence": 0.40},
            {"name": "out_of_scope", "confidence": 0.30},
            {"name": "aftercare_redness", "confidence": 0.20},
            {"name": "faq_numbing", "confidence": 0.12},
            {"name": "faq_pain", "confidence": 0.11},
            {"name": "faq_device", "confidence": 0.05},
        ]
    )
    assert events == [{"event": "slot", "timestamp": None, "name": "repeated_fallback", "value": False}]
    [message] = messages
    assert message["text"] == "Or were you asking about one of these?"
    assert [b["payload"] for b in message["buttons"]] == ["/aftercare_first_48h", "/aftercare_redness", "/faq_numbing"]
    assert message["buttons"][1]["title"] == "How long will I be red?"


def test_nothing_is_suggested_when_nothing_is_likely():
    messages, _ = _run([{"name": "nlu_fallback", "confidence": 0.45}, {"name": "faq_pain", "confidence": 0.05}])
    assert messages == []


def test_a_message_without_ranking_is_handled():
    messages, _ = _run([])
    assert messages == []


def test_a_second_misunderstanding_in_a_row_asks_for_a_person_instead_of_buttons():
    not_understood = {"event": "user", "text": "xyz", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    tracker = Tracker(
        "patient", {}, {"text": "qwerty", "intent_ranking": [{"name": "faq_pain", "confidence": 0.3}]},
        [not_understood, {**not_understood, "text": "qwerty"}], False, None, {}, "",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = ActionSuggestTopics().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []
    assert [(e["name"], e["value"]) for e in events] == [("repeated_fallback", True)]
