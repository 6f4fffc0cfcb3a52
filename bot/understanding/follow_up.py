"""A follow-up answered on the topic of the previous answer: "is it vegan tho" after the
skincare answer.

A short message that leans on the previous one ("and the needling part?", "how long
does that sit on?", "n no parabens?") names nothing the classifier can place, so alone
it gets the out-of-scope answer or "say it another way". When it looks like a
follow-up, and the message alone is not sure of a question or an act of its own, it is
answered on the previous answer's topic, provided its own words lean that way: the
classifier gives that topic some probability for the message alone (`TOPIC_AFFINITY`).
That lean is what tells "does it get hot tho" after the red-light answer from "what is
this song name" after any answer.

The topic is the intent the previous message was answered with (the tracker's latest
message, as the assistant finally read it, follow-ups included), so a chain of
follow-ups keeps its thread. Reading the two messages' text joined, as this module did
first, only ever repeated the previous message's reading (the longer message dominates
the features) and lost the thread after one follow-up.

Rasa gives an NLU component the conversation's tracker when its `process` takes a
`tracker` argument (the default recipe resolves it to the tracker placeholder,
`rasa/engine/recipes/default_recipe.py`; tests/rasa_server/components/test_intent_classifier.py guards it).
The tracker is read as it was before this message: its latest message is the previous one.
"""

from __future__ import annotations

from typing import Any, Optional

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from bot.patterns import IGNORECASE
from bot.patterns import compile as compile_pattern
from bot.understanding.question_parts import QUESTIONS_KEY, TWO_QUESTIONS_INTENT, answerable, asks_a_question

