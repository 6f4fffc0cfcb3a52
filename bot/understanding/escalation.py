"""One decision per patient message: escalate as a red flag, or not.

Four measured parts, combined (docs/safety.md has the numbers for each alone):

- the clinic's rules (`clinic/red_flags.yml`) for what is said explicitly: "my lips are
  swelling", "temp 101", "pain 8/10";
- the trained intent classifier for what nobody wrote a pattern for: its confidence in
  the two red-flag intents, summed, against `MODEL_THRESHOLD`;
- the report classifier (`bot.understanding.report_classifier`), trained on blind-written reports
  and non-reports, for the boundary itself: a report phrased as a question, a symptom
  told in a metaphor;
- the report guard (`bot.understanding.report_guard`), which keeps a general question or a past
  condition ("what does an infection look like?") from sounding the alarm.

Any of the rules, the intent classifier or the report classifier is enough to escalate.
The guard holds the rules and the intent classifier back only when it is sure the message
reports nothing; the report classifier learned that boundary itself (it generalizes to a
new writer's wording better than the guard's cues), so only a question asked before a
treatment holds it back. Both learned parts, which can hear a symptom where there is none,
are held to more: see `_learned_alarm_overruled`. No Rasa import, so the evaluation script
and the tests run the same decision as the Rasa component.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.text import MAX_MESSAGE_CHARS
from bot.understanding.red_flag_rules import EMERGENCY, URGENT, RedFlagMatch, RedFlagRules, RedFlagScan
from bot.understanding.report_guard import (
    could_be_a_symptom,
    is_before_treatment,
    is_easing,
    is_expected_course,
    is_general_question,
    is_plain_question,
    names_the_body,
    without_expected_signs,
)

RED_FLAG_INTENTS = {"red_flag_emergency": EMERGENCY, "red_flag_urgent": URGENT}
# The model's summed red-flag confidence at or above which a message escalates without a
# rule. Chosen on the development sets (now data/red_flags/), never the held-out
# part: before the development sets became training data, the model alone (with its
# vetoes) reached 89% of their reports at 2.1% false alarms, against 87% and 1.8% at 0.5.
# Names and phone numbers typed into a form score 0.4-0.56; the symptom-word gate in
# `_learned_alarm_overruled`, not the threshold, keeps them out.
MODEL_THRESHOLD = 0.3
# Model confidence at which a rule's match escalates even when the guard reads the
# message as a general question (3 more false alarms on the 551 development
# non-reports, all histories that describe the old symptom at length).
SURE_MODEL = 0.9
# The report classifier's probability at or above which it escalates on its own. Chosen
# leave-one-writer-out on data/red_flags (docs/safety.md): 0.4 caught one more report
# for 3 more false alarms on 1,201 non-reports and 3 more on 3,515 ordinary messages.
CLASSIFIER_THRESHOLD = 0.5
# When the report classifier is this sure (or the intent classifier is `SURE_MODEL` sure
# as well), its alarm stands against the hand-written vetoes (easing, expected course,
# denial, a question's shape): measured leave-one-writer-out, those vetoes cost the
# classifier 1-3.5 points of recall each on writers they were not written from ("my
# eyesight is cloudy and not improving", "is it bad that my eyeball looks pink? had it
# this morning").
SURE_CLASSIFIER = 0.8
CERTAIN_CLASSIFIER = 0.9
# Below this report probability an urgent-level rule's match alone does not escalate,
# unless the intent classifier is sure too: "can ppl be allergic to the numbing cream", "checked for
# blisters like u said, nada" match a pattern, and the classifier that learned the
# boundary from twelve writers is all but certain they report nothing.
RULE_NEEDS_PROBABILITY = 0.05
# A health question about something else ("my blood pressure pills make me dizzy, should I
# take them at night?", "itchy rash on my arms from a new detergent, what cream?"): when
# the intent classifier is `OTHER_TOPIC_CONFIDENCE` sure of it and the report classifier
# gives a report less than this, a rule's match does not escalate, at either level. Such
# a patient gets the other-health answer, which names the emergency number. Measured
# leave-one-writer-out on 27 writers (docs/safety.md, step 19): no report lost at 0.2,
# 0.3 or 0.4; the same veto for every other intent lost emergency reports in Spanish and
# Portuguese (read as out of scope) and "tightness in your chest ... mine has been 2 hrs".
OTHER_HEALTH_INTENT = "ask_other_health"
OTHER_HEALTH_RULE_PROBABILITY = 0.3
# Intents of messages about something else altogether: when the intent classifier is
# this sure of one, the report classifier's alarm alone is not followed ("my lower back
# hurts", "my dishwasher won't drain" are not complications of a facial treatment).
OTHER_TOPIC_INTENTS = frozenset({"ask_other_health", "out_of_scope"})
OTHER_TOPIC_CONFIDENCE = 0.5
# From this report probability up, the intent classifier's "another topic" no longer
# holds the report classifier back, when the message names the body. Measured
# leave-one-writer-out on 24 writers (docs/safety.md, step 16): that veto cost 23
# reports the classifier was at least this sure of ("there's a shadow on the side of my
# vision that wasn't there yesterday" read as out of scope) and saved no false alarm
# among the writers' non-reports. A message that names nothing of the body stays with
# it at any probability: without that, 3,528 everyday messages (the NLU examples,
# scored five-fold) had 11 more false alarms ("my dishwasher won't drain"), with it 6.
# A question asked before a treatment holds the classifier back at any probability
# (its misreadings were fixed in the guard: "fine this morning before the appointment").
PAST_TOPIC_VETOES = 0.7
# The report probability at which an emergency-level rule's match stands against the
# guard's "general question": "Wife's lips are swelling quickly. Is this an emergency?"
# is asked as a question and is a report; the classifier, trained on both, tells them apart.
EMERGENCY_RULE_PAST_GUARD = 0.5
# Below this report probability the intent classifier's alarm alone (under `SURE_MODEL`)
# is not followed: "any tips for sleeping tonight so i dont mess up my skin?" scored
# 0.30 as a red flag with the intent classifier and 0.16 with the report classifier.
MODEL_NEEDS_PROBABILITY = 0.2
# Group name for a red flag only a learned part saw: staff read the message itself.
UNSPECIFIED = "unspecified"


def _scores(ranking: Iterable[Mapping]) -> Dict[str, float]:
    return {
        RED_FLAG_INTENTS[item["name"]]: float(item.get("confidence") or 0.0)
        for item in ranking
        if item.get("name") in RED_FLAG_INTENTS
    }


def model_score(ranking: Iterable[Mapping]) -> float:
    """The classifier's confidence that the message is a red flag of either level."""
    return sum(_scores(ranking).values())


