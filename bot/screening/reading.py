"""What a clause says about a condition it names, or about the question just asked.

The rules, in the order they are tried for a condition named in a clause:

1. Asking what it is ("what's a keloid?", or just "keloids?") says nothing about the
   patient.
2. A short answer right after it decides ("pregnant? no", "keloids - never",
   "breakouts: nope", "pregnant, not anymore", "acne? maybe").
3. A hedge before it ("not sure if I'm pregnant", "I might have a few pimples") makes it
   unclear, so the form asks.
4. A negation before it denies it ("not pregnant or nursing", "never had keloids",
   "im not preggo", "I used to get breakouts"), and so does one right after it that
   says the patient does not have it ("acne I don't have since teenager", "keloids,
   I've never had").
5. Otherwise the patient has it. A general question ("is it safe during pregnancy?")
   counts too: the not-recommended answer reads right either way, and it is the safe
   side.

A negation stops at words that start a new thought ("I haven't done it since I'm
pregnant" is about pregnancy, not a denial of it); a hedge also reaches across "if"
and "whether" ("not sure if I'm pregnant").

The yes/no/unsure word lists come from `clinic/screening.yml`; the grammar words
below are part of the language, not of the clinic's policy, so they live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional, Sequence

from bot.screening.clauses import Clause
from bot.screening.phrases import PhraseSet, Span


class Reading(Enum):
    """What the patient said about one condition in one place."""

    HAS = "has"
    HAS_NOT = "has not"
    UNCLEAR = "unclear"
    ASKS_MEANING = "asks what it means"


_NEGATIONS = PhraseSet.parse(
    [
        "not",
        "no",
        "never",
        "none",
        "without",
        "neither",
        "nor",
        "nope",
        "nah",
        "zero",
        "nt",
        "nvr",
        "free of",
        "used to",
        "use to",
        "cannot",
        "aint",
        "dont",
        "dnt",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "havent",
        "hasnt",
        "hadnt",
        "wont",
        "wouldnt",
        "cant",
        "couldnt",
        "shouldnt",
        "mustnt",
        "neednt",
    ]
)
# A question opening with one of these is rhetorical ("isn't it unsafe for pregnant
# women?", "don't you have to wait?"), and "why can't pregnant women..." asks a reason:
# neither denies anything about the patient.
_RHETORICAL_OPENERS = frozenset(
    {"isnt", "arent", "dont", "doesnt", "cant", "wont", "shouldnt", "wouldnt", "couldnt", "wasnt", "werent"}
)
_WHY = frozenset({"why", "y"})
_NEGATION_ENDS = frozenset(
    {
        "if",
        "when",
        "whenever",
        "while",
        "whilst",
        "since",
        "because",
        "cause",
        "cuz",
        "coz",
        "bc",
        "so",
        "during",
        "until",
        "till",
        "unless",
        "whether",
    }
)
_HEDGE_ENDS = _NEGATION_ENDS - {"if", "whether"}
_MEANING_CUES = PhraseSet.parse(
    [
        "whats",
        "what is",
        "what are",
        "what does",
        "what do",
        "what r",
        "wats",
        "wat is",
        "define",
        "meaning of",
        "mean by",
        "means by",
    ]
)
_ARTICLES = frozenset({"a", "an", "the"})
# Words that may surround a short answer without changing it ("haha no", "nope lol").
_FILLERS = frozenset(
    {
        "um",
        "umm",
        "uh",
        "uhh",
        "er",
        "hmm",
        "hm",
        "well",
        "oh",
        "ah",
        "ok",
        "okay",
        "so",
        "lol",
        "haha",
        "ha",
        "sadly",
        "unfortunately",
        "luckily",
        "thankfully",
        "fortunately",
        "honestly",
        "actually",
        "sorry",
        "thanks",
        "please",
        "rn",
        "atm",
        "currently",
        "now",
    }
)
_LONGEST_ANSWER_TAIL = 6  # words after a condition that can still be a short answer to it


@dataclass(frozen=True)
class AnswerWords:
    """The clinic's shared yes, no and unsure words (`answers` in the YAML file)."""

    yes: PhraseSet
    no: PhraseSet
    unsure: PhraseSet

    def spans(self, words: Sequence[str]) -> list[tuple[int, int, Reading]]:
        """Each answer word in `words`, without those inside a longer one ("i am" in "i am not")."""
        found = [(s, e, Reading.HAS) for s, e in self.yes.spans(words)]
        found += [(s, e, Reading.HAS_NOT) for s, e in self.no.spans(words)]
        found += [(s, e, Reading.UNCLEAR) for s, e in self.unsure.spans(words)]
        return _outermost(found)


