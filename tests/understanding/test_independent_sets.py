"""The independent sets measure understanding only while nothing trains on them.

No NLU training example, red-flag training message or response may repeat one of their
messages (compared as a person reads them), every topic belongs to a category, and the
sets are as large as issue 16 asks.
"""

from __future__ import annotations

from collections import Counter

from scripts.evaluate_understanding import CATEGORIES, load_independent, load_ood
from tests.understanding.test_red_flag_sets import _folded, _training_texts


def test_no_training_example_repeats_an_independent_message_or_an_out_of_domain_query():
    training = _training_texts()
    leaked = [m.text for m in load_independent() if _folded(m.text) in training]
    leaked += [text for text, _ in load_ood() if _folded(text) in training]
    assert not leaked


def test_the_sets_are_as_large_as_the_issue_asks_and_cover_every_topic():
    messages = load_independent()
    assert len(messages) >= 400
    assert {m.topic for m in messages} == set(CATEGORIES)
    assert len(load_ood()) >= 300


def test_no_message_is_in_a_set_twice():
    counts = Counter(_folded(m.text) for m in load_independent())
    counts.update(_folded(text) for text, _ in load_ood())
    assert [text for text, count in counts.items() if count > 1] == []
