"""One decision from rules, model score, report probability and guard (bot.understanding.escalation)."""

import pytest

from bot.settings import get_settings
from bot.understanding.escalation import (
    CERTAIN_CLASSIFIER,
    CLASSIFIER_THRESHOLD,
    EMERGENCY_RULE_PAST_GUARD,
    MODEL_NEEDS_PROBABILITY,
    MODEL_THRESHOLD,
    OTHER_HEALTH_RULE_PROBABILITY,
    OTHER_TOPIC_CONFIDENCE,
    PAST_TOPIC_VETOES,
    RULE_NEEDS_PROBABILITY,
    SURE_CLASSIFIER,
    UNSPECIFIED,
    decide,
    model_red_flag,
    model_score,
    ranking_from_evidence,
)
from bot.understanding.red_flag_rules import EMERGENCY, URGENT, RedFlagRules


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
    [
        "pink and a bit tight tonight, had it done this morning",
        "day 3 flaky and dry",
        "little dots of blood right after",
    ],
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


# The report classifier's path: what a trained probability does in the decision.


def test_the_report_classifier_alone_escalates_a_report_no_rule_names(rules):
    text = "my lips look like a duck since this morning"
    assert rules.detect(text) is None
    below = decide(rules, text, _ranking(0.0, 0.0), report_probability=CLASSIFIER_THRESHOLD - 0.01)
    above = decide(rules, text, _ranking(0.0, 0.0), report_probability=CLASSIFIER_THRESHOLD)
    assert below.red_flag is None
    assert above.red_flag.symptoms == (UNSPECIFIED,)
    assert above.red_flag.level == EMERGENCY  # no ranking between the levels: 911 first
    assert above.evidence()["classifier_heard"] is True
    assert above.evidence()["report_probability"] == CLASSIFIER_THRESHOLD


def test_the_report_classifier_is_not_held_back_by_the_guard(rules):
    text = "is it normal to see kind of double after skinpen? started an hour ago"
    decision = decide(rules, text, _ranking(0.0, 0.0), report_probability=SURE_CLASSIFIER)
    assert decision.red_flag is not None


def test_the_report_classifier_needs_to_be_sure_of_a_plain_question(rules):
    text = "does the red light make your eyes water?"
    unsure = decide(rules, text, _ranking(0.0, 0.0), report_probability=SURE_CLASSIFIER - 0.05)
    sure = decide(rules, text, _ranking(0.0, 0.0), report_probability=SURE_CLASSIFIER)
    assert unsure.red_flag is None
    assert sure.red_flag is not None


@pytest.mark.parametrize(
    "text, ranking",
    [
        ("Chris Nguyen", _ranking(0.0, 0.0, "inform")),  # nothing that could be a symptom
        ("my chin is covered in painful bumps, can i still come in for my session?", _ranking(0.0, 0.0)),
        ("my lower back hurts", _ranking(0.0, 0.0, "ask_other_health")),  # another topic
    ],
)
def test_the_report_classifiers_alarm_is_not_followed_for_these(rules, text, ranking):
    assert decide(rules, text, ranking, report_probability=PAST_TOPIC_VETOES - 0.01).red_flag is None


def test_a_certain_classifier_needs_no_symptom_word(rules):
    text = "it's like looking through a dirty window"
    assert decide(rules, text, _ranking(0.0, 0.0), report_probability=CERTAIN_CLASSIFIER - 0.01).red_flag is None
    assert decide(rules, text, _ranking(0.0, 0.0), report_probability=CERTAIN_CLASSIFIER).red_flag is not None


def test_a_sure_classifier_is_past_another_topic_when_the_body_is_named(rules):
    """Measured leave-one-writer-out, that veto cost reports the classifier was sure of
    ("there's a shadow on the side of my vision that wasn't there yesterday")."""
    other = "my lower back hurts"
    assert decide(rules, other, _ranking(0.0, 0.0, "ask_other_health"), PAST_TOPIC_VETOES - 0.01).red_flag is None
    assert decide(rules, other, _ranking(0.0, 0.0, "ask_other_health"), PAST_TOPIC_VETOES).red_flag is not None


def test_a_question_before_a_treatment_holds_back_even_a_certain_classifier(rules):
    before = "my chin is covered in painful bumps, can i still come in for my session?"
    assert decide(rules, before, _ranking(0.0, 0.0), report_probability=0.99).red_flag is None


def test_a_treatment_told_as_had_is_no_question_before_one(rules):
    text = "Is it normal that my glasses press into my cheeks? They fit fine this morning before the session."
    assert decide(rules, text, _ranking(0.0, 0.0), report_probability=0.75).red_flag is not None


def test_an_unsure_intent_alarm_yields_to_a_classifier_sure_of_no_report(rules):
    text = "any tips for sleeping tonight so i dont mess up my skin?"
    assert decide(rules, text, _ranking(0.0, 0.31), report_probability=MODEL_NEEDS_PROBABILITY).red_flag is not None
    assert decide(rules, text, _ranking(0.0, 0.31), report_probability=MODEL_NEEDS_PROBABILITY - 0.01).red_flag is None


