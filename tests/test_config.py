"""The pipeline is wired as docs/quality.md says: unsure answers fall back, red flags win."""

import pytest
import yaml
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_server.components.red_flag_detector import RedFlagDetector
from bot.settings import PROJECT_ROOT, get_settings
from bot.understanding.red_flag_rules import RedFlagRules

CONFIG = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
PIPELINE = CONFIG["pipeline"]
NAMES = [step["name"] for step in PIPELINE]
FALLBACK = next(step for step in PIPELINE if step["name"] == "FallbackClassifier")


def _message(ranking):
    message = Message(data={"text": "some message"})
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    return message


def _through_the_end_of_the_pipeline(message):
    config = {**FallbackClassifier.get_default_config(), **{k: v for k, v in FALLBACK.items() if k != "name"}}
    detector = RedFlagDetector({}, RedFlagRules.from_file(get_settings().red_flags_file))
    return detector.process(FallbackClassifier(config).process([message]))[0]


def test_red_flags_are_decided_last():
    assert NAMES[-1] == "bot.rasa_server.components.red_flag_detector.RedFlagDetector"
    assert NAMES.index("FallbackClassifier") == len(NAMES) - 2


def test_intents_come_from_the_logistic_regression_measured_in_docs_quality():
    assert NAMES[:2] == [
        "bot.rasa_server.components.shorthand_tokenizer.ShorthandTokenizer",
        "bot.rasa_server.components.intent_classifier.TextIntentClassifier",
    ]


@pytest.mark.parametrize("margin", [0.01, 0.05])
def test_an_unsure_answer_falls_back(margin):
    threshold = FALLBACK["threshold"]
    below = _message(
        [{"name": "faq_pain", "confidence": threshold - margin}, {"name": "faq_numbing", "confidence": 0.1}]
    )
    assert _through_the_end_of_the_pipeline(below).get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("confidence", [0.9, FALLBACK["threshold"] + 0.01])
def test_an_answer_at_or_above_the_threshold_passes(confidence):
    sure = _message([{"name": "faq_pain", "confidence": confidence}, {"name": "faq_numbing", "confidence": 0.05}])
    assert _through_the_end_of_the_pipeline(sure).get("intent")["name"] == "faq_pain"


def test_a_red_flag_wins_over_an_unsure_answer():
    unsure = Message(data={"text": "my lips are swelling"})
    unsure.set("intent", {"name": "faq_pain", "confidence": 0.1}, add_to_output=True)
    unsure.set("intent_ranking", [{"name": "faq_pain", "confidence": 0.1}], add_to_output=True)
    assert _through_the_end_of_the_pipeline(unsure).get("intent")["name"] == "red_flag_emergency"


def test_endpoints_take_the_action_port_and_tracker_file_from_the_environment(monkeypatch, tmp_path):
    """A quoted "${VAR}" is not expanded by Rasa's YAML reader; this caught exactly that."""
    from rasa.core.utils import read_endpoints_from_path

    monkeypatch.setenv("ACTION_PORT", "5099")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "action-secret-0123456789")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    endpoints = read_endpoints_from_path(str(PROJECT_ROOT / "endpoints.yml"))
    assert endpoints.action.url == "http://localhost:5099/webhook"
    assert endpoints.action.headers == {"Authorization": "Bearer action-secret-0123456789"}
    assert endpoints.tracker_store.kwargs["db"] == str(tmp_path / "tracker.db")


def test_a_message_without_words_falls_back_instead_of_crashing_the_turn():
    """What our classifier sets for an empty text (a typed "/" reaches NLU as ""):
    Rasa's FallbackClassifier reads `intent` unguarded, so it must be there."""
    empty = Message(data={"text": ""})
    empty.set("intent", {"name": None, "confidence": 0.0}, add_to_output=True)
    empty.set("intent_ranking", [], add_to_output=True)
    assert _through_the_end_of_the_pipeline(empty).get("intent")["name"] == "nlu_fallback"