def model_red_flag(ranking: Iterable[Mapping]) -> Optional[RedFlagMatch]:
    """The model's red-flag verdict from an intent ranking, or None below the threshold."""
    scores = _scores(ranking)
    if sum(scores.values()) < MODEL_THRESHOLD:
        return None
    level = EMERGENCY if scores.get(EMERGENCY, 0.0) >= scores.get(URGENT, 0.0) else URGENT
    return RedFlagMatch(level=level, symptoms=(UNSPECIFIED,))


@dataclass(frozen=True)
class Decision:
    """The verdict (`red_flag`, None: no escalation) and what each part saw."""

    red_flag: Optional[RedFlagMatch]
    rules: Tuple[str, ...]
    model_score: float
    model_heard: bool
    general_question: bool
    report_probability: Optional[float] = None
    classifier_heard: bool = False
    ranking: Tuple[Tuple[str, float], ...] = ()

    def evidence(self) -> Dict[str, object]:
        """A JSON-safe record of the parts, kept with the message for measurement.

        `ranking` holds what `decide` read of the intent ranking (the top intent and the
        two red-flag intents, before any override), so that the decision can be made again
        from the evidence with another report probability (`ranking_from_evidence`).
        """
        return {
            "rules": list(self.rules),
            "model_score": round(self.model_score, 4),
            "model_heard": self.model_heard,
            "general_question": self.general_question,
            "report_probability": None if self.report_probability is None else round(self.report_probability, 4),
            "classifier_heard": self.classifier_heard,
            "ranking": [[name, round(confidence, 4)] for name, confidence in self.ranking],
        }


