"""The red-flag component overrides whatever the classifier and fallback decided."""

from pathlib import Path

import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_server.components.red_flag_detector import RedFlagDetector
from bot.settings import get_settings
from bot.understanding.red_flag_rules import RedFlagRules


def _message(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set(
        "intent_ranking",
        [{"name": intent, "confidence": confidence}, {"name": "red_flag_urgent", "confidence": 0.01}],
        add_to_output=True,
    )
    return message


def _detector() -> RedFlagDetector:
    return RedFlagDetector({"patterns_file": None}, RedFlagRules.from_file(get_settings().red_flags_file))


def test_red_flag_overrides_a_confident_wrong_intent():
    [message] = _detector().process([_message("I have a fever and pus", "aftercare_flaking", 0.97)])
    assert message.get("intent") == {"name": "red_flag_urgent", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "red_flag_urgent"
    assert [r["name"] for r in ranking].count("red_flag_urgent") == 1
    assert {e["value"] for e in message.get("entities")} == {"fever", "infection"}


def test_red_flag_overrides_the_nlu_fallback():
    [message] = _detector().process([_message("lips swelling, cant breathe!!", "nlu_fallback", 0.45)])
    assert message.get("intent")["name"] == "red_flag_emergency"


def test_other_messages_are_left_alone():
    original = _message("when can I wear makeup", "aftercare_first_48h", 0.9)
    [message] = _detector().process([original])
    assert message.get("intent") == {"name": "aftercare_first_48h", "confidence": 0.9}
    assert not message.get("entities")


def test_create_reads_the_configured_file(tmp_path: Path):
    patterns = tmp_path / "flags.yml"
    patterns.write_text("urgent:\n  itch:\n    patterns: ['itch']\n", encoding="utf-8")
    detector = RedFlagDetector.create({"patterns_file": str(patterns)}, None, None, None)
    [message] = detector.process([_message("so itchy", "greet", 0.9)])
    assert message.get("intent")["name"] == "red_flag_urgent"


def test_every_message_carries_the_evidence_of_each_part():
    [message] = _detector().process([_message("when can I wear makeup", "aftercare_first_48h", 0.9)])
    assert message.get("red_flag_evidence") == {
        "rules": [],
        "model_score": 0.01,
        "model_heard": False,
        "general_question": False,
        "report_probability": None,
        "classifier_heard": False,
        "ranking": [["aftercare_first_48h", 0.9], ["red_flag_urgent", 0.01]],
    }


def test_a_general_question_the_model_took_for_a_report_gets_its_best_other_intent():
    message = _message("what does an infection look like?", "red_flag_urgent", 0.8)
    message.set(
        "intent_ranking",
        [{"name": "red_flag_urgent", "confidence": 0.8}, {"name": "ask_warning_signs", "confidence": 0.15}],
        add_to_output=True,
    )
    [message] = _detector().process([message])
    assert message.get("intent") == {"name": "ask_warning_signs", "confidence": 0.15}
    assert [item["name"] for item in message.get("intent_ranking")] == ["ask_warning_signs"]
    assert not message.get("entities")


def _sets(folder: Path) -> Path:
    folder.mkdir()
    (folder / "writer_x.yml").write_text(
        "escalate:\n  swelling:\n"
        '    - "my lips look like a duck since this morning"\n'
        '    - "eyes like slits, cant open them"\n'
        "no_escalate:\n  symptom_question:\n"
        '    - "will my lips swell after it?"\n'
        '    - "what does swelling look like?"\n',
        encoding="utf-8",
    )
    return folder


def test_training_fits_the_report_classifier_and_the_model_storage_keeps_it(tmp_path: Path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.shared.nlu.training_data.training_data import TrainingData

    config = {**RedFlagDetector.get_default_config(), "report_sets": str(_sets(tmp_path / "sets"))}
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("red_flag_detector")
    context = ExecutionContext(GraphSchema({}), "test")
    examples = [
        Message(data={"text": "my throat is closing up", "intent": "red_flag_emergency"}),
        Message(data={"text": "how long is the downtime", "intent": "faq_downtime"}),
    ]
    trained = RedFlagDetector.create(config, storage, resource, context)
    assert trained.train(TrainingData(training_examples=examples)) == resource
    loaded = RedFlagDetector.load(config, storage, resource, context)
    text = "my lips look like a duck"
    assert loaded.classifier.probability(text) == pytest.approx(trained.classifier.probability(text))
    [message] = loaded.process([_message(text, "faq_downtime", 0.9)])
    assert message.get("red_flag_evidence")["report_probability"] == pytest.approx(
        trained.classifier.probability(text), abs=1e-4
    )


def test_editing_the_sets_changes_the_fingerprint_so_rasa_retrains(tmp_path: Path):
    folder = _sets(tmp_path / "sets")
    config = {"report_sets": str(folder)}
    before = RedFlagDetector.fingerprint_addon(config)
    assert RedFlagDetector.fingerprint_addon(config) == before
    with (folder / "writer_x.yml").open("a", encoding="utf-8") as handle:
        handle.write('    - "is it normal to peel on day 3?"\n')
    assert RedFlagDetector.fingerprint_addon(config) != before
