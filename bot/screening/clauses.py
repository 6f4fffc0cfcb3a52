"""Cutting a message into clauses.

Why: a negation only reaches as far as its own clause. In "I'm not pregnant but my skin
forms keloids" the "not" denies the pregnancy and says nothing about the keloids, so
the two parts are read separately.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.screening.phrases import is_mark, tokens

# Words that join two statements. "or" is not one: in "not pregnant or nursing" the
# "not" covers both. "n" is texting for "and" ("im not preggo n no zits").
JOINING_WORDS = frozenset({"but", "and", "n", "although", "though", "tho", "however", "except", "plus", "whereas"})


@dataclass(frozen=True)
class Clause:
    """The words of one clause, and whether it ended with a question mark."""

    words: tuple[str, ...]
    question: bool = False


def split_clauses(text: str) -> list[Clause]:
    """The clauses of `text`, in order; marks are dropped, empty clauses too."""
    clauses: list[Clause] = []
    words: list[str] = []
    for token in tokens(text):
        if is_mark(token):
            clauses.extend(_split_joined(words, question="?" in token))
            words = []
        else:
            words.append(token)
    clauses.extend(_split_joined(words, question=False))
    return clauses


def _split_joined(words: list[str], question: bool) -> list[Clause]:
    """Split at joining words that have words on both sides.

    A joining word at either end is left alone, so a lone "n" stays an answer ("no")
    and "and no keloids" keeps its "no".
    """
    parts: list[Clause] = []
    start = 0
    for index in range(1, len(words) - 1):
        if words[index] in JOINING_WORDS and index > start:
            parts.append(Clause(tuple(words[start:index])))
            start = index + 1
    if start < len(words):
        parts.append(Clause(tuple(words[start:]), question))
    return parts