def _ranking_read(ranking: Sequence[Mapping]) -> Tuple[Tuple[str, float], ...]:
    """The part of an intent ranking `decide` reads: the top intent and the red-flag intents."""
    kept = [item for position, item in enumerate(ranking) if position == 0 or item.get("name") in RED_FLAG_INTENTS]
    return tuple((str(item.get("name")), float(item.get("confidence") or 0.0)) for item in kept)


def ranking_from_evidence(evidence: Mapping) -> List[Dict[str, object]]:
    """An intent ranking equivalent, for `decide`, to the one the evidence was recorded from."""
    return [{"name": name, "confidence": confidence} for name, confidence in evidence.get("ranking") or []]


def decide(
    rules: RedFlagRules,
    text: str,
    ranking: Sequence[Mapping] = (),
    report_probability: Optional[float] = None,
) -> Decision:
    """Whether `text` escalates, and why.

    `ranking` is the intent classifier's, `report_probability` the report classifier's
    (None: no report classifier, as in the rules-only evaluation). A button payload is
    never a symptom; rules first, since they name the symptom groups. Every part reads at
    most `MAX_MESSAGE_CHARS`, what a channel lets in.
    """
    if not text or text.lstrip().startswith("/"):
        return Decision(None, (), 0.0, False, False, report_probability)
    text = text[:MAX_MESSAGE_CHARS]
    scan = rules.scan(text)
    score = model_score(ranking)
    general = is_general_question(text)
    by_model = model_red_flag(ranking)
    if by_model is not None and _learned_alarm_overruled(rules, text, scan, sure=score >= SURE_MODEL):
        by_model = None
    if by_model is not None and _model_overruled(report_probability, score):
        by_model = None
    by_classifier = _classifier_red_flag(rules, text, scan, ranking, report_probability)
    by_rules = scan.found
    if _rule_overruled(scan, report_probability, score) or _other_health_question(ranking, report_probability):
        by_rules = None
    # The guard is one heuristic; the rules and a sure model are two detectors. When
    # both call it a report, the doubt goes to escalating.
    contested = by_rules is not None and (score >= SURE_MODEL or _emergency_reported(by_rules, report_probability))
    guarded = by_rules or by_model
    found = None if general and not contested else guarded
    if found is None and by_classifier is not None:
        # The rules' groups, when they saw any, tell staff more than "unspecified".
        found = scan.found or by_classifier
    return Decision(
        red_flag=found,
        rules=scan.found.symptoms if scan.found else (),
        model_score=score,
        model_heard=by_model is not None,
        general_question=general,
        report_probability=report_probability,
        classifier_heard=by_classifier is not None,
        ranking=_ranking_read(ranking),
    )


def _model_overruled(probability: Optional[float], score: float) -> bool:
    """The intent classifier's alarm, not sure, against a report classifier sure of no report."""
    return probability is not None and probability < MODEL_NEEDS_PROBABILITY and score < SURE_MODEL


def _emergency_reported(found: RedFlagMatch, probability: Optional[float]) -> bool:
    """An emergency-level rule's match the report classifier also hears as a report."""
    return found.level == EMERGENCY and probability is not None and probability >= EMERGENCY_RULE_PAST_GUARD


def _rule_overruled(scan: RedFlagScan, probability: Optional[float], score: float) -> bool:
    """An urgent-level rule's match the report classifier is all but sure reports nothing.

    Never an emergency-level match: a bare "anaphylaxis?" or "throat closing" is worth
    a false alarm, whatever a classifier makes of it.
    """
    if scan.found is None or scan.found.level == EMERGENCY or probability is None:
        return False
    return probability < RULE_NEEDS_PROBABILITY and score < SURE_MODEL