@dataclass(frozen=True)
class Cues:
    """One clause with, for each word position, whether a negation or hedge reaches it."""

    clause: Clause
    negated: tuple[bool, ...]
    hedged: tuple[bool, ...]
    meaning_ends: frozenset[int]  # positions right after "what's", "what is", ...


class Reader:
    """Reads clauses with the clinic's answer words."""

    def __init__(self, answers: AnswerWords) -> None:
        self.answers = answers

    def cues(self, clause: Clause) -> Cues:
        """Work out, in one pass, which positions of `clause` a negation or a hedge reaches."""
        words = clause.words
        negation_ends = {end for start, end in _NEGATIONS.spans(words) if not _rhetorical(clause, start)}
        hedge_ends = {end for _, end in self.answers.unsure.spans(words)}
        negated, hedged = [], []
        negation = hedge = False
        for index, word in enumerate(words):
            negation = negation or index in negation_ends
            hedge = hedge or index in hedge_ends
            negated.append(negation)
            hedged.append(hedge)
            negation = negation and word not in _NEGATION_ENDS
            hedge = hedge and word not in _HEDGE_ENDS
        meaning_ends = frozenset(end for _, end in _MEANING_CUES.spans(words))
        return Cues(clause, tuple(negated), tuple(hedged), meaning_ends)

    def mention(self, clauses: Sequence[Cues], index: int, span: Span) -> tuple[Reading, bool]:
        """How clause `index` speaks of the condition named at `span`.

        The flag is True when the next clause was the answer to it ("pregnant? no"), so
        that clause is not read again as an answer to the question the bot asked.
        """
        cues = clauses[index]
        words = cues.clause.words
        start, end = span
        opening = start
        while opening and words[opening - 1] in _ARTICLES:
            opening -= 1
        if opening in cues.meaning_ends:
            return Reading.ASKS_MEANING, False
        tail, from_next = words[end:], False
        if not tail and index + 1 < len(clauses):
            tail, from_next = clauses[index + 1].clause.words, True
        after = self._short_answer(tail)
        if after is not None:
            return after, from_next
        if _denied_after(tail):
            return Reading.HAS_NOT, from_next
        if cues.clause.question and opening == 0 and end == len(words):
            return Reading.ASKS_MEANING, False  # "keloids?"
        if cues.hedged[start]:
            return Reading.UNCLEAR, False
        if cues.negated[start]:
            return Reading.HAS_NOT, False
        return Reading.HAS, False

    def answer(self, clauses: Sequence[Cues], question_no_words: PhraseSet) -> Optional[Reading]:
        """What clauses naming no condition answer to the question just asked, if anything.

        The question's own no-words ("my skin is clear") count anywhere, and a negation
        turns them into a yes ("my skin isn't clear"). The shared words count when the
        clause is made of them ("yes I am", "I'm not sure"), or when it opens with a
        one-word answer ("nope, never had them"); so "I am 25" and "y do you ask" are
        not answers. Questions are not answers. Clauses that disagree ("yes and no")
        leave it unclear.
        """
        said: set[Reading] = set()
        for cues in clauses:
            if not cues.clause.question:
                said.update(self._clause_answer(cues, question_no_words))
        return _verdict(said)

    def _clause_answer(self, cues: Cues, question_no_words: PhraseSet) -> set[Reading]:
        words = cues.clause.words
        said = {Reading.HAS if cues.negated[start] else Reading.HAS_NOT for start, _ in question_no_words.spans(words)}
        shared = self.answers.spans(words)
        opening = next((i for i, word in enumerate(words) if word not in _FILLERS), len(words))
        opens_with_word = any(
            start == opening and end == start + 1 and len(words[start]) > 1 for start, end, _ in shared
        )
        if opens_with_word or _covers(words, shared):
            said.update(reading for _, _, reading in shared)
        return said

    def _short_answer(self, words: Sequence[str]) -> Optional[Reading]:
        """The answer that `words` consist of, if they are nothing but answer words."""
        if not words or len(words) > _LONGEST_ANSWER_TAIL:
            return None
        shared = self.answers.spans(words)
        return _verdict({reading for _, _, reading in shared}) if _covers(words, shared) else None


