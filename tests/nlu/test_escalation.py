"""One decision from rules, model score and guard (bot.nlu.escalation)."""
import pytest

from bot.nlu.escalation import MODEL_THRESHOLD, UNSPECIFIED, decide, model_red_flag, model_score
from bot.nlu.red_flag_rules import EMERGENCY, URGENT, RedFlagRules
from bot.settings import get_settings


@pytest.fixture(scope="module")
def rules() -> RedFlagRules:
    return RedFlagRules.from_file(get_settings().red_flags_file)


def _ranking(emergency: float, urgent: float, other: str = "faq_pain"):
    return [
        {"name": other, "confidence": max(0.0, 1 - emergency - urgent)},
        {"name": "red_flag_emergency", "confidence": emergency},
        {"name": "red_flag_urgent", "confidence": urgent},
    ]


def test_rules_escalate_with_their_groups_whatever_the_model_says(rules):
    decision = decide(rules, "my lips are swelling and I have a fever", _ranking(0.0, 0.0))
    assert decision.red_flag.level == EMERGENCY
    assert set(decision.red_flag.symptoms) == {"swelling", "fever"}
    assert decision.evidence()["rules"] == list(decision.rules)


def test_the_model_alone_escalates_above_its_threshold_with_an_unspecified_group(rules):
    text = "something feels very wrong with my skin tonight"
    assert rules.detect(text) is None
    below = decide(rules, text, _ranking(0.0, MODEL_THRESHOLD - 0.01))
    above = decide(rules, text, _ranking(0.2, MODEL_THRESHOLD))
    assert below.red_flag is None
    assert above.red_flag.symptoms == (UNSPECIFIED,)
    assert above.red_flag.level == URGENT  # the larger of the two scores


def test_the_model_score_sums_both_levels():
    assert model_score(_ranking(0.3, 0.25)) == pytest.approx(0.55)
    assert model_red_flag(_ranking(0.3, 0.25)).level == EMERGENCY
    assert model_red_flag([]) is None


def test_a_general_question_does_not_escalate_on_a_rule_and_an_unsure_model(rules):
    decision = decide(rules, "what does an infection look like?", _ranking(0.0, 0.6))
    assert decision.red_flag is None
    assert decision.general_question


def test_symptoms_the_rules_saw_denied_silence_the_model(rules):
    decision = decide(rules, "no fever, no pus, just pink", _ranking(0.0, 0.95))
    assert decision.red_flag is None
    decision = decide(rules, "no fever but the pus is back", _ranking(0.0, 0.95))
    assert decision.red_flag is not None


@pytest.mark.parametrize("text", ["", "/red_flag_urgent", "  /faq_pain"])
def test_payloads_and_empty_text_are_never_symptoms(rules, text):
    assert decide(rules, text, _ranking(0.9, 0.1)).red_flag is None


@pytest.mark.parametrize(
    "text",
    [
        "not bleeding anymore, stopped before I left",
        "still a bit red but fading, day 2",
        "pain is 0/10 today",
        "can I wear my glasses straight after?",
    ],
)
def test_the_model_alone_is_overruled_by_easing_or_a_plain_question(rules, text):
    decision = decide(rules, text, _ranking(0.0, 0.85))
    assert decision.red_flag is None
    assert not decision.model_heard


def test_a_rule_match_is_never_overruled_by_easing(rules):
    decision = decide(rules, "the itching is going down but my lips are swelling now", _ranking(0.0, 0.0))
    assert decision.red_flag.symptoms == ("swelling",)


def test_a_rule_and_a_sure_model_together_outweigh_the_guard(rules):
    text = "what does an infection look like?"
    assert decide(rules, text, _ranking(0.0, 0.89)).red_flag is None
    assert decide(rules, text, _ranking(0.0, 0.9)).red_flag is not None


@pytest.mark.parametrize(
    "text",
    ["pink and a bit tight tonight, had it done this morning", "day 3 flaky and dry", "little dots of blood right after"],
)
def test_the_expected_course_on_its_day_overrules_the_model_alone(rules, text):
    assert decide(rules, text, _ranking(0.0, 0.99)).red_flag is None


def test_a_sure_model_is_not_overruled_by_a_plain_question_alone(rules):
    text = "is it bad that it feels like this?"
    assert decide(rules, text, _ranking(0.0, 0.85)).red_flag is None
    assert decide(rules, text, _ranking(0.0, 0.95)).red_flag is not None


@pytest.mark.parametrize("text", ["Chris Nguyen", "chris.nguyen@example.com", "sure, 347 555 0190"])
def test_the_model_alone_never_escalates_what_could_not_be_a_symptom(rules, text):
    assert decide(rules, text, _ranking(0.99, 0.0)).red_flag is None


def test_a_condition_asked_about_before_a_treatment_is_not_a_complication(rules):
    text = "im breaking out rn with painful cystic bumps on my chin, can i still come in friday?"
    assert decide(rules, text, _ranking(0.0, 0.95)).red_flag is None
    text = "since my treatment i have painful bumps with pus, can i still come in friday?"
    assert decide(rules, text, _ranking(0.0, 0.95)).red_flag is not None


def test_another_symptom_beside_the_expected_course_keeps_the_model_alarm(rules):
    text = "pink and tight the first night, and my lip tingles"
    assert decide(rules, text, _ranking(0.99, 0.0)).red_flag is not None