# A follow-up is short, and opens with a joining word or points back with a pronoun.
MAX_WORDS = 20
_OPENER = compile_pattern(
    r"^\W*(?:ok(?:ay)?\W+|so\W+|thanks?\W+|thank you\W+|hmm+\W+|ugh\W+|no+\W+|oh\W+|ah+\W+|right\W+|hm+\W+)*"
    r"(?:and|also|but|so|what about|how about|wat about|what if|and if|or)\b",
    IGNORECASE,
)
_POINTS_BACK = compile_pattern(
    r"\b(?:it|that|this|those|these|they|them|there|its|one|ones|then|tho|though)\b", IGNORECASE
)
# "is that bad??", "is it normal", "are those ok?", "is this a good sign": nothing but a
# judgement asked on what was just said.
_JUDGEMENT = compile_pattern(
    r"^\W*(?:(?:ok(?:ay)?|so|ugh|hmm+|oh|wait|and|but)\W+)*(?:is|are|was|were|iz)\s+(?:that|this|it|they|those|these)"
    r"\s+(?:(?:a|really|actually|totally|normal\s+or)\s+)*(?:bad|normal|ok|okay|good|fine|safe|dangerous|serious|"
    r"worrying|expected|common|usual|a\s+(?:good|bad)\s+(?:thing|sign))\b[^.!?]{0,20}[.!?]*\s*$"
    # "should I worry", "do i need to be worried about that", "is that something to worry about"
    r"|^\W*(?:(?:ok(?:ay)?|so|ugh|hmm+|oh|wait|and|but)\W+)*(?:(?:should|do|must)\s+i\s+(?:need\s+to\s+)?(?:be\s+)?"
    r"(?:worr(?:y|ied)|concerned)|(?:is|are)\s+(?:that|this|it|they|those)\s+(?:something\s+)?to\s+worry)"
    r"(?:\s+about(?:\s+(?:it|that|this|them))?)?\W*$",
    IGNORECASE,
)
# "same deal?", "is it the same rule for that?", "does that apply to peels too": whether
# the previous answer holds for something else, which only that answer can say.
_SAME = compile_pattern(
    r"\bsame\s+(?:thing|deal|rules?|for|goes|applies|with|here|there|answer)\b|\bthe\s+same\W*$|\bsame\s*\?"
    r"|\b(?:does|do|would|will)\s+(?:that|this|it|the\s+same)\s+(?:also\s+)?apply\b",
    IGNORECASE,
)
# A case put to the previous answer: "and if it's for acne scars?", "would that change things
# for him?". Read alone such a message is about the case ("what it helps with").
_CASE = compile_pattern(
    r"^\W*(?:(?:ok(?:ay)?|so|and|but)\W+)*(?:if|for|what\s+about|how\s+about|in\s+(?:his|her|my|that)\s+case)\b"
    r"|\b(?:would|does|will)\s+(?:that|this|it)\s+change\b",
    IGNORECASE,
)
# Answers that differ by case, and the readings that name a case: the frequency answer
# has its own plan for acne scars.
CASES = {"faq_frequency": frozenset({"faq_skin_concerns"})}
# How much the message alone must lean to the previous topic (its probability among all
# intents). Measured (docs/quality.md) on the blind conversations' follow-ups and on
# CLINC150 queries asked after five clinic questions (`make understanding --in-context`).
TOPIC_AFFINITY = 0.02
# A message the classifier alone is this sure of keeps its own reading ("no", "thanks"),
# unless it is the out-of-scope reading, which a follow-up's missing context explains;
# for a question answered from the article, less is enough.
OWN_CONFIDENCE = 0.8
OWN_ANSWER_CONFIDENCE = 0.5
OUT_OF_SCOPE = "out_of_scope"
# A message sure it is about the patient's own health is no follow-up to the previous
# topic ("i have a rash, what can i use for it" after the device answer); "is that
# bad??" after the flaking answer, unsure alone, is.
OWN_HEALTH = frozenset({"ask_other_health", "ask_warning_signs"})
# The confidence a winning topic gets at least: clear of the fallback's bar (0.25) and
# of its ambiguity margin against the rest, which share what is left.
CONTEXT_CONFIDENCE = 0.6
# A fragment this short leans on what came before whatever its words ("how far apart",
# "how much a year"; four words, not three, turned one more blind follow-up and one more
# CLINC150 query asked after a clinic question, of 1,695, into the previous topic);
# a message pointing back ("does it get hot tho i hate heat lamps") may be as long as any
# follow-up. What keeps other domains out is the lean (`TOPIC_AFFINITY`): CLINC150's
# queries asked after five clinic questions got 4 clinic answers of 1,695 through the
# context (docs/quality.md), where reading the two messages joined gave 20.
FRAGMENT_WORDS = 4
POINTING_WORDS = MAX_WORDS
# When the previous topic is a close rival of the message's own answer ("how much of it
# per year?" after the collagen-loss answer: the price answer 0.53, collagen loss 0.35),
# the pronoun settles it: at least this share of the own reading's confidence.
RIVAL_SHARE = 0.5
# Readings that answer an aspect of anything ("does it hurt?", "how much is it?", "how
# often?"): they keep a follow-up with no topic words of its own. Any other reading of
# such a message ("how long does that take?" read as the visit's steps) is a guess the
# previous answer's topic beats.
ASPECT_INTENTS = frozenset({"faq_pain", "ask_price", "ask_warning_signs", "faq_frequency", "ask_clinic_info"})
# A question about an aspect, with nothing of its own to place it: stop words (scikit-learn's
# English list) and these.
_ASPECT_WORDS = frozenset(
    "long take takes taking last lasts does did doing happen happens happening ok okay just really actually exactly "
    "like need time start starts begin end ends stay stays sit sits then tho though gonna u ya ur r pls".split()
)
_WORD = compile_pattern(r"[a-z']+", IGNORECASE)
_QUESTION_WORD = compile_pattern(r"\b(?:how|what|wat|when|where|why|who|which)\b", IGNORECASE)
# "so when can I?" read as a question the article does not cover: the missing context
# explains that reading as it explains the out-of-scope one.
CONTEXTLESS = frozenset({OUT_OF_SCOPE, "faq_not_covered"})


def points_back(text: str) -> bool:
    """Whether the text refers to something said before ("is it ...", "that", "those")."""
    return bool(_POINTS_BACK.search(text))


def looks_like_follow_up(text: str) -> bool:
    """Short, and a fragment, or opens with "and ..." / "what about ...", names nothing of
    its own (`names_nothing`) or points back ("is it ...")."""
    words = text.split()
    if not words or len(words) > MAX_WORDS or text.lstrip().startswith("/"):
        return False
    if len(words) <= FRAGMENT_WORDS or _OPENER.search(text) or names_nothing(text):
        return True  # "how much a year": a question with nothing of its own
    return len(words) <= POINTING_WORDS and points_back(text)


