"""The screening itself: its questions, what an answer means, and the outcome.

The eligibility form (actions/eligibility.py) asks the questions one at a time and
keeps the answers in slots; everything it needs to know about the questions, the
patient's words and the clinic's policy is here, read from `clinic/screening.yml`, so
the medical director changes the wording or the word lists without touching code.
Nothing here imports Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from bot.screening.clauses import split_clauses
from bot.screening.phrases import ConditionWords, PhraseSet, Span
from bot.screening.reading import Cues, Reader, Reading, settle

NOT_RECOMMENDED = "not_recommended"
NEEDS_REVIEW = "needs_review"
CANDIDATE = "candidate"

CONDITIONS_PLACEHOLDER = "{conditions}"


@dataclass(frozen=True)
class Question:
    """One screening question, as the bot asks it and as staff see it."""

    slot: str
    label: str
    ask: str
    reask: str  # plainer wording after an unclear answer


@dataclass(frozen=True)
class ReviewCondition:
    """A condition from the device labeling that a provider must review in person."""

    key: str
    label: str


@dataclass(frozen=True)
class Outcome:
    """The result of a screening: what the bot says, and why (for staff)."""

    kind: str  # NOT_RECOMMENDED | NEEDS_REVIEW | CANDIDATE
    messages: tuple[str, ...]
    reasons: tuple[str, ...]  # slots answered yes, then review keys


@dataclass(frozen=True)
class QuestionRule:
    """A question with its word lists and its not-recommended text."""

    question: Question
    words: ConditionWords
    no_words: PhraseSet  # extra ways to say "no" to this question ("my skin is clear")
    not_recommended: str
    # Ways to say "no" to this question that count wherever they are said, asked or not:
    # "my scars heal normally" volunteered while another question was asked.
    denied_by: PhraseSet = field(default_factory=lambda: PhraseSet.parse([]))
    # A review condition that answers this question with "a provider reviews it", never
    # a yes: raised or thick acne scars, said in answer to the keloid question.
    review_instead: Optional[str] = None


@dataclass(frozen=True)
class ReviewRule:
    """A labeling condition with the words that mention it."""

    condition: ReviewCondition
    words: ConditionWords
    mentioned_as: str  # how the review text names it mid-sentence
    # When set, the condition is named only where one of these words is in the same
    # clause as one of `words` ("raised" with "acne scars").
    with_any: Optional[PhraseSet] = None

    def spans(self, words: Sequence[str]) -> list[Span]:
        """Where the condition is named in one clause (its words, then its qualifiers)."""
        found = self.words.mentions(words)
        if not found or self.with_any is None:
            return found
        qualifiers = self.with_any.spans(words)
        return found + qualifiers if qualifiers else []


@dataclass(frozen=True)
class Texts:
    """The screening's fixed texts."""

    intro: str
    candidate: str
    booking_offer: str
    review: str  # contains CONDITIONS_PLACEHOLDER


