"""Plain-word phrases from `clinic/screening.yml`, and where they occur in a message.

Why not regular expressions: the medical director edits the word lists, so a phrase is
plain words ("raised scars that grow") with an optional trailing `*` meaning "any
ending" (`pregnan*`). A message and a phrase are cut into words the same way, and a
phrase matches a run of whole words. Patterns are never built from what anybody wrote,
so a long or strange message cannot make matching slow, and a director cannot write a
pattern that silently matches everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from bot import patterns
from bot.text import MAX_MESSAGE_CHARS, normalize

# Words (with inner apostrophes: "don't", "what's") and the marks that end a clause:
# sentence punctuation, a dash standing between spaces ("keloids - never") and "&".
# A hyphen inside a word ("acne-prone") only separates two words: a run of dashes is a
# mark only with a space or the text's edge on both sides (see `_is_token`).
_TOKEN = patterns.compile(r"\w+(?:'\w+)*|[.!?;,:]+|[-\u2013]+|&")
_DASHES = frozenset("-\u2013")
_MARK_START = frozenset(".!?;,:&") | _DASHES

# Words that only say how much, skipped between a phrase's words (`Phrase.end_at`).
DEGREE_WORDS = frozenset(
    "pretty totally completely perfectly really very quite mostly fairly super entirely always generally usually "
    "little".split()
)

MIN_PREFIX = 3  # letters before a `*`: "pre*" is the shortest sensible "any ending"

Span = tuple[int, int]  # [start, end) word positions


def tokens(text: str) -> list[str]:
    """The text as lower-case words and clause marks.

    Apostrophes are dropped, so "I'm"/"im" and "don't"/"dont" are the same word: patients
    on a phone skip them and the director should not have to write both.
    """
    clean = normalize((text or "")[:MAX_MESSAGE_CHARS])
    return [found.group().replace("'", "") for found in _TOKEN.finditer(clean) if _is_token(clean, found)]


def _is_token(text: str, found: patterns.Match) -> bool:
    """A word or mark, or a run of dashes standing alone ("keloids - never", not "acne-prone")."""
    start, end = found.span()
    if text[start] not in _DASHES:
        return True
    return (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace())


def is_mark(token: str) -> bool:
    """Whether a token from `tokens` is a clause mark rather than a word."""
    return token[0] in _MARK_START


@dataclass(frozen=True)
class Phrase:
    """One entry of a word list: whole words, the last one possibly open-ended."""

    words: tuple[str, ...]
    open_ending: bool = False  # written with a trailing `*`

    @classmethod
    def parse(cls, written: str) -> "Phrase":
        """Read a phrase as the director wrote it; ValueError says what is wrong with it."""
        text = written.strip()
        open_ending = text.endswith("*")
        body = text[:-1] if open_ending else text
        if "*" in body:
            raise ValueError("a * may only come at the very end, right after a word (pregnan*)")
        if open_ending and body != body.rstrip():
            raise ValueError("write the * right after the word, without a space (pregnan*)")
        words = tokens(body)
        if not words:
            raise ValueError("is empty")
        if any(is_mark(word) for word in words):
            raise ValueError("use plain words and spaces, without punctuation")
        if open_ending and len(words[-1]) < MIN_PREFIX:
            raise ValueError(f"needs at least {MIN_PREFIX} letters before the *")
        return cls(tuple(words), open_ending)

    def end_at(self, words: Sequence[str], start: int) -> Optional[int]:
        """Where the phrase ends when it is written at `words[start:]`, else None.

        Between its words a message may put degree words the phrase does not have
        (`DEGREE_WORDS`): "cuts heal totally normal" says "heal normal", "skin's pretty
        clear" says "skins clear".
        """
        at = start
        for index, word in enumerate(self.words):
            while index and at < len(words) and words[at] != word and words[at] in DEGREE_WORDS:
                at += 1
            if at >= len(words):
                return None
            given = words[at]
            last = index == len(self.words) - 1
            if not (given.startswith(word) if last and self.open_ending else given == word):
                return None
            at += 1
        return at


class PhraseSet:
    """A word list, searched as a whole.

    Phrases are indexed by their first word, so finding them costs one dictionary
    lookup per word of the message plus a check per open-ended one-word phrase.
    """

    def __init__(self, phrases: Iterable[Phrase] = ()) -> None:
        self._phrases = tuple(phrases)
        self._by_first: dict[str, list[Phrase]] = {}
        self._open_words: list[Phrase] = []
        for phrase in self._phrases:
            if len(phrase.words) == 1 and phrase.open_ending:
                self._open_words.append(phrase)
            else:
                self._by_first.setdefault(phrase.words[0], []).append(phrase)

    @classmethod
    def parse(cls, written: Iterable[str]) -> "PhraseSet":
        """Read a list of phrases; ValueError names the first bad one."""
        phrases = []
        for entry in written:
            try:
                phrases.append(Phrase.parse(entry))
            except ValueError as exc:
                raise ValueError(f"{entry!r} {exc}") from None
        return cls(phrases)

    def __or__(self, other: "PhraseSet") -> "PhraseSet":
        return PhraseSet(self._phrases + other._phrases)

    def spans(self, words: Sequence[str]) -> list[Span]:
        """Every place a phrase occurs, as sorted, distinct [start, end) spans."""
        found = set()
        for start, word in enumerate(words):
            for phrase in self._by_first.get(word, ()):
                end = phrase.end_at(words, start)
                if end is not None:
                    found.add((start, end))
            if any(word.startswith(phrase.words[0]) for phrase in self._open_words):
                found.add((start, start + 1))
        return sorted(found)


@dataclass(frozen=True)
class ConditionWords:
    """The words that name a condition, and the phrases in which they do not count.

    "acne" names active acne, but not inside "acne scars": a span of `ignore` hides the
    condition words it overlaps.
    """

    names: PhraseSet
    ignore: PhraseSet

    def mentions(self, words: Sequence[str]) -> list[Span]:
        """Where the condition is named in `words`, outside the ignored phrases."""
        found = self.names.spans(words)
        if not found:
            return found
        hidden = bytearray(len(words))
        for start, end in self.ignore.spans(words):
            hidden[start:end] = b"\x01" * (end - start)
        return [(start, end) for start, end in found if not any(hidden[start:end])]