def test_on_another_topic_with_nothing_of_the_body_even_a_certain_classifier_is_not_followed(rules):
    decision = decide(rules, "my dishwasher won't drain", _ranking(0.0, 0.0, "out_of_scope"), report_probability=0.99)
    assert decision.red_flag is None


@pytest.mark.parametrize(
    "text",
    [
        "no fever, no pus, my face is just pink",  # denied
        "my face is still a bit red but fading",  # easing
        "pink and tight tonight, had it this morning",  # the expected course on its day
    ],
)
def test_below_sure_the_report_classifier_yields_to_the_vetoes(rules, text):
    unsure = decide(rules, text, _ranking(0.0, 0.0), report_probability=SURE_CLASSIFIER - 0.05)
    sure = decide(rules, text, _ranking(0.0, 0.0), report_probability=SURE_CLASSIFIER)
    assert unsure.red_flag is None
    assert sure.red_flag is not None


def test_an_urgent_rule_alone_yields_to_a_classifier_sure_of_no_report(rules):
    text = "checked for blisters like u said, nada"
    alone = decide(rules, text, _ranking(0.0, 0.0))
    assert alone.rules and alone.red_flag is not None  # the rule escalates without a classifier
    assert decide(rules, text, _ranking(0.0, 0.0), report_probability=RULE_NEEDS_PROBABILITY - 0.01).red_flag is None
    # ...but not when the intent classifier is sure it is a report
    assert decide(rules, text, _ranking(0.0, 0.95), report_probability=0.01).red_flag is not None


def test_an_emergency_rule_escalates_whatever_the_classifier_says(rules):
    decision = decide(rules, "anaphylaxis?", _ranking(0.0, 0.0, "ask_warning_signs"), report_probability=0.0)
    assert decision.red_flag is not None and decision.red_flag.level == EMERGENCY


def _other_health(confidence: float):
    return [{"name": "ask_other_health", "confidence": confidence}, {"name": "red_flag_emergency", "confidence": 0.01}]


@pytest.mark.parametrize(
    "text",
    [
        "my moms blood pressure pills make her dizzy in the morning, should she take them at night?",
        "itchy rash on my arms from a new laundry detergent, what cream should i use",
        "my back has been killing me all week what helps",
    ],
)
def test_a_health_question_about_something_else_is_not_a_red_flag_when_both_classifiers_agree(rules, text):
    low = OTHER_HEALTH_RULE_PROBABILITY - 0.01
    assert decide(rules, text).red_flag is not None  # the rules alone hear a symptom
    assert decide(rules, text, _other_health(OTHER_TOPIC_CONFIDENCE), report_probability=low).red_flag is None
    # Either classifier in doubt, and the rule's match stands.
    assert decide(rules, text, _other_health(OTHER_TOPIC_CONFIDENCE - 0.01), report_probability=low).red_flag
    assert (
        decide(rules, text, _other_health(0.99), report_probability=OTHER_HEALTH_RULE_PROBABILITY).red_flag is not None
    )


def test_only_the_other_health_intent_holds_an_emergency_rule_back(rules):
    text = "ya no puedo respirar bien"  # read as out of scope: the veto is not for other topics
    ranking = [{"name": "out_of_scope", "confidence": 0.9}]
    assert decide(rules, text, ranking, report_probability=0.01).red_flag is not None


def test_an_emergency_rule_the_classifier_hears_as_a_report_stands_against_the_guard(rules):
    text = "Wife's lips are swelling quickly after her skinpen appointment. Is this an emergency?"
    asked = decide(rules, text, _ranking(0.0, 0.0), report_probability=EMERGENCY_RULE_PAST_GUARD - 0.01)
    reported = decide(rules, text, _ranking(0.0, 0.0), report_probability=EMERGENCY_RULE_PAST_GUARD)
    assert asked.general_question and asked.red_flag is None
    assert reported.red_flag is not None and reported.red_flag.symptoms == ("swelling",)


def test_a_worsening_message_is_neither_easing_nor_the_expected_course(rules):
    text = "the pink was fading on schedule, now since last night it came back worse"
    assert decide(rules, text, _ranking(0.0, 0.0), report_probability=0.8).red_flag is not None


def test_the_rules_groups_name_what_the_report_classifier_escalated(rules):
    text = "I had hives years ago, is the serum ok?"
    held_back = decide(rules, text, _ranking(0.0, 0.0))
    assert held_back.general_question and held_back.rules and held_back.red_flag is None
    decision = decide(rules, text, _ranking(0.0, 0.0), report_probability=0.95)
    assert decision.red_flag.symptoms == held_back.rules


@pytest.mark.parametrize(
    "text, ranking",
    [
        ("my lips look like a duck since this morning", _ranking(0.2, 0.15)),
        ("my lower back hurts", _ranking(0.0, 0.1, "ask_other_health")),
        ("when can I wear makeup", _ranking(0.0, 0.0, "aftercare_first_48h")),
    ],
)
def test_the_evidence_holds_enough_of_the_ranking_to_decide_again(rules, text, ranking):
    first = decide(rules, text, ranking, report_probability=0.7)
    again = decide(rules, text, ranking_from_evidence(first.evidence()), report_probability=0.7)
    assert again == first