# "acne I don't have", "keloids, I've never had", "pregnant I am not": the patient, a
# negation, and (optionally) the verb, right after the condition.
_SUBJECTS = frozenset({"i", "ive", "im", "we"})
_FRONTED_NEGATIONS = frozenset({"dont", "didnt", "havent", "hadnt", "never", "not", "aint"})
_POSSESSION = frozenset({"have", "had", "get", "got", "am", "do"})


# What may follow such a denial: when, or nothing ("since teenager", "ever", "either").
# Anything else is the object of another sentence ("I get keloids, never had breakouts").
_AFTER_DENIAL = frozenset(
    {"since", "for", "ever", "in", "anymore", "now", "currently", "either", "though", "tho", "at", "any", "lol", "yet"}
)


def _denied_after(tail: Sequence[str]) -> bool:
    """Whether the words after a condition say the patient does not have it."""
    words = list(tail)
    if words and words[0] in _SUBJECTS:
        words = words[1:]
    if words and words[0] in _POSSESSION:  # "i do not have", "i have never had", "i am not"
        words = words[1:]
    if not words or words[0] not in _FRONTED_NEGATIONS:
        return False
    words = words[1:]
    if words and words[0] in _POSSESSION:
        words = words[1:]
    return not words or words[0] in _AFTER_DENIAL


def settle(readings: Sequence[Reading]) -> Optional[bool]:
    """One answer from everything said about a condition: None when it stays unclear.

    Any "has it" wins (safety first: "not pregnant but nursing"); otherwise anything
    unclear keeps the question open; otherwise the patient does not have it.
    """
    if Reading.HAS in readings:
        return True
    if not readings or Reading.UNCLEAR in readings or Reading.ASKS_MEANING in readings:
        return None
    return False


def _covers(words: Sequence[str], spans: Sequence[tuple[int, int, Reading]]) -> bool:
    """Whether `words` are answer words and fillers only (and at least one answer word)."""
    covered = {i for start, end, _ in spans for i in range(start, end)}
    return bool(covered) and all(i in covered or word in _FILLERS for i, word in enumerate(words))


def _verdict(said: set[Reading]) -> Optional[Reading]:
    if not said:
        return None
    if len(said) > 1:
        return Reading.UNCLEAR  # "yes and no", "no... maybe"
    return next(iter(said))


def _rhetorical(clause: Clause, start: int) -> bool:
    if start == 0:
        return clause.question and clause.words[0] in _RHETORICAL_OPENERS
    return clause.words[start - 1] in _WHY


def _outermost(found: list[tuple[int, int, Reading]]) -> list[tuple[int, int, Reading]]:
    """Drop spans lying inside a longer span (sweep by start, longest first)."""
    found.sort(key=lambda item: (item[0], -item[1]))
    kept: list[tuple[int, int, Reading]] = []
    reach = -1
    widest: tuple[int, int] = (-1, -1)
    for start, end, reading in found:
        if end <= reach and (start, end) != widest:
            continue
        kept.append((start, end, reading))
        if end > reach:
            reach, widest = end, (start, end)
    return kept