class Screening:
    """The clinic's screening, built by `load_screening` from `clinic/screening.yml`."""

    def __init__(
        self,
        texts: Texts,
        questions: Sequence[QuestionRule],
        review: Sequence[ReviewRule],
        reader: Reader,
    ) -> None:
        self.intro = texts.intro
        self.questions: tuple[Question, ...] = tuple(rule.question for rule in questions)
        # Every labeling condition, so staff screens can show a review key's label.
        self.labeling_conditions: tuple[ReviewCondition, ...] = tuple(rule.condition for rule in review)
        self._texts = texts
        self._rules = {rule.question.slot: rule for rule in questions}
        self._review = {rule.condition.key: rule for rule in review}
        self._reader = reader

    def question(self, slot: str) -> Question:
        """The question that fills `slot`; ValueError for a slot that is not a question."""
        return self._rule(slot).question

    def interpret(self, text: str, asked: Optional[str] = None) -> dict[str, bool]:
        """The facts `text` states: slot -> True (has it) or False (does not).

        `asked` is the slot of the question the bot just asked, so a bare "nope", "yes I
        am" or "not anymore" answers it; without it such words mean nothing. A slot the
        text leaves unclear ("maybe", "what's a keloid?") is absent.
        """
        asking = self._rule(asked) if asked is not None else None
        clauses = self._cues(text)
        said: dict[str, list[Reading]] = {slot: [] for slot in self._rules}
        named, answered = set(), set()
        instead_named: set[str] = set()  # questions whose review-instead condition was named
        for index, cues in enumerate(clauses):
            # A clause about the review-instead condition ("thick raised acne scars") is
            # not about the question's own condition, whatever words it shares with it.
            about_instead = {
                slot
                for slot, rule in self._rules.items()
                if rule.review_instead and self._named(clauses, index, self._review[rule.review_instead])
            }
            instead_named |= about_instead
            for slot, rule in self._rules.items():
                if slot in about_instead:
                    continue
                if rule.denied_by.spans(cues.clause.words):
                    said[slot].append(Reading.HAS_NOT)
                    named.add(index)
                for span in rule.words.mentions(cues.clause.words):
                    reading, took_next = self._reader.mention(clauses, index, span)
                    said[slot].append(reading)
                    named.add(index)
                    if took_next:
                        answered.add(index + 1)
            if any(rule.spans(cues.clause.words) for rule in self._review.values()):
                named.add(index)
        if asking is not None:
            slot = asking.question.slot
            if slot in instead_named:
                # The patient answered with the review condition ("yes, thick acne scars"):
                # not a yes to this question; a provider reviews the condition instead.
                said[slot].append(Reading.HAS_NOT)
            else:
                unnamed = [cues for index, cues in enumerate(clauses) if index not in named | answered]
                answer = self._reader.answer(unnamed, asking.no_words)
                if answer is not None:
                    said[slot].append(answer)
        facts = {slot: settle(readings) for slot, readings in said.items()}
        return {slot: fact for slot, fact in facts.items() if fact is not None}

    def review_conditions(self, text: str) -> tuple[ReviewCondition, ...]:
        """The labeling conditions `text` mentions and does not deny, in file order."""
        clauses = self._cues(text)
        return tuple(
            rule.condition
            for rule in self._review.values()
            if any(self._named(clauses, index, rule) for index in range(len(clauses)))
        )

    def next_question(self, answers: Mapping[str, Optional[bool]]) -> Optional[Question]:
        """The first unanswered question, or None when done (any yes ends it early)."""
        if any(answers.get(question.slot) is True for question in self.questions):
            return None
        return next((q for q in self.questions if answers.get(q.slot) is None), None)

    def outcome(self, answers: Mapping[str, Optional[bool]], review: Sequence[str] = ()) -> Outcome:
        """What to tell the patient once the questions are answered.

        Any yes: not recommended, with the text of every condition answered yes (and the
        review text when labeling conditions came up too). Otherwise a mentioned labeling
        condition needs a provider's review; otherwise the patient may be a candidate.
        ValueError for an unknown review key, or when no answer is yes and some are missing.
        """
        unknown = [key for key in review if key not in self._review]
        if unknown:
            raise ValueError(f"unknown review condition(s) {unknown}; known: {sorted(self._review)}")
        keys = tuple(key for key in self._review if key in review)
        yes = tuple(q.slot for q in self.questions if answers.get(q.slot) is True)
        if yes:
            messages = tuple(self._rules[slot].not_recommended for slot in yes)
            if keys:
                messages += (self._review_text(keys),)
            return Outcome(NOT_RECOMMENDED, messages, yes + keys)
        missing = [q.slot for q in self.questions if answers.get(q.slot) is not False]
        if missing:
            raise ValueError(f"the screening is not finished: no answer for {missing}")
        if keys:
            return Outcome(NEEDS_REVIEW, (self._review_text(keys), self._texts.booking_offer), keys)
        return Outcome(CANDIDATE, (self._texts.candidate, self._texts.booking_offer), ())

    def _rule(self, slot: str) -> QuestionRule:
        try:
            return self._rules[slot]
        except KeyError:
            raise ValueError(f"no screening question fills {slot!r}; known: {sorted(self._rules)}") from None

    def _named(self, clauses: Sequence[Cues], index: int, rule: ReviewRule) -> bool:
        """Whether clause `index` names the review condition and does not deny it.

        A condition with qualifiers is one statement: denying either part denies it
        ("my acne scars aren't raised", "no thick acne scars").
        """
        spans = rule.spans(clauses[index].clause.words)
        readings = {self._reader.mention(clauses, index, span)[0] for span in spans}
        if rule.with_any is not None and readings & {Reading.HAS_NOT, Reading.ASKS_MEANING}:
            return False
        return bool(readings & {Reading.HAS, Reading.UNCLEAR})

    def _cues(self, text: str) -> list[Cues]:
        return [self._reader.cues(clause) for clause in split_clauses(text)]

    def _review_text(self, keys: Sequence[str]) -> str:
        names = [self._review[key].mentioned_as for key in keys]
        # A comma before the last "and" once there are three: the names contain "or".
        last = ", and " if len(names) > 2 else " and "
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])}{last}{names[-1]}"
        return self._texts.review.replace(CONDITIONS_PLACEHOLDER, listed)
