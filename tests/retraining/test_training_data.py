"""data/nlu/reviewed.yml from the staff's assignments: stable, deduplicated, never a held-out
text or an intent the domain lost, and read back as written."""

from __future__ import annotations

import pytest
import yaml

from bot.retraining.training_data import HEADER, ReviewedData, check, folded_examples, reviewed_data
from bot.transcripts.unanswered import fold_key

INTENTS = {"faq_pain", "faq_price", "greet"}


def test_one_block_per_intent_sorted_and_the_same_file_whatever_the_order():
    assigned = [("faq_price", "what does it cost?"), ("faq_pain", "Will it sting"), ("faq_pain", "does it ache after")]
    data = reviewed_data(assigned, INTENTS, set(), set())
    assert data.text == reviewed_data(list(reversed(assigned)), INTENTS, set(), set()).text
    assert data.text.startswith(HEADER)
    parsed = yaml.safe_load(data.text)
    assert parsed["version"] == "3.1"
    assert [block["intent"] for block in parsed["nlu"]] == ["faq_pain", "faq_price"]
    assert data.examples == {"faq_pain": ["does it ache after", "Will it sting"], "faq_price": ["what does it cost?"]}
    assert data.count == 3 and data.left_out == {}
    check(data)


def test_what_is_left_out_is_counted_by_reason():
    assigned = [
        ("faq_pain", "does it hurt"),  # in another training file
        ("faq_pain", "Is it painful for the independent set"),  # held out
        ("faq_gone", "a question whose intent was removed"),
        ("faq_pain", "is it sore"),
        ("faq_price", "IS IT SORE?"),  # folds to the same text, another intent: neither is written
        ("greet", "hello there"),
        ("greet", "Hello there!"),  # the same example twice: written once
        ("greet", "   "),
    ]
    data = reviewed_data(
        assigned, INTENTS, {fold_key("Does it hurt?")}, {fold_key("is it painful for the independent set")}
    )
    assert data.examples == {"greet": ["hello there"]}
    assert data.left_out == {
        "already in the training data": 1,
        "in a held-out test set": 1,
        "intent no longer in the domain": 1,
        "assigned to two intents": 1,
    }


def test_no_assignment_is_an_empty_valid_file():
    data = reviewed_data([], INTENTS, set(), set())
    assert yaml.safe_load(data.text) == {"version": "3.1", "nlu": []}
    check(data)


@pytest.mark.parametrize(
    "text", ["[bold](intent) text", 'quote " and colon: here', "- a dash first", "#hash", "{curly}"]
)
def test_awkward_text_reads_back_as_itself(text):
    data = reviewed_data([("greet", text)], INTENTS, set(), set())
    check(data)  # a text staff assigned with entity markup in it once failed the whole job here
    written = yaml.safe_load(data.text)["nlu"][0]["examples"][0]["text"]
    assert written == data.examples["greet"][0] and "](" not in written
    assert written.replace(" ", "") == text.replace(" ", "")


def test_a_file_that_would_not_read_back_is_refused():
    with pytest.raises(ValueError, match="read back"):
        check(ReviewedData('version: "3.1"\nnlu:\n- intent: greet\n  examples:\n  - text: hi\n', {"greet": ["hello"]}))


def test_the_examples_of_block_and_list_files_are_folded(tmp_path):
    block = tmp_path / "a.yml"
    block.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - Hello There\n    - hi!\n')
    listed = tmp_path / "b.yml"
    listed.write_text('version: "3.1"\nnlu:\n- intent: faq_pain\n  examples:\n  - text: Does it HURT?\n')
    empty = tmp_path / "c.yml"
    empty.write_text("")
    assert folded_examples([block, listed, empty]) == {
        fold_key("hello there"),
        fold_key("hi"),
        fold_key("does it hurt"),
    }
