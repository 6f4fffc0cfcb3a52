"""Reading `clinic/screening.yml` into a `Screening`, with messages a non-programmer can act on.

The medical director edits the file, so every mistake (a missing text, a misspelt slot,
an empty word list, a stray `*`) stops the assistant at start-up with a message naming
the place, rather than quietly changing how patients are screened.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, NoReturn

import yaml

from bot.screening.interview import (
    CONDITIONS_PLACEHOLDER,
    Question,
    QuestionRule,
    ReviewCondition,
    ReviewRule,
    Screening,
    Texts,
)
from bot.screening.phrases import ConditionWords, PhraseSet
from bot.screening.reading import AnswerWords, Reader
from bot.settings import ConfigurationError, get_settings

# The form's slots (domain.yml); the questions are asked in the order the file lists them.
SLOTS = ("pregnant_or_nursing", "active_acne", "keloids")

# Each part's entries: True when required.
_TOP = {
    "intro": True,
    "answers": True,
    "questions": True,
    "candidate": True,
    "booking_offer": True,
    "review": True,
}
_ANSWERS = {"yes_words": True, "no_words": True, "unsure_words": True}
_QUESTION = {
    "slot": True,
    "label": True,
    "ask": True,
    "reask": True,
    "words": True,
    "does_not_count": False,
    "no_words": False,
    "denied_by": False,
    "not_recommended": True,
    "review_instead": False,
}
_REVIEW = {"text": True, "conditions": True}
_CONDITION = {"key": True, "label": True, "mentioned_as": True, "words": True, "with_any": False}


def load_screening(path: Path) -> Screening:
    """Read and check the screening file; ConfigurationError says what to fix and where."""
    path = Path(path)
    try:
        # BaseLoader keeps every value as text: standard YAML would turn `- yes`, `- no`
        # and `- on` in the answer lists into true/false and quietly break them.
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except FileNotFoundError as exc:
        raise ConfigurationError(f"screening file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path} (save it as UTF-8 text): {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path} is not valid YAML (check indentation and quotes): {exc}") from exc
    return _Builder(str(path)).screening(raw)


@lru_cache(maxsize=1)
def get_screening() -> Screening:
    """The screening of this process, from `Settings.screening_file` (read on first use)."""
    return load_screening(get_settings().screening_file)


class _Builder:
    """Checks each part of the file, naming the part in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def screening(self, raw: Any) -> Screening:
        top = self._mapping(raw, "the file", _TOP)
        answers = self._mapping(top["answers"], "answers", _ANSWERS)
        questions = [self._question(item, f"questions[{i}]") for i, item in enumerate(self._list(top, "questions", ""))]
        slots = [rule.question.slot for rule in questions]
        if sorted(slots) != sorted(SLOTS):
            expected, found = ", ".join(SLOTS), ", ".join(slots)
            self._fail("questions", f"need one question for each of {expected}; found {found}")
        review = self._mapping(top["review"], "review", _REVIEW)
        conditions = [
            self._condition(item, f"review.conditions[{i}]")
            for i, item in enumerate(self._list(review, "conditions", "review"))
        ]
        keys = [rule.condition.key for rule in conditions]
        if len(set(keys)) != len(keys):
            self._fail("review.conditions", f"each key may appear only once; found {', '.join(keys)}")
        for i, rule in enumerate(questions):
            if rule.review_instead is not None and rule.review_instead not in keys:
                self._fail(
                    f"questions[{i}] ({rule.question.slot}).review_instead",
                    f"{rule.review_instead!r} is not a key under review.conditions ({', '.join(keys)})",
                )
        texts = Texts(
            intro=self._text(top, "intro", ""),
            candidate=self._text(top, "candidate", ""),
            booking_offer=self._text(top, "booking_offer", ""),
            review=self._text(review, "text", "review"),
        )
        if CONDITIONS_PLACEHOLDER not in texts.review:
            self._fail("review.text", f"must contain {CONDITIONS_PLACEHOLDER} where the conditions are named")
        words = AnswerWords(
            yes=self._words(answers, "yes_words", "answers"),
            no=self._words(answers, "no_words", "answers"),
            unsure=self._words(answers, "unsure_words", "answers"),
        )
        return Screening(texts, questions, conditions, Reader(words))

    def _question(self, raw: Any, where: str) -> QuestionRule:
        spec = self._mapping(raw, where, _QUESTION)
        slot = self._text(spec, "slot", where)
        if slot not in SLOTS:
            self._fail(f"{where}.slot", f"unknown slot {slot!r}; the form's slots are {', '.join(SLOTS)}")
        where = f"{where} ({slot})"
        no_words = self._words(spec, "no_words", where, required=False)
        denied_by = self._words(spec, "denied_by", where, required=False)
        return QuestionRule(
            question=Question(
                slot=slot,
                label=self._text(spec, "label", where),
                ask=self._text(spec, "ask", where),
                reask=self._text(spec, "reask", where),
            ),
            # A way of saying "no" never counts as naming the condition ("stopped breastfeeding").
            words=ConditionWords(
                names=self._words(spec, "words", where),
                ignore=self._words(spec, "does_not_count", where, required=False) | no_words | denied_by,
            ),
            no_words=no_words,
            denied_by=denied_by,
            not_recommended=self._text(spec, "not_recommended", where),
            review_instead=self._text(spec, "review_instead", where) if "review_instead" in spec else None,
        )

    def _condition(self, raw: Any, where: str) -> ReviewRule:
        spec = self._mapping(raw, where, _CONDITION)
        key = self._text(spec, "key", where)
        if not key.isidentifier():
            self._fail(f"{where}.key", f"{key!r} must be one word of letters, digits and _")
        where = f"{where} ({key})"
        return ReviewRule(
            condition=ReviewCondition(key=key, label=self._text(spec, "label", where)),
            words=ConditionWords(names=self._words(spec, "words", where), ignore=PhraseSet()),
            mentioned_as=self._text(spec, "mentioned_as", where),
            with_any=self._words(spec, "with_any", where) if "with_any" in spec else None,
        )

    def _mapping(self, raw: Any, where: str, fields: Mapping[str, bool]) -> Mapping[str, Any]:
        if not isinstance(raw, dict):
            self._fail(where, "must be a set of `name: value` entries")
        unknown = sorted(set(raw) - set(fields))
        if unknown:
            self._fail(where, f"unknown entry {', '.join(map(repr, unknown))}; expected {', '.join(fields)}")
        missing = [name for name, required in fields.items() if required and name not in raw]
        if missing:
            self._fail(where, f"missing {', '.join(missing)}")
        return raw

    def _list(self, spec: Mapping[str, Any], name: str, where: str) -> list:
        value = spec.get(name)
        if not isinstance(value, list) or not value:
            self._fail(_place(where, name), "must be a list of at least one entry (lines starting with '- ')")
        return value

    def _text(self, spec: Mapping[str, Any], name: str, where: str) -> str:
        value = spec.get(name)
        if not isinstance(value, str) or not value.strip():
            self._fail(_place(where, name), "must be a non-empty piece of text")
        return " ".join(value.split())

    def _words(self, spec: Mapping[str, Any], name: str, where: str, required: bool = True) -> PhraseSet:
        value = spec.get(name)
        if not required and value in (None, "", []):
            return PhraseSet()
        place = _place(where, name)
        if not isinstance(value, list) or not value:
            self._fail(place, "needs a list of words or phrases, one per line starting with '- '")
        if not all(isinstance(item, str) for item in value):
            self._fail(place, "each entry must be a word or phrase, not a list or `name: value`")
        try:
            return PhraseSet.parse(value)
        except ValueError as exc:
            self._fail(place, str(exc))

    def _fail(self, where: str, problem: str) -> NoReturn:
        raise ConfigurationError(f"{self.source}: {where}: {problem}")


def _place(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
