"""The NLU stub loads with Rasa's own loader and keeps every text exactly as typed."""

from collections import defaultdict
from pathlib import Path
from typing import Dict, List

from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.transcripts.nlu_export import nlu_stub
from bot.transcripts.unanswered import UnansweredGroup, UnansweredMessage, group_similar
from tests.tracker_data import at

TRICKY = '- "quoted": {braces} # hash'
MULTILINE = "first line\nsecond line: with a colon"


def _group(*texts: str, reasons: Dict[str, int] = None) -> UnansweredGroup:
    reasons = reasons or {"fallback": len(texts)}
    return UnansweredGroup(texts[0], texts, sum(reasons.values()), reasons, at(0))


def _load(tmp_path: Path, groups) -> TrainingData:
    path = tmp_path / "unanswered.yml"
    path.write_text(nlu_stub(groups), encoding="utf-8")
    return load_data(str(path))


def _examples(data: TrainingData) -> Dict[str, List[str]]:
    by_intent = defaultdict(list)
    for example in data.intent_examples:
        by_intent[example.get("intent")].append(example.get("text"))
    return dict(by_intent)


def test_rasa_loads_one_intent_per_group_with_every_text(tmp_path):
    groups = [
        _group("how much does it cost", "price?", reasons={"fallback": 3, "unsure": 2}),
        _group(TRICKY, MULTILINE, "key: value", "@mention & *star* | pipe > gt % 'single'", "café — “curly”"),
    ]
    assert _examples(_load(tmp_path, groups)) == {
        "TODO_label_1": ["how much does it cost", "price?"],
        "TODO_label_2": [TRICKY, MULTILINE, "key: value", "@mention & *star* | pipe > gt % 'single'", "café — “curly”"],
    }


def test_entity_markup_in_a_message_stays_text(tmp_path):
    data = _load(tmp_path, [_group("is [botox](treatment) better? [a]{b} [c][d]")])
    [example] = data.intent_examples
    assert example.get("text") == "is [botox] (treatment) better? [a] {b} [c] [d]"
    assert not example.get("entities")


def test_counts_and_reasons_are_comments_and_the_header_explains_what_to_do():
    stub = nlu_stub([_group("a", "b", reasons={"fallback": 3, "unsure": 2}), _group("c", reasons={"out_of_scope": 1})])
    lines = stub.splitlines()
    assert lines[lines.index("- intent: TODO_label_1") - 1] == "# seen 5 times (fallback: 3, unsure: 2)"
    assert lines[lines.index("- intent: TODO_label_2") - 1] == "# seen 1 time (out_of_scope: 1)"
    header = stub[: stub.index("version:")]
    assert all(line.startswith("#") for line in header.splitlines())
    assert "rename" in header and "data/nlu/" in header
    assert 'version: "3.1"' in lines


def test_no_sender_ids_or_times_are_exported():
    messages = [
        UnansweredMessage("whatsapp:+15550100", "do you do laser", at(0), "fallback"),
        UnansweredMessage("sender-7f3a", "do you do laser?", at(5), "unsure"),
    ]
    stub = nlu_stub(group_similar(messages))
    for secret in ("whatsapp:+15550100", "sender-7f3a", "2026", "09:05"):
        assert secret not in stub


def test_nothing_unanswered_is_an_empty_stub_rasa_still_loads(tmp_path):
    data = _load(tmp_path, [])
    assert data.intent_examples == []
