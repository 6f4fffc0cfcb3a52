"""A follow-up read with the question before it: "is it vegan tho" after the skincare answer.

A short message that leans on the previous one ("and the needling part?", "how long
does that sit on?", "is that normal?") names nothing the classifier can place, so alone
it gets the out-of-scope answer or "say it another way". Read together with the
patient's previous message it is placed: the intent classifier classifies the two
messages joined, and takes that reading when the message looks like a follow-up and
the joined reading is a confident question answered from the article.

Rasa gives an NLU component the conversation's tracker when its `process` takes a
`tracker` argument (the default recipe resolves it to the tracker placeholder,
`rasa/engine/recipes/default_recipe.py`; tests/nlu/test_intent_classifier.py guards it).
The tracker is read as it was before this message: its latest message is the previous one.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.nlu.question_parts import answerable
from bot.patterns import IGNORECASE
from bot.patterns import compile as compile_pattern

# A follow-up is short, and opens with a joining word or points back with a pronoun.
MAX_WORDS = 14
_OPENER = compile_pattern(
    r"^\W*(?:ok(?:ay)?\W+|so\W+|thanks?\W+|thank you\W+|hmm+\W+|ugh\W+)*"
    r"(?:and|also|but|so|what about|how about|wat about|what if|and if|or)\b",
    IGNORECASE,
)
_POINTS_BACK = compile_pattern(r"\b(?:it|that|this|those|these|they|them|there|its|one|ones|then|tho|though)\b", IGNORECASE)
# The joined reading must be at least this sure of an answerable question.
CONTEXT_CONFIDENCE = 0.5
# A message the classifier alone is this sure of keeps its own reading; for a question
# answered from the article, less is enough.
OWN_CONFIDENCE = 0.8
OWN_ANSWER_CONFIDENCE = 0.5
# A fragment this short leans on what came before whatever its words ("how far apart");
# a message pointing back ("is it vegan tho") is at most `POINTING_WORDS` long: longer
# ones with a "that" are mostly sentences of their own ("i have a car payment that
# needs to be paid"). Measured on CLINC150 queries asked after five FAQ questions
# (docs/quality.md): 47 of 1,695 became clinic answers with any length, 2 with this.
FRAGMENT_WORDS = 3
POINTING_WORDS = 8


def looks_like_follow_up(text: str) -> bool:
    """Short, and a fragment, or opens with "and ..." / "what about ..." or points back ("is it ...")."""
    words = text.split()
    if not words or len(words) > MAX_WORDS or text.lstrip().startswith("/"):
        return False
    if len(words) <= FRAGMENT_WORDS or _OPENER.search(text):
        return True
    return len(words) <= POINTING_WORDS and bool(_POINTS_BACK.search(text))


def previous_text(tracker: Any) -> Optional[str]:
    """The patient's previous message in this conversation, or None (no tracker, a button)."""
    latest = getattr(tracker, "latest_message", None)
    text = getattr(latest, "text", None) or ""
    return text if text.strip() and not text.lstrip().startswith("/") else None


# A follow-up that reads as "can I have it?" asks about the rules, not for a new
# screening ("and what about while I'm breastfeeding?" after the outcome): it gets the
# answer on who should not have it.
AS_INFORMATION = {"check_eligibility": "faq_contraindications"}


def as_information(ranking: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The ranking with each `AS_INFORMATION` intent folded into its information intent."""
    folded: Dict[str, float] = {}
    for item in ranking:
        name = AS_INFORMATION.get(item["name"], item["name"])
        folded[name] = folded.get(name, 0.0) + float(item["confidence"])
    return [{"name": name, "confidence": confidence} for name, confidence in sorted(folded.items(), key=lambda kv: -kv[1])]


def context_wins(own: str, own_confidence: float, joined: str, joined_confidence: float) -> bool:
    """Whether the joined reading replaces the message's own one.

    Only a confident, answerable joined reading, different from the message's own, and
    only when the message alone is not already sure of something (a question of its
    own, or another domain: "is it going to rain tomorrow?").
    """
    if own.startswith("red_flag_"):
        return False  # a symptom in the follow-up itself is the red-flag detector's
    if joined == own or not answerable(joined) or joined_confidence < CONTEXT_CONFIDENCE:
        return False
    if answerable(own) and own_confidence >= OWN_ANSWER_CONFIDENCE:
        return False  # "and the needling part itself?" asks its own question
    return own_confidence < OWN_CONFIDENCE
