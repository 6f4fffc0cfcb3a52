"""The intent classifier: trained from the examples' text, stored with the model, read back."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.components.intent_classifier import Spelled, TextIntentClassifier, question_sentence

EXAMPLES = {
    "faq_pain": ["does it hurt", "is microneedling painful", "how much pain is there", "will it sting"],
    "faq_numbing": ["do you numb my face", "how long does the numbing cream stay on", "is there anesthetic cream"],
    "out_of_scope": ["what's the weather tomorrow", "set a timer for ten minutes", "convert miles to km"],
}


@pytest.fixture
def trained(tmp_path: Path):
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    examples = [Message(data={"text": text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    classifier = TextIntentClassifier.create({}, storage, resource, context)
    assert classifier.train(TrainingData(training_examples=examples)) == resource
    return classifier, TextIntentClassifier.load({}, storage, resource, context)


def test_a_typo_and_shorthand_still_find_the_intent_and_the_ranking_is_sorted(trained):
    _, loaded = trained
    [message] = loaded.process([Message(data={"text": "dose it hurt alot"})])
    assert message.get("intent")["name"] == "faq_pain"
    confidences = [item["confidence"] for item in message.get("intent_ranking")]
    assert confidences == sorted(confidences, reverse=True) and sum(confidences) == pytest.approx(1.0)


def test_the_stored_model_answers_as_the_trained_one(trained):
    fitted, loaded = trained
    texts = ["numbing cream how long", "weather tmrw?"]
    assert loaded.rankings(texts) == fitted.rankings(texts)


def test_an_empty_message_gets_no_intent_rather_than_a_guess(trained):
    _, loaded = trained
    [message] = loaded.process([Message(data={"text": "   "})])
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


def test_shorthand_is_spelled_out_before_the_word_features():
    spelled = Spelled({"lng": "long", "dermapen": "microneedling"})
    assert spelled("How LNG after the Dermapen?") == "how long after the microneedling ?"


def test_editing_the_shorthand_list_changes_the_fingerprint_so_rasa_retrains(tmp_path: Path, monkeypatch):
    before = TextIntentClassifier.fingerprint_addon({})
    edited = tmp_path / "domain_terms.yml"
    edited.write_text("long: [lng, looong]\n", encoding="utf-8")
    monkeypatch.setattr("bot.rasa_server.components.intent_classifier.TERMS_FILE", edited)
    assert TextIntentClassifier.fingerprint_addon({}) != before


def test_a_long_message_is_read_by_its_question_when_the_story_drowns_it(trained):
    _, loaded = trained
    story = (
        "My daughter booked this for me as a gift and I said yes. I don't drive so my neighbour will "
        "bring me and we will stop for lunch. What's the weather tomorrow?"
    )
    whole = loaded.pipeline.predict_proba([story])[0].max()
    [message] = loaded.process([Message(data={"text": story})])
    assert message.get("intent")["name"] == "out_of_scope"
    assert message.get("intent")["confidence"] > whole


def test_the_question_sentence_is_the_last_one_asked_and_a_short_message_has_none():
    assert question_sentence("does it hurt") is None
    assert question_sentence("Hi there. Does it hurt? Thanks so much.") == "Does it hurt?"
    assert question_sentence("I had it on Monday.\nNow it is flaking a lot") == "Now it is flaking a lot"
    assert question_sentence("Ok. Hi! does it hurt") is None  # one sentence of two words or more


def test_rasa_hands_the_conversation_to_the_classifier_at_inference():
    """bot.understanding.follow_up relies on Rasa's recipe resolving a `tracker` argument of
    `process` to the conversation's tracker (rasa/engine/recipes/default_recipe.py):
    an upgrade that drops it would silently end follow-ups."""
    from rasa.engine.constants import PLACEHOLDER_TRACKER
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    needs = DefaultV1Recipe()._get_needs_from_args(TextIntentClassifier, "process")
    assert needs == {"tracker": PLACEHOLDER_TRACKER}


def test_a_follow_up_is_answered_on_the_previous_topic(trained):
    _, loaded = trained
    before = SimpleNamespace(latest_message=SimpleNamespace(intent={"name": "faq_numbing"}, parse_data={}))
    text = "and for that bit?"  # alone: nothing the classifier can place
    [alone] = loaded.process([Message(data={"text": text})])
    [in_context] = loaded.process([Message(data={"text": text})], tracker=before)
    assert alone.get("intent")["name"] == "out_of_scope"
    assert in_context.get("intent")["name"] == "faq_numbing"
    in_form = SimpleNamespace(active_loop_name="booking_form", latest_message=before.latest_message)
    [answer] = loaded.process([Message(data={"text": text})], tracker=in_form)
    assert answer.get("intent")["name"] == "out_of_scope"  # a form's answer, not a follow-up


def test_a_request_inside_a_framing_message_decides_the_intent(tmp_path: Path):
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    context = ExecutionContext(GraphSchema({}), "test")
    examples = {
        "bot_challenge": ["are you a bot", "is this a robot", "am I talking to a computer", "r u a bot"],
        "request_human": ["i want a human", "let me talk to a person", "can a real person help me", "get me a human"],
        "inform": ["Sam Lee 617-555-0142", "my number is 617-555-0101", "jess, jess@example.com", "Ana Ruiz"],
    }
    messages = [Message(data={"text": t, "intent": intent}) for intent, texts in examples.items() for t in texts]
    classifier = TextIntentClassifier.create({}, storage, Resource("framed"), context)
    classifier.train(TrainingData(training_examples=messages))
    [alone] = classifier.process([Message(data={"text": "r u a bot"})])
    [framed] = classifier.process([Message(data={"text": "r u a bot? i want a human"})])
    assert alone.get("intent")["name"] == "bot_challenge"
    ranking = framed.get("intent_ranking")
    assert ranking[0]["name"] == "request_human"
    assert ranking[0]["confidence"] >= 0.6 > ranking[1]["confidence"]
    # In a form, "call me on ..." with details gives the form its contact: no new request.
    in_form = SimpleNamespace(active_loop_name="booking_form", latest_message=None)
    text = "r u a bot? i want a human"
    [answer] = classifier.process([Message(data={"text": text})], tracker=in_form)
    assert answer.get("intent_ranking") == classifier.rankings([text])[0]  # the whole message's own reading
