"""Two questions in one message: where to cut it, and when both halves are questions we answer.

"how long does the redness last, and how often should I come?" deserves both answers;
one intent per message gives one. The intent classifier reads each part this module
cuts (sentences with a question mark, or two clauses joined by "and" / "also" / "plus",
or a numbered list) and calls it two questions only when each part alone is a
confident, different question the assistant answers from the article (`ANSWERABLE`).
Everything else, a story before one question included, stays one message.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from bot.patterns import IGNORECASE
from bot.patterns import compile as compile_pattern

# The intent the classifier gives a message of two answerable questions; the parts'
# intents travel with it (`QUESTIONS_KEY`) to the action that answers both.
TWO_QUESTIONS_INTENT = "ask_two_questions"
QUESTIONS_KEY = "questions"
# Each part must be at least this sure of its own intent: measured on the blind single
# messages (docs/quality.md), lower cut single questions in two ("does it hurt and how
# bad is it").
PART_CONFIDENCE = 0.6
# When a question mark ends the first part ("wat does it help w? also can i workout after"),
# the message itself says two questions were asked, and this is enough for each part.
MARKED_PART_CONFIDENCE = 0.4
# ... provided neither part reads this much as the other's question: "when do we start to
# lose it? and how much every year?" is one question asked twice (collagen loss).
MARKED_OVERLAP = 0.1
# The pair's confidence at least (the parts' lower one otherwise): the intents it
# outranks share the rest, so the fallback's margin never turns a pair into "say it
# another way".
PAIR_CONFIDENCE = 0.6
MIN_PART_WORDS = 3

_SENTENCE = compile_pattern(r"[^.!?\n]+[.!?]*")
# How a question opens when its question mark was left off: "wats ...", "is the ...".
_QUESTION_START = compile_pattern(
    r"\W*(?:what|wat|wats|whats|how|when|where|why|who|which|is|are|am|can|could|do|does|did|will|would|should|shall"
    r"|may|must|have|has)\b",
    IGNORECASE,
)
_NUMBERED = compile_pattern(r"(?:^|\s)\(?[1-9][.)]\s+")
# Where a sentence holding two questions joins them: "..., and ...", "... also ...",
# "...; plus ...", and SMS's "... n ...".
_JOIN = compile_pattern(r"(?:,|;)?\s+(?:and\s+also|and|also|plus|&|\+|n|an)\s*,?\s+", IGNORECASE)


_CLAUSE = compile_pattern(r"[^.!?,;:\n]+")
_QUICK_Q = compile_pattern(r"\bquick\s+(?:q|qn|question)\b", IGNORECASE)


def asks_a_question(text: str) -> bool:
    """A question mark, or a clause that opens like a question ("quick q tho how long is
    the whole appointment", as SMS leaves the mark off)."""
    if "?" in text or _QUICK_Q.search(text):
        return True
    return any(_QUESTION_START.match(clause.strip()) for clause in _CLAUSE.findall(text))


def _words(text: str) -> int:
    return len(text.split())


def _long_enough(*parts: str) -> bool:
    return all(_words(part) >= MIN_PART_WORDS for part in parts)


def candidate_parts(text: str) -> List[str]:
    """The two parts a message might ask, or [] when it cannot hold two questions.

    In order: the last two items of a numbered list; the last two sentences with a
    question mark; the two sentences of a message of two that both open like a
    question but have no question mark (SMS drops them); the question sentence, else the
    message, cut at its first "and" / "also" / "plus" join with at least `MIN_PART_WORDS`
    words on each side. Whether each part is a question the
    assistant answers is the classifier's call (`two_questions`).
    """
    if len(_NUMBERED.findall(text)) >= 2:
        items = [(item or "").strip() for item in _NUMBERED.split(text)][-2:]
        return items if _long_enough(*items) else []
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    asked = [s for s in sentences if "?" in s and _long_enough(s)]
    if len(asked) >= 2:
        return asked[-2:]
    if (
        "?" not in text
        and len(sentences) == 2
        and _long_enough(*sentences)
        and all(map(_QUESTION_START.match, sentences))
    ):
        return sentences  # "wats collagen induction therapy even. is the consult free"
    # The join is looked for in the question sentence first: in "My boyfriend is getting it
    # done next month and he's nervous. What device do you use, and what will his face
    # look like after?" the story's "and" joins no questions.
    # The left part keeps the story before it ("Everyone is obsessed with collagen. What is
    # it and why does my skin need it?": "what is it" alone would be about the treatment).
    starts = ([text.rfind(asked[-1])] if asked and len(sentences) > 1 else []) + [0]
    for start in starts:
        for join in _JOIN.finditer(text, start):
            left, right = text[: join.start()].strip(" ,;"), text[join.end() :].strip(" ,;")
            if _long_enough(left, right):
                return [left, right]
    return []


# Questions answered from the article with one response each: the two-question answer
# is those two responses. Forms (booking, screening), a person, red flags and small
# talk are never half of a pair.
ANSWERABLE_EXTRA = frozenset({"ask_price", "ask_clinic_info", "ask_warning_signs"})


def answerable(intent: str) -> bool:
    return intent.startswith(("faq_", "aftercare_")) or intent in ANSWERABLE_EXTRA


def two_questions(
    parts: List[Tuple[str, float]], marked: bool = False, overlap: float = 0.0, refers_back: bool = False
) -> Optional[Tuple[str, str]]:
    """The two intents, in the message's order, when both parts are confident, different,
    answerable questions; else None. `parts` holds each part's top intent and confidence;
    `marked`, that a question mark ends the first part (`MARKED_PART_CONFIDENCE`);
    `overlap`, the most either part reads as the other's question (`MARKED_OVERLAP`);
    `refers_back`, that the second part points back at the first ("what brand is it?"),
    which with that overlap makes it a detail of the first question, not a second one."""
    if len(parts) != 2:
        return None
    (first, first_confidence), (second, second_confidence) = parts
    least = min(first_confidence, second_confidence)
    if least < PART_CONFIDENCE and not (marked and least >= MARKED_PART_CONFIDENCE and overlap < MARKED_OVERLAP):
        return None
    if refers_back and overlap >= MARKED_OVERLAP:
        return None  # "Do you sell skincare? What brand is it?": a detail of the first question
    if first == second:
        return None
    return (first, second) if answerable(first) and answerable(second) else None
