"""The understanding score: topics, the answers that serve them, and the targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.evaluate_understanding import CLINIC_ANSWERS, FALLBACK, TARGET, Message, Report, load_independent


def _report(pairs, ood_intents=()):
    messages = [Message(f"message {i}", topic, "writer_x.yml") for i, (topic, _) in enumerate(pairs)]
    return Report(
        messages,
        [intent for _, intent in pairs],
        [(f"q{i}", "banking") for i, _ in enumerate(ood_intents)],
        list(ood_intents),
    )


def test_an_answer_that_serves_the_topic_as_well_counts_and_a_red_flag_never_does():
    assert Message("can I get a peel after?", "aftercare_other_treatments", "x").understood("faq_combination")
    assert Message("set a timer", "out_of_scope", "x").understood(FALLBACK)
    assert not Message("is it a bot", "bot_challenge", "x").understood("red_flag_urgent")
    assert not Message("what is CIT", "faq_what_is_cit", "x").understood(FALLBACK)


def test_targets_fail_per_category_overall_and_on_clinic_answers_out_of_domain():
    good = [("faq_pain", "faq_pain")] * 100 + [("greet", "greet")] * 100
    assert _report(good, ["out_of_scope"] * 100).failures(TARGET) == []
    one_category_low = good[:100] + [("greet", "greet")] * 94 + [("greet", "thank")] * 6
    assert [f.split(" ")[0] for f in _report(one_category_low).failures(TARGET)] == ["smalltalk"]
    clinic = _report(good, ["out_of_scope"] * 98 + ["faq_procedure", "ask_price"])
    assert [f.split(" ")[0] for f in clinic.failures(TARGET)] == ["out-of-domain"]
    assert {"faq_procedure", "ask_price", "red_flag_urgent"} <= CLINIC_ANSWERS


def test_an_unknown_topic_is_refused(tmp_path: Path):
    path = tmp_path / "writer_q.yml"
    path.write_text("messages:\n  faq_lasers: ['do you do lasers']\n")
    with pytest.raises(ValueError, match="unknown topic"):
        load_independent([path])