def _other_health_question(ranking: Sequence[Mapping], probability: Optional[float]) -> bool:
    """A health question about something other than the treatment, by both classifiers."""
    if probability is None or probability >= OTHER_HEALTH_RULE_PROBABILITY or not ranking:
        return False
    top = ranking[0]
    return top.get("name") == OTHER_HEALTH_INTENT and float(top.get("confidence") or 0.0) >= OTHER_TOPIC_CONFIDENCE


def _classifier_red_flag(
    rules: RedFlagRules,
    text: str,
    scan: RedFlagScan,
    ranking: Sequence[Mapping],
    probability: Optional[float],
) -> Optional[RedFlagMatch]:
    """The report classifier's verdict, or None.

    It never escalates a message with nothing that could be a symptom, a question asked
    before a treatment, or a message the intent classifier is sure is about another
    topic. Below `SURE_CLASSIFIER` (and without a sure intent classifier) the same
    vetoes as the model's alarm apply. Its level is the intent classifier's guess
    between the two red-flag intents (the emergency text, 911 first, on a tie).
    """
    if probability is None or probability < CLASSIFIER_THRESHOLD:
        return None
    # At `CERTAIN_CLASSIFIER` the classifier is past the symptom-word gate too: the words
    # a frightened patient finds ("like looking through a dirty window") are not all in
    # any list, and names or numbers typed into a form never score that high.
    symptom_named = bool(scan.found or scan.negated or rules.symptom_words(text))
    gated = probability < CERTAIN_CLASSIFIER and not (symptom_named or could_be_a_symptom(text))
    # A message naming nothing of the body ("my dishwasher won't drain") stays with the
    # intent classifier's "another topic", however sure the report classifier is.
    body_named = symptom_named or names_the_body(text)
    topic_vetoes = is_before_treatment(text) or (
        (probability < PAST_TOPIC_VETOES or not body_named) and _about_something_else(ranking)
    )
    if gated or topic_vetoes:
        return None
    sure = probability >= SURE_CLASSIFIER or model_score(ranking) >= SURE_MODEL
    if not sure and _learned_alarm_overruled(rules, text, scan, sure=False):
        return None
    scores = _scores(ranking)
    level = EMERGENCY if scores.get(EMERGENCY, 0.0) >= scores.get(URGENT, 0.0) else URGENT
    return RedFlagMatch(level=level, symptoms=(UNSPECIFIED,))


def _could_be_a_symptom(rules: RedFlagRules, text: str, scan: RedFlagScan) -> bool:
    """Whether anything in the message could describe a symptom or a part of the body."""
    return bool(scan.found or scan.negated or rules.symptom_words(text) or could_be_a_symptom(text))


def _about_something_else(ranking: Sequence[Mapping]) -> bool:
    """Whether the intent classifier is sure the message is about another topic."""
    top = ranking[0] if ranking else {}
    return top.get("name") in OTHER_TOPIC_INTENTS and float(top.get("confidence") or 0.0) >= OTHER_TOPIC_CONFIDENCE


def _learned_alarm_overruled(rules: RedFlagRules, text: str, scan: RedFlagScan, sure: bool) -> bool:
    """When a learned part's alarm alone is not followed.

    The learned parts hear symptom words, not always what is said of them, and
    sometimes hear them where there are none (a name or a phone number typed into a
    form): nothing in the message could describe a symptom or a part of the body, every
    symptom the rules saw was denied ("no fever, no pus, just pink"), the message says
    one is over or easing ("not bleeding anymore", "still a bit red but fading"), it
    describes the expected course on its day ("pink and tight tonight, had it this
    morning"), or it is a question with nothing in it happening now ("can I wear my
    glasses after?") and the part is not `sure`. A rule's match is never overruled
    this way.
    """
    if not _could_be_a_symptom(rules, text, scan):
        return True
    expected = is_expected_course(text) and not rules.symptom_words(without_expected_signs(text))
    if scan.negated or is_easing(text) or expected:
        return True
    return is_plain_question(text) and not sure
