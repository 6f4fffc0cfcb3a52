"""The NLU comparison's metrics mean what docs/quality.md says they mean."""

import pytest

from scripts.evaluate_nlu import (
    HOLDOUT,
    Prediction,
    held_out_examples,
    load_examples,
    macro_f1,
    operating_point,
    score,
    with_threshold,
)


def _p(label, predicted, model=None, confidence=0.9, margin=0.5):
    return Prediction("text", label, predicted, model or predicted, confidence, margin)


def test_macro_f1_averages_over_reference_labels():
    assert macro_f1(["a", "a", "b"], ["a", "b", "b"]) == pytest.approx((2 / 3 + 2 / 3) / 2)
    assert macro_f1(["a"], ["b"]) == 0.0


def test_deflections_count_for_off_topic_and_against_in_scope():
    predictions = [
        _p("out_of_scope", "nlu_fallback"),  # off-topic, deflected: recall
        _p("ask_price", "faq_pain"),  # off-topic, answered: a miss
        _p("faq_pain", "faq_pain"),
        _p("faq_numbing", "faq_not_covered"),  # in-scope, deflected: false fallback
    ]
    s = score(predictions)
    assert (s.oos_recall, s.false_fallback, s.accuracy) == (0.5, 0.5, 0.25)


def test_small_intents_are_left_out_of_the_robust_macro_f1():
    predictions = [_p("faq_pain", "faq_pain")] * 5 + [_p("affirm", "nlu_fallback")]
    s = score(predictions)
    assert s.macro_f1 == pytest.approx(0.5)
    assert s.macro_f1_5 == 1.0


def test_threshold_sweep_keeps_red_flag_overrides():
    predictions = [
        _p("red_flag_urgent", "red_flag_urgent", model="aftercare_redness", confidence=0.2),
        _p("faq_pain", "faq_pain", confidence=0.4),
        _p("faq_pain", "faq_pain", confidence=0.9, margin=0.03),
    ]
    assert with_threshold(predictions, 0.5, 0.05) == ["red_flag_urgent", "nlu_fallback", "nlu_fallback"]
    assert with_threshold(predictions, 0.3, 0.0) == ["red_flag_urgent", "faq_pain", "faq_pain"]


def test_operating_point_respects_the_false_fallback_budget():
    sweep = {
        "0.30/0.00": {"oos_recall": 0.90, "false_fallback": 0.01, "accuracy": 0.95},
        "0.50/0.00": {"oos_recall": 0.99, "false_fallback": 0.05, "accuracy": 0.90},
        "0.40/0.05": {"oos_recall": 0.95, "false_fallback": 0.02, "accuracy": 0.93},
    }
    assert operating_point(sweep)["threshold"] == 0.40
    assert operating_point(sweep)["ambiguity_threshold"] == 0.05


def test_without_a_setting_in_budget_the_fewest_false_fallbacks_win():
    sweep = {
        "0.30/0.00": {"oos_recall": 0.90, "false_fallback": 0.04, "accuracy": 0.95},
        "0.50/0.00": {"oos_recall": 0.99, "false_fallback": 0.05, "accuracy": 0.90},
    }
    assert operating_point(sweep)["threshold"] == 0.30


def test_the_held_out_set_is_never_trained_on():
    from bot.settings import PROJECT_ROOT

    training = {
        text.lower() for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml") for text, _ in load_examples(path)
    }
    held_out = {text.lower() for text, _ in held_out_examples()}
    assert held_out and training & held_out == set()
    assert len(held_out) > len(load_examples(HOLDOUT)) * 0.8, "most of the held-out set must stay usable"
