"""The regression gate: a candidate is kept only if no set's score drops, exactly."""

from __future__ import annotations

from bot.retraining.gate import judge


def test_equal_or_better_scores_pass():
    verdict = judge({"independent": 0.9, "red_flags": 1.0}, {"independent": 0.95, "red_flags": 1.0, "new": 0.1})
    assert verdict.passed
    assert [(c.name, c.dropped) for c in verdict.comparisons] == [("independent", False), ("red_flags", False)]


def test_one_message_more_misread_is_a_drop():
    verdict = judge({"independent": 0.979, "red_flags": 0.998}, {"independent": 0.99, "red_flags": 0.998 - 1 / 500})
    assert not verdict.passed
    assert [c.name for c in verdict.comparisons if c.dropped] == ["red_flags"]


def test_float_rounding_is_no_drop():
    assert judge({"a": 0.3}, {"a": 0.1 + 0.2 - 1e-12}).passed


def test_a_score_the_candidate_lacks_counts_as_a_drop():
    verdict = judge({"independent": 0.9, "public_nlu": 0.98}, {"independent": 0.9})
    assert not verdict.passed
    assert verdict.as_dict()["sets"]["public_nlu"] == {"before": 0.98, "after": None, "dropped": True}


def test_no_scores_at_all_is_no_pass():
    assert not judge({}, {"independent": 1.0}).passed