def names_nothing(text: str) -> bool:
    """Whether the message asks a question with no word of its own beyond question and
    filler words ("how long does that take?", "what happens at that?", "how long does it
    go on for"): it can only be about what was just said."""
    words = _WORD.findall(text.lower())
    asks = asks_a_question(text) or bool(_QUESTION_WORD.search(text))
    return asks and all(word in ENGLISH_STOP_WORDS or word in _ASPECT_WORDS for word in words)


# A follow-up that reads as "can I have it?" asks about the rules, not for a new
# screening: its topic is the answer on who should not have it.
AS_INFORMATION = {"check_eligibility": "faq_contraindications"}


# An aspect asked of the topic ("does that cost anything?" after the consultation answer)
# does not replace it: "and what happens at it?" next is still about the consultation.
PASS_THROUGH = frozenset({"ask_price"})


def _topic_of(message: Any) -> Optional[str]:
    """The answered topic of one user message (the second of two questions), or None."""
    intent = (getattr(message, "intent", None) or {}).get("name")
    if intent == TWO_QUESTIONS_INTENT:
        asked = (getattr(message, "parse_data", None) or {}).get(QUESTIONS_KEY) or []
        intent = asked[-1] if asked else None
    intent = AS_INFORMATION.get(intent, intent) if isinstance(intent, str) else None
    return intent if intent and answerable(intent) else None


def previous_topic(tracker: Any) -> Optional[str]:
    """The topic of the previous answer: the previous message's intent when the article
    answered it, else None (no tracker, an act, a form). A price question right after a
    topic passes it on (`PASS_THROUGH`)."""
    latest = getattr(tracker, "latest_message", None)
    topic = _topic_of(latest)
    if topic in PASS_THROUGH:
        users = (
            event for event in reversed(getattr(tracker, "events", [])) if getattr(event, "type_name", None) == "user"
        )
        next(users, None)  # the latest message itself
        topic = _topic_of(next(users, None)) or topic  # stops at the one before: no walk of the whole conversation
    return topic


def asks_about_it(text: str) -> bool:
    """A judgement on what was just said ("is that bad??", "is it normal?", "is this ok"),
    or whether it holds for something else too ("same deal?"), which carry no topic words
    of their own to lean with."""
    return bool(_JUDGEMENT.search(text) or _SAME.search(text))


def puts_a_case(text: str) -> bool:
    """A case put to the previous answer ("and if it's for acne scars?", "would that change things?")."""
    return bool(_CASE.search(text))


def context_wins(
    own: str,
    own_confidence: float,
    topic: str,
    affinity: float,
    judgement: bool = False,
    nameless: bool = False,
    case: bool = False,
) -> bool:
    """Whether the previous answer's `topic` replaces the message's own reading.

    Never for a red flag (the detector's), a message sure of its own question or act
    ("does it hurt?", "no", "thanks"), or one whose words do not lean to the topic
    (`affinity`: the topic's probability for the message alone), unless it asks for a
    judgement on what was just said (`judgement`, see `asks_about_it`). A message that
    names nothing of its own (`nameless`, see `names_nothing`) is the topic's unless
    its reading answers an aspect of anything (`ASPECT_INTENTS`). A case put to an answer
    that differs by case (`case`, see `puts_a_case`; `CASES`) is that answer's.
    """
    if own.startswith("red_flag_"):
        return False  # a symptom in the follow-up itself is the red-flag detector's
    if not answerable(topic):
        return False
    if topic == own:
        return own_confidence < CONTEXT_CONFIDENCE  # "ok. it is vegan?": leaning, but unsure alone
    if case and own in CASES.get(topic, ()):
        return True  # "and if is for acne scars?" after the frequency answer
    if answerable(own) and own not in CONTEXTLESS and own_confidence >= OWN_ANSWER_CONFIDENCE:
        # "and the needling part itself?": its own question, unless it names nothing of
        # its own or the topic is a close rival
        return (nameless and own not in ASPECT_INTENTS) or affinity >= RIVAL_SHARE * own_confidence
    if judgement or (nameless and own in CONTEXTLESS):
        return True  # nothing in "how long does it go on for" is out of scope on its own
    if affinity < TOPIC_AFFINITY:
        return False
    if own in OWN_HEALTH and own_confidence >= OWN_ANSWER_CONFIDENCE:
        return False  # "i have a rash, what can i use for it": its own question
    return own in CONTEXTLESS or own_confidence < OWN_CONFIDENCE
